"""The whole journey: company submits → navigator assigns → refers to two partners → one
declines, one accepts and replies → the company sees it → closed → anonymised later."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import (
    Concern,
    ConcernStatus,
    EventKind,
    Message,
    Referral,
    ReferralStatus,
)

from .conftest import form_data, site


def staff_post(client, user, path, data):
    client.force_login(user)
    response = client.post(path, data)
    client.logout()
    return response


def test_a_concern_goes_from_the_company_to_two_partners_and_is_anonymised_after_retention(
    client, desk, django_capture_on_commit_callbacks
):
    # The company sends its concern and lands on its status page.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site(""), form_data())
    assert response.status_code == 302
    status_url = response["Location"]
    with scopes_disabled():
        concern = Concern.objects.get()
    assert concern.status == ConcernStatus.NEW
    assert status_url.startswith(f"/n/feldberg/anliegen/status/{concern.code}/")
    assert client.get(status_url).status_code == 200
    receipt = [m for m in mail.outbox if "anja@hotel-am-see.example" in m.to]
    assert receipt and status_url.split("?")[0] in receipt[0].body

    # The navigator takes it.
    concern_url = site(f"lotsen/{concern.code}/")
    response = staff_post(
        client, desk.navigator, concern_url, {"aktion": "zuweisen", "assignee": desk.navigator.pk}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ASSIGNED and concern.assignee == desk.navigator

    # … and refers it to two partners with a note; each partner gets an e-mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_post(
            client,
            desk.navigator,
            concern_url,
            {
                "aktion": "weiterleiten",
                "providers": [desk.partner_a.pk, desk.partner_b.pk],
                "note": "Bitte Arbeitgeber-Service und Anwerbung im Ausland prüfen.",
            },
        )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.WAITING_PARTNER
    assert {m.to[0] for m in mail.outbox} >= {desk.expert_a.email, desk.expert_b.email}

    # Partner A declines with a reason.
    partner_url = site(f"partner/{concern.code}/")
    response = staff_post(
        client, desk.expert_a, partner_url, {"aktion": "ablehnen", "reason": "Nicht zuständig."}
    )
    assert response.status_code == 302
    # Partner B accepts and answers the company.
    assert staff_post(client, desk.expert_b, partner_url, {"aktion": "annehmen"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_post(
            client,
            desk.expert_b,
            partner_url,
            {"aktion": "antworten", "body": "Wir rufen Sie morgen wegen der Anwerbung an."},
        )
    assert response.status_code == 302
    with scopes_disabled():
        statuses = dict(Referral.objects.values_list("provider_id", "status"))
    assert statuses == {
        desk.partner_a.pk: ReferralStatus.DECLINED,
        desk.partner_b.pk: ReferralStatus.ACCEPTED,
    }
    assert any("anja@hotel-am-see.example" in m.to for m in mail.outbox)

    # The company sees the answer and the steps on its status page.
    page = client.get(status_url).content.decode()
    assert "Wir rufen Sie morgen wegen der Anwerbung an." in page
    assert "Welcome Center Test" in page
    assert "Partner hat abgelehnt" in page or "abgelehnt" in page

    # The navigator closes it with an outcome.
    response = staff_post(
        client, desk.navigator, concern_url, {"aktion": "abschliessen", "outcome": "referred"}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DONE and concern.outcome == "referred"

    # Every step is in the timeline.
    with scopes_disabled():
        kinds = list(concern.timeline.values_list("kind", flat=True))
    for kind in (
        EventKind.SUBMITTED,
        EventKind.ASSIGNED,
        EventKind.REFERRED,
        EventKind.DECLINED,
        EventKind.ACCEPTED,
        EventKind.REPLIED,
        EventKind.CLOSED,
    ):
        assert kind in kinds

    # Before the retention period nothing happens; after it, the concern is anonymised.
    call_command("apply_retention")
    concern.refresh_from_db()
    assert concern.anonymised_at is None
    later = timezone.now() + timedelta(days=370)
    import time_machine

    with time_machine.travel(later, tick=False):
        call_command("apply_retention")
    concern.refresh_from_db()
    assert concern.anonymised_at is not None
    assert concern.email == "" and concern.contact_name == "" and "Koch" not in concern.text
    assert concern.wz_section == "I"  # the profile stays for the statistics
    with scopes_disabled():
        assert not Message.objects.filter(body__contains="Anwerbung").exists()
        assert Concern.objects.count() == 1  # never deleted
    assert client.get(status_url).status_code == 404


def test_the_status_page_shows_the_timeline_but_not_internal_notes(client, desk, concern):
    from anlaufstelle.cases import links, services
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(desk.network):
        services.add_note(
            concern=concern, body="Geheime interne Notiz zum Betrieb", by=desk.navigator
        )
        path = links.status_path(concern)
    page = client.get(path).content.decode()
    assert "Anliegen eingegangen" in page
    assert "Geheime interne Notiz" not in page
    assert "Interne Notiz" not in page
    client.force_login(desk.navigator)
    staff_page = client.get(site(f"lotsen/{concern.code}/")).content.decode()
    assert "Geheime interne Notiz zum Betrieb" in staff_page


def test_the_company_can_write_withdraw_export_and_erase(client, desk, concern):
    import json

    from anlaufstelle.cases import links
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(desk.network):
        path = links.status_path(concern)
    assert (
        client.post(path, {"aktion": "nachricht", "body": "Ab wann geht es los?"}).status_code
        == 302
    )
    with scopes_disabled():
        assert concern.messages.get().body == "Ab wann geht es los?"

    assert client.post(path, {"aktion": "widerrufen"}).status_code == 302
    concern.refresh_from_db()
    assert concern.share_consent_withdrawn_at is not None
    client.force_login(desk.navigator)
    response = client.post(
        site(f"lotsen/{concern.code}/"),
        {"aktion": "weiterleiten", "providers": [desk.partner_a.pk], "note": ""},
    )
    assert response.status_code == 400
    assert "widerrufen" in response.content.decode()
    client.logout()

    export = client.post(path, {"aktion": "export"})
    assert export["Content-Type"].startswith("application/json")
    data = json.loads(export.content)
    assert data["contact"]["email"] == "anja@hotel-am-see.example"
    assert data["messages"][0]["text"] == "Ab wann geht es los?"

    refused = client.post(path, {"aktion": "loeschen"})
    assert refused.status_code == 400
    concern.refresh_from_db()
    assert concern.anonymised_at is None
    assert client.post(path, {"aktion": "loeschen", "bestaetigen": "ja"}).status_code == 200
    concern.refresh_from_db()
    assert concern.anonymised_at is not None and concern.email == ""
    assert client.get(path).status_code == 404


def test_a_navigator_books_an_appointment_on_the_company_s_behalf(
    client, desk, concern, django_capture_on_commit_callbacks
):
    from anlaufstelle.booking import queries
    from anlaufstelle.booking.models import Booking
    from anlaufstelle.networks.scoping import network_scope

    from .conftest import make_schedule

    schedule = make_schedule(desk.network, desk.partner_a, expert=desk.expert_a)
    with network_scope(desk.network):
        slot = queries.free_slots([schedule], limit=1)[0]
    client.force_login(desk.navigator)
    book_url = site(f"lotsen/{concern.code}/termin/")
    assert slot.key in client.get(book_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(book_url, {"termin": f"{schedule.code}|{slot.key}"})
    assert response.status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
        assert booking.email == concern.email and booking.booked_by == desk.navigator
        assert concern.timeline.filter(kind=EventKind.BOOKED).exists()
    assert any(concern.email in m.to for m in mail.outbox)
    # The booking shows up in the company's history on the concern page.
    page = client.get(site(f"lotsen/{concern.code}/")).content.decode()
    assert schedule.title in page
    assert re.search(r"Termin \d\d\.\d\d\.\d{4}", page)
