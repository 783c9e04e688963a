"""Who sees which rows in the back office: every registered admin model, every role (issue 9.3).

The test walks `admin.site._registry`: a model registered without an entry in `KINDS`
fails `test_every_registered_model_has_an_expectation`, so a new admin cannot slip in
unreviewed. For each model there is a row of the feldberg partner expert ("partner"),
where it matters a row of Feldberg the partner expert must not see ("colleague": another
provider's or another person's), and a row of Stuttgart ("other"). Each persona opens
the list page (200 or 403) and must find exactly the rows meant for them; every change
page of a row not meant for them answers 302/403/404, never 200.

Kinds:
- network: every staff role sees its own network's rows (content, settings);
- partner_own: coordinators and navigators see the network's rows, a partner expert only
  their own (their consultation hours and absences, their provider's appointments, their
  calendar feeds);
- editors: coordinators and navigators only (room reservations, the search log);
- coordinator: coordinators only (the network itself, staff accounts, outgoing e-mail);
- operator: operators only (shared taxonomy, jobs, groups, MFA, task results).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from community.admin_rows import KINDS as COMMUNITY_KINDS
from community.admin_rows import community_rows
from events.admin_rows import KINDS as EVENTS_KINDS
from events.admin_rows import events_rows
from mediathek.admin_rows import KINDS as MEDIATHEK_KINDS
from mediathek.admin_rows import mediathek_rows

pytestmark = pytest.mark.django_db

KINDS: dict[str, str] = {
    "account.emailaddress": "operator",
    "networks.secondfactor": "operator",  # allauth's second factors, German labels
    "django_tasks_database.dbtaskresult": "operator",
    "networks.network": "coordinator",
    "networks.user": "coordinator",
    "directory.topic": "operator",
    "directory.audience": "operator",
    "directory.provider": "network",
    "directory.contact": "network",
    "directory.offer": "network",
    "pages.legalpage": "network",
    "search.synonymentry": "network",
    "search.searchquerylog": "editors",
    "booking.schedule": "partner_own",
    "booking.resource": "network",
    "booking.closingday": "network",
    "booking.bookingsettings": "network",
    "booking.booking": "partner_own",
    "booking.reservation": "editors",
    "booking.feedtoken": "partner_own",
    "booking.expertabsence": "partner_own",
    "cases.networkcasesettings": "network",
    "ops.jobrun": "operator",
    "ops.maildelivery": "coordinator",
    **EVENTS_KINDS,
    **MEDIATHEK_KINDS,
    **COMMUNITY_KINDS,
    "assistant.assistantsettings": "network",
    "assistant.conversation": "editors",
}
ROLES = ("coordinator", "navigator", "partner_expert", "outsider", "operator")
# Roles (of Feldberg, or "outsider" = Stuttgart's coordinator) that open a kind's list page.
LIST_ROLES = {
    "network": {"coordinator", "navigator", "partner_expert", "outsider", "operator"},
    "partner_own": {"coordinator", "navigator", "partner_expert", "outsider", "operator"},
    "editors": {"coordinator", "navigator", "outsider", "operator"},
    "coordinator": {"coordinator", "outsider", "operator"},
    "operator": {"operator"},
}


def registered_labels() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry)


def test_every_registered_model_has_an_expectation():
    assert [label for label in registered_labels() if label not in KINDS] == []


def persona(personas: Any, role: str) -> Any:
    if role == "operator":
        return personas.operator
    if role == "outsider":
        return personas.stuttgart.coordinator
    return getattr(personas.feldberg, role)


def expected_visible(role: str, kind: str, which: str) -> bool:
    """Whether `role` finds the row `which` (partner, colleague, other) in the list."""
    if role not in LIST_ROLES[kind]:
        return False
    if role == "operator":
        return True
    if role == "outsider":
        return which == "other"
    if which == "other":
        return False
    return not (role == "partner_expert" and kind == "partner_own" and which == "colleague")


# --- one row of each model per network ---------------------------------------------------


def _booking_rows(personas: Any) -> dict[str, Any]:
    from anlaufstelle.booking.models import Booking, Format, Schedule, Slot
    from anlaufstelle.directory.models import Provider

    def schedule(net: Any, provider: Any, expert: Any, title: str) -> Any:
        return Schedule.objects.create(
            network=net.network, provider=provider, expert=expert, title=title, format=Format.PHONE
        )

    def booking(sched: Any, name: str, email: str, days: int) -> Any:
        start = timezone.now() + timedelta(days=days)
        slot = Slot.objects.create(
            network=sched.network,
            schedule=sched,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            capacity=1,
            booked_count=1,
        )
        return Booking.objects.create(
            network=sched.network,
            slot=slot,
            name=name,
            email=email,
            consent_at=timezone.now(),
        )

    feldberg, stuttgart = personas.feldberg, personas.stuttgart
    other_provider = Provider.objects.create(
        network=feldberg.network, slug="andere-kammer", name="Andere Kammer", kind="kammer"
    )
    mine = schedule(feldberg, feldberg.provider, feldberg.partner_expert, "Sprechstunde Partner")
    colleagues = schedule(feldberg, other_provider, None, "Sprechstunde Andere Kammer")
    theirs = schedule(stuttgart, stuttgart.provider, stuttgart.partner_expert, "Stuttgart")
    return {
        "booking.schedule": {"partner": mine, "colleague": colleagues, "other": theirs},
        "booking.booking": {
            "partner": booking(mine, "Anja Partnerkundin", "anja@hotel.example", 2),
            "colleague": booking(colleagues, "Bernd Fremdkunde", "bernd@metall.example", 3),
            "other": booking(theirs, "Clara Stuttgart", "clara@stuttgart.example", 4),
        },
    }


def make_rows(personas: Any) -> dict[str, dict[str, Any]]:
    """{model label: {"partner"|"colleague"|"other": row}}; a missing key: no such row."""
    from allauth.account.models import EmailAddress

    from anlaufstelle.booking.models import (
        BookingSettings,
        ClosingDay,
        ExpertAbsence,
        FeedToken,
        Reservation,
        Resource,
        ResourceKind,
    )
    from anlaufstelle.cases.models import NetworkCaseSettings
    from anlaufstelle.directory.models import Audience, Topic
    from anlaufstelle.ops.models import JobRun
    from anlaufstelle.search.models import SearchQueryLog, SynonymEntry

    feldberg, stuttgart = personas.feldberg, personas.stuttgart
    nets = {"partner": feldberg, "other": stuttgart}
    rows: dict[str, dict[str, Any]] = {}

    def per_network(label: str, make: Any) -> None:
        rows[label] = {which: make(net, which) for which, net in nets.items()}

    with scopes_disabled():
        rows["networks.network"] = {"partner": feldberg.network, "other": stuttgart.network}
        rows["networks.user"] = {"partner": feldberg.navigator, "other": stuttgart.navigator}
        for label in ("directory.provider", "directory.contact", "directory.offer"):
            attr = label.split(".")[1]
            per_network(label, lambda net, _w, attr=attr: getattr(net, attr))
        per_network("pages.legalpage", lambda net, _w: net.legal_page)
        per_network(
            "search.synonymentry",
            lambda net, w: SynonymEntry.objects.create(network=net.network, terms=f"azubi{w}"),
        )
        per_network(
            "search.searchquerylog",
            lambda net, w: SearchQueryLog.objects.create(
                network=net.network, query=f"suche {w}", mode="hybrid"
            ),
        )
        rows.update(_booking_rows(personas))
        rows.update(events_rows(personas))
        rows.update(mediathek_rows(personas))
        rows.update(community_rows(personas))
        resources = {
            which: Resource.objects.create(
                network=net.network, name=f"Raum {which}", kind=ResourceKind.MEETING_ROOM
            )
            for which, net in nets.items()
        }
        rows["booking.resource"] = resources
        per_network(
            "booking.closingday",
            lambda net, w: ClosingDay.objects.create(
                network=net.network, date=timezone.localdate() + timedelta(days=40), name=w
            ),
        )
        per_network(
            "booking.bookingsettings",
            lambda net, _w: BookingSettings.objects.create(network=net.network),
        )
        start = timezone.now() + timedelta(days=5)
        rows["booking.reservation"] = {
            which: Reservation.objects.create(
                network=resource.network,
                resource=resource,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                status="confirmed",
                name=f"Reservierung {which}",
                email=f"{which}@raum.example",
                consent_at=timezone.now(),
            )
            for which, resource in resources.items()
        }
        rows["booking.feedtoken"] = {
            "partner": FeedToken.objects.create(
                network=feldberg.network, user=feldberg.partner_expert
            ),
            "colleague": FeedToken.objects.create(
                network=feldberg.network, user=feldberg.navigator
            ),
            "other": FeedToken.objects.create(
                network=stuttgart.network, user=stuttgart.partner_expert
            ),
        }

        def absence(net: Any, user: Any) -> Any:
            start = timezone.now() + timedelta(days=10)
            return ExpertAbsence.objects.create(
                network=net.network, expert=user, starts_at=start, ends_at=start + timedelta(days=1)
            )

        rows["booking.expertabsence"] = {
            "partner": absence(feldberg, feldberg.partner_expert),
            "colleague": absence(feldberg, feldberg.navigator),
            "other": absence(stuttgart, stuttgart.partner_expert),
        }
        from anlaufstelle.assistant.models import AssistantSettings, Conversation

        per_network(
            "assistant.assistantsettings",
            lambda net, _w: AssistantSettings.objects.create(network=net.network),
        )
        per_network(
            "assistant.conversation",
            lambda net, _w: Conversation.objects.create(network=net.network),
        )
        per_network(
            "cases.networkcasesettings",
            lambda net, _w: NetworkCaseSettings.objects.create(network=net.network),
        )
        # Rows outside any network: only the operator sees them.
        rows["directory.topic"] = {"partner": Topic.objects.get(slug="ausbildung")}
        rows["directory.audience"] = {
            "partner": Audience.objects.create(slug="kmu-test", label_de="KMU")
        }
        rows["ops.jobrun"] = {"partner": JobRun.objects.create(name="apply_retention")}
        rows["account.emailaddress"] = {
            "partner": EmailAddress.objects.create(
                user=feldberg.navigator, email=feldberg.navigator.email
            )
        }
        from anlaufstelle.ops.models import MailDelivery

        per_network(
            "ops.maildelivery",
            lambda net, w: MailDelivery.objects.create(
                network=net.network,
                recipients=[f"{w}@kunde.example"],
                subject=f"Betreff {w}",
                body="Text",
            ),
        )
    return rows


@pytest.fixture
def rows(personas: Any, settings: Any) -> dict[str, dict[str, Any]]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_rows(personas)


def change_url(obj: Any) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def changelist_url(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_rows_of_every_admin_model(personas, rows, role):
    client = Client()
    client.force_login(persona(personas, role))
    problems = []
    for label in registered_labels():
        kind = KINDS[label]
        response = client.get(changelist_url(label))
        wanted_status = 200 if role in LIST_ROLES[kind] else 403
        if response.status_code != wanted_status:
            problems.append(f"{label}: list {response.status_code}, expected {wanted_status}")
            continue
        page = response.content.decode() if response.status_code == 200 else ""
        for which, obj in rows.get(label, {}).items():
            visible = expected_visible(role, kind, which)
            url = change_url(obj)
            if (f'href="{url}"' in page) != visible:
                problems.append(f"{label} {which}: listed={not visible}, expected {visible}")
            opened = client.get(url)
            if visible and opened.status_code != 200:
                problems.append(f"{label} {which}: change page {opened.status_code}")
            if not visible and opened.status_code not in (302, 403, 404):
                problems.append(f"{label} {which}: change page {opened.status_code} (not theirs)")
    assert problems == []


def test_a_partner_expert_never_sees_another_providers_bookers(personas, rows):
    client = Client()
    client.force_login(personas.feldberg.partner_expert)
    page = client.get(changelist_url("booking.booking")).content.decode()
    assert "Anja Partnerkundin" in page
    assert "Bernd Fremdkunde" not in page and "Clara Stuttgart" not in page
    hidden = rows["booking.booking"]["colleague"]
    detail = client.get(change_url(hidden), follow=True).content.decode()
    assert "bernd@metall.example" not in detail
    search = client.get(changelist_url("booking.booking") + "?q=metall").content.decode()
    assert "Bernd Fremdkunde" not in search


def test_a_partner_expert_sees_no_room_reservation(personas, rows):
    client = Client()
    client.force_login(personas.feldberg.partner_expert)
    assert client.get(changelist_url("booking.reservation")).status_code == 403
    reservation = rows["booking.reservation"]["partner"]
    response = client.get(change_url(reservation), follow=True)
    assert "partner@raum.example" not in response.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert changelist_url("booking.reservation") not in index
