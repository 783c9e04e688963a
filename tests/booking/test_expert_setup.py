"""Jens (journey 4) sets up his consultation hour himself in the back office: every second
Thursday 9–12 in 30-minute slots; public holidays of Mecklenburg-Vorpommern get no slots."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Schedule
from anlaufstelle.networks.scoping import network_scope

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
ADD = "/admin/booking/schedule/add/"
MONDAY = datetime(2026, 4, 27, 8, 0, tzinfo=BERLIN)


def inline(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def every_second_thursday(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Arbeitgeber-Service im Werkraum",
        "format": "vor_ort",
        "location": "Werkraum Feldberg, Strelitzer Straße 42",
        "slot_minutes": "30",
        "buffer_minutes": "0",
        "min_notice_minutes": "720",
        "horizon_days": "60",
        "capacity": "1",
        "is_active": "on",
        **inline(
            "rules",
            [
                {
                    "weekday": "3",
                    "start_time": "09:00",
                    "end_time": "12:00",
                    "interval_weeks": "2",
                    "anchor_date": "2026-04-30",
                }
            ],
        ),
        **inline("extra_dates", []),
        **inline("absences", []),
    }
    data.update(overrides)
    return data


def test_a_partner_expert_sets_up_every_second_thursday(client, personas):
    jens = personas.feldberg.partner_expert
    client.force_login(jens)
    assert client.get(ADD).status_code == 200
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(ADD, every_second_thursday())
    assert response.status_code == 302, response.content.decode()[:3000]

    with scopes_disabled():
        schedule = Schedule.objects.get(title="Arbeitgeber-Service im Werkraum")
        # Jens and his organisation, whatever the form said (the fields are not on it).
        assert schedule.expert == jens
        assert schedule.provider == personas.feldberg.provider
        assert schedule.network == personas.feldberg.network
        assert schedule.rules.get().network == personas.feldberg.network

    with network_scope(personas.feldberg.network):
        free = queries.free_slots([schedule], now=MONDAY, limit=None)
    days = sorted({s.starts_at.astimezone(BERLIN).date() for s in free})
    # 30 April, 28 May, 11 June, 25 June: every second Thursday within 60 days;
    # 14 May (Christi Himmelfahrt, a public holiday) has none.
    assert days == [date(2026, 4, 30), date(2026, 5, 28), date(2026, 6, 11), date(2026, 6, 25)]
    first_day = [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in free[:6]]
    assert first_day == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_a_tampered_provider_or_expert_is_ignored(client, personas):
    jens = personas.feldberg.partner_expert
    client.force_login(jens)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(
            ADD,
            every_second_thursday(
                provider=str(personas.stuttgart.provider.pk),
                expert=str(personas.feldberg.navigator.pk),
            ),
        )
    assert response.status_code == 302
    with scopes_disabled():
        schedule = Schedule.objects.get(title="Arbeitgeber-Service im Werkraum")
    assert (schedule.expert, schedule.provider) == (jens, personas.feldberg.provider)


def test_a_partner_expert_sees_and_edits_only_their_own_hours(client, personas):
    jens = personas.feldberg.partner_expert
    client.force_login(personas.feldberg.navigator)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(
            ADD,
            every_second_thursday(
                provider=str(personas.feldberg.provider.pk),
                expert=str(personas.feldberg.navigator.pk),
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        colleagues = Schedule.objects.get(title="Arbeitgeber-Service im Werkraum")
    change = f"/admin/booking/schedule/{colleagues.pk}/change/"

    client.get("/admin/")  # shows (and so consumes) the navigator's "added" message
    client.force_login(jens)
    assert change not in client.get("/admin/booking/schedule/").content.decode()
    assert client.get(change).status_code in (302, 403, 404)
    client.post(change, every_second_thursday(title="Übernommen"))
    colleagues.refresh_from_db()
    assert colleagues.title == "Arbeitgeber-Service im Werkraum"

    # The navigator edits every hour of the network, Jens' included.
    client.force_login(personas.feldberg.navigator)
    assert client.get(change).status_code == 200


def test_a_wrong_window_keeps_the_input_and_says_why(client, personas):
    client.force_login(personas.feldberg.partner_expert)
    data = every_second_thursday()
    data["rules-0-end_time"] = "08:00"
    response = client.post(ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Arbeitgeber-Service im Werkraum" in page  # what was typed is still there
    assert 'class="errorlist' in page
    with scopes_disabled():
        assert not Schedule.objects.filter(title="Arbeitgeber-Service im Werkraum").exists()
