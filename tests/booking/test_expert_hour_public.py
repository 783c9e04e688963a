"""Journey 4 end to end: what Jens sets up in the back office is what a company sees on the
public slot list, and no other partner expert can open or change it."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import Schedule
from anlaufstelle.directory.models import Provider
from anlaufstelle.networks.models import Role, User

from .test_expert_setup import ADD, MONDAY, every_second_thursday

pytestmark = pytest.mark.django_db
DAY = re.compile(r'<h2 class="kern-heading-small" id="day-[^"]+">([^<]+)</h2>')
TIME = re.compile(r'<span class="kern-label">(\d\d:\d\d)<span class="visually-hidden">')
MORE = re.compile(r'<a class="kern-btn kern-btn--tertiary" href="(\?ab=[0-9TZ]+)"')


def jens_sets_up_his_hour(client, personas) -> Schedule:
    client.force_login(personas.feldberg.partner_expert)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(ADD, every_second_thursday())
    assert response.status_code == 302, response.content.decode()[:3000]
    client.get("/admin/")  # consumes the "added" message
    client.logout()
    with scopes_disabled():
        return Schedule.objects.get(title="Arbeitgeber-Service im Werkraum")


def public_slot_list(client, schedule: Schedule) -> dict[str, list[str]]:
    """Day heading -> start times, following "Show later appointments" to the end."""
    base = reverse(
        "site:booking:schedule", kwargs={"network_slug": "feldberg", "code": schedule.code}
    )
    days: dict[str, list[str]] = {}
    query = ""
    for _page in range(20):
        html = client.get(base + query).content.decode()
        # Each day's section: its heading, then its slot buttons up to the next heading.
        for part in html.split('<section class="slot-day"')[1:]:
            [day] = DAY.findall(part)
            days.setdefault(day, []).extend(TIME.findall(part))
        more = MORE.findall(html)
        if not more:
            return days
        query = more[0]
    raise AssertionError("the slot list never ends")


def test_the_public_list_shows_every_second_thursday_without_the_holiday(client, personas):
    schedule = jens_sets_up_his_hour(client, personas)
    with time_machine.travel(MONDAY, tick=False):
        days = public_slot_list(client, schedule)
    half_hours = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    # 60 days from Monday 27 April 2026: every second Thursday from 30 April on;
    # 14 May is Christi Himmelfahrt (a public holiday in Mecklenburg-Vorpommern).
    assert days == {
        "Donnerstag, 30. April 2026": half_hours,
        "Donnerstag, 28. Mai 2026": half_hours,
        "Donnerstag, 11. Juni 2026": half_hours,
        "Donnerstag, 25. Juni 2026": half_hours,
    }


def test_another_partner_expert_can_neither_open_nor_change_it(client, personas):
    schedule = jens_sets_up_his_hour(client, personas)
    change = f"/admin/booking/schedule/{schedule.pk}/change/"
    delete = f"/admin/booking/schedule/{schedule.pk}/delete/"
    with scopes_disabled():
        # A colleague at the same organisation and an expert of another provider.
        colleague = User.objects.create_user(
            "kollegin@feldberg.example",
            "x",
            network=personas.feldberg.network,
            role=Role.PARTNER_EXPERT,
            provider=personas.feldberg.provider,
            is_staff=True,
        )
        other_provider = Provider.objects.create(
            network=personas.feldberg.network,
            slug="jobcenter-test",
            name="Jobcenter Test",
            kind="jobcenter",
            region=personas.feldberg.provider.region,
        )
        other = User.objects.create_user(
            "jobcenter@feldberg.example",
            "x",
            network=personas.feldberg.network,
            role=Role.PARTNER_EXPERT,
            provider=other_provider,
            is_staff=True,
        )
    for expert in (colleague, other, personas.stuttgart.partner_expert):
        client.force_login(expert)
        listing = client.get("/admin/booking/schedule/").content.decode()
        assert "Arbeitgeber-Service im Werkraum" not in listing
        assert client.get(change).status_code in (302, 403, 404)
        assert client.get(delete).status_code in (302, 403, 404)
        client.post(change, every_second_thursday(title="Übernommen"))
        client.post(delete, {"post": "yes"})
        # Their own hour is theirs; Jens' stays his.
        assert client.get(ADD).status_code == 200
    with scopes_disabled():
        schedule.refresh_from_db()
        assert schedule.title == "Arbeitgeber-Service im Werkraum"
        assert schedule.expert == personas.feldberg.partner_expert
        assert schedule.rules.count() == 1

    # The coordinator of the network edits every hour, Jens' included.
    client.force_login(personas.feldberg.coordinator)
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="expert"' in page.content.decode()
