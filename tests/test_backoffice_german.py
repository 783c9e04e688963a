"""The back office speaks German to every role: no English word on any page they can open.

Each role (operator, coordinator, navigator, partner expert) walks every model of the
back office it sees: the list, the add page and the change page of a few rows. The
visible text (text nodes, button labels, option texts, titles) must not contain typical
English interface words. Words that are German as well ("Name", "Status", "Filter",
"Start", "Partner") are not on the list. The JavaScript catalogue that the admin's
pickers use ("Choose all", "Remove selected") must be German as well.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled

pytestmark = pytest.mark.django_db

# Typical English interface words of Django, its admin and the apps we use. Matched as
# whole words, case-sensitive (the admin capitalises labels; "object (" catches
# "WeeklyRule object (1)"). None of them is also a common German word.
ENGLISH = [
    "Choose",
    "Chosen",
    "Remove",
    "Available",
    "object (",
    "Add",
    "Save",
    "Delete",
    "Search",
    "Select",
    "Change",
    "History",
    "Home",
    "Action",
    "Go",
    "Yes",
    "No",
    "Unknown",
    "Task",
    "Tasks",
    "Created",
    "Modified",
    "Updated",
    "Enqueued",
    "Priority",
    "Queue",
    "Backend",
    "Authenticator",
    "Authenticators",
    "Recovery",
    "Last used",
    "Show all",
    "Clear",
    "Results",
    "results",
    "Query",
    "Clicked",
    "Rank",
    "Mode",
    "Suggestion",
    "Count",
    "Date",
    "Time",
    "Type",
    "View site",
    "Log out",
    "Password",
    "Documentation",
    "Today",
    "Now",
    "Clock",
    "Calendar",
    "Cancel",
    "Close",
    "Required",
    "Optional",
    "optional",
    "Please",
    "the",
    "and",
    "of",
    "for",
    "with",
    "by",
    "is",
    "are",
    "this",
]
ENGLISH_RE = re.compile(
    "|".join(
        rf"(?<![\w-]){re.escape(w)}" + ("" if w.endswith("(") else r"(?![\w-])") for w in ENGLISH
    )
)
# Texts that are data or proper names, not interface: e-mail addresses, URLs, code.
IGNORED = re.compile(r"\S+@\S+|https?://\S+|\{[^}]*\}")


class VisibleText(HTMLParser):
    """The text a person sees: text nodes, button values, titles, placeholders."""

    SKIP = {"script", "style", "template", "noscript"}
    # List columns of English content (a topic's English label): data, not interface.
    ENGLISH_COLUMN = re.compile(r"\bfield-\w+_en\b")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.skipped_cells: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in {"td", "th"} and self.ENGLISH_COLUMN.search(values.get("class") or ""):
            self.skipped_cells.append(tag)
            self.skipping += 1
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.parts.append(values.get("value") or "")
        for name in ("title", "placeholder", "aria-label"):
            if values.get(name):
                self.parts.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif self.skipped_cells and tag == self.skipped_cells[-1]:
            self.skipped_cells.pop()
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        text = IGNORED.sub(" ", " ".join(part.split()))
        for match in ENGLISH_RE.finditer(text):
            found.append(f"{match.group(0)!r} in {text[:120]!r}")
    return found


@pytest.fixture
def backoffice(personas, settings):
    """The personas plus the demo's bookings, rooms and concerns, so that lists have rows."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_AUTO_INDEX = False
    out = io.StringIO()
    call_command("load_demo", verbosity=0, stdout=out)
    call_command("load_booking_demo", stdout=out)
    call_command("load_cases_demo", stdout=out)
    call_command("rebuild_index", "--no-embed", stdout=out, stderr=out)
    # A logged search, so that the search log's list shows its columns.
    from django.test import Client

    Client().get("/n/feldberg/suche/", {"q": "Ausbildung"})
    add_rows(personas)
    return personas


def add_rows(personas) -> None:
    """One row in each list that the demo leaves empty: an empty list hides its columns."""
    from datetime import timedelta

    from allauth.mfa.models import Authenticator
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from anlaufstelle.booking import queries as booking_queries
    from anlaufstelle.booking import services as booking_services
    from anlaufstelle.booking.models import BookingSettings, ExpertAbsence, FeedToken, Schedule
    from anlaufstelle.cases.models import NetworkCaseSettings
    from anlaufstelle.networks.scoping import network_scope
    from anlaufstelle.ops.models import JobRun, MailDelivery
    from anlaufstelle.search.models import SynonymEntry

    now = timezone.now()
    feldberg = personas.feldberg
    network = feldberg.network
    with scopes_disabled():
        Authenticator.objects.create(user=feldberg.coordinator, type="totp", data={})
        DBTaskResult.objects.create(
            task_path="anlaufstelle.ops.tasks.example",
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        )
        JobRun.objects.create(name="retention", started_at=now, finished_at=now)
        MailDelivery.objects.create(
            network=network, recipients=["a@b.example"], subject="Termin", body="Text"
        )
    with network_scope(network):
        SynonymEntry.objects.create(network=network, terms="Azubi, Lehrling")
        BookingSettings.objects.get_or_create(network=network)
        NetworkCaseSettings.objects.get_or_create(network=network)
        ExpertAbsence.objects.create(
            network=network,
            expert=feldberg.partner_expert,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=31),
            reason="Urlaub",
        )
        FeedToken.objects.create(network=network, user=feldberg.navigator)
        schedule = Schedule.objects.filter(network=network).first()
        slot = booking_queries.free_slots([schedule], limit=1)[0]
        booking_services.book_slot(
            schedule=schedule,
            starts_at=slot.starts_at,
            name="Anja Muster",
            email="anja@hotel.example",
            consent=True,
        )


def admin_pages(client) -> Iterator[str]:
    """Every list, add and change page (first rows) of the models this user may see."""
    yield "/admin/"
    for model in admin.site._registry:
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        try:
            changelist = reverse(f"{name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(changelist)
        if response.status_code != 200:
            continue
        yield changelist
        add = reverse(f"{name}_add")
        if client.get(add).status_code == 200:
            yield add
        if response.context and "cl" in response.context:
            rows = list(response.context["cl"].result_list[:2])
            for row in rows:
                yield reverse(f"{name}_change", args=[row.pk])
        yield reverse("admin:app_list", args=[meta.app_label])


ROLES = ["operator", "coordinator", "navigator", "partner_expert"]


def user_for(personas, role: str):
    return personas.operator if role == "operator" else getattr(personas.feldberg, role)


@pytest.mark.parametrize("role", ROLES)
def test_every_back_office_page_of_every_role_is_german(client, backoffice, role):
    client.force_login(user_for(backoffice, role))
    problems: dict[str, str] = {}  # finding → first page it is on
    seen = set()
    with scopes_disabled():
        pages = list(dict.fromkeys(admin_pages(client)))
    assert len(pages) > 3, pages
    for path in pages:
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        for finding in english_words(response.content.decode()):
            problems.setdefault(finding, path)
    assert problems == {}, "\n".join(f"{path}: {finding}" for finding, path in problems.items())


# What the admin's JavaScript shows (pickers of many-to-many fields, date and time
# shortcuts); Django 5.2's German catalogue lacks some of them.
ADMIN_JS_STRINGS = [
    "Choose all %s",
    "Choose selected %s",
    "Remove all %s",
    "Remove selected %s",
    'Choose %s by selecting them and then select the "Choose" arrow button.',
    'Remove %s by selecting them and then select the "Remove" arrow button.',
    "(click to clear)",
    "Available %s",
    "Chosen %s",
    "Today",
    "Now",
    "Cancel",
]


def test_the_pickers_javascript_catalogue_is_german(client, personas):
    client.force_login(personas.feldberg.coordinator)
    response = client.get("/admin/jsi18n/")
    assert response.status_code == 200
    match = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    assert match, "no catalogue in /admin/jsi18n/"
    catalog = json.loads(match.group(1))
    untranslated = [s for s in ADMIN_JS_STRINGS if not catalog.get(s) or catalog[s] == s]
    assert untranslated == []
    assert catalog["Remove selected %s"] == "Markierte %s entfernen"


def test_the_english_word_check_finds_what_it_should():
    assert english_words("<p>WeeklyRule object (1)</p>")
    assert english_words('<input type="submit" value="Save">')
    assert english_words("<th>Clicked rank</th>")
    assert not english_words("<p>Name · Status · Filter · Start</p>")
    assert not english_words("<script>var x = 'Choose all';</script>")
    assert not english_words('<td class="field-label_en">Housing and mobility</td><td>x</td>')
