"""A person's absence blocks all of their consultation hours, and only theirs (issue 4).

Jens of the employment agency holds an on-site hour and an online hour; on holiday he is
absent from both at once. Bookings made before the absence stay and show in his calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries, services
from anlaufstelle.booking.models import (
    Absence,
    BookingStatus,
    ExpertAbsence,
    Format,
    Schedule,
)
from anlaufstelle.booking.slots import BERLIN, public_holidays

from .conftest import make_schedule
from .test_services import book

SLOT = timedelta(minutes=30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def holiday_free_days() -> date:
    """The first of three consecutive working days (no public holiday in MV), ≥ 3 days ahead."""
    day = timezone.localdate() + timedelta(days=3)
    while any(
        day + timedelta(days=i) in public_holidays("MV", [day.year, day.year + 1]) for i in range(3)
    ):
        day += timedelta(days=1)
    return day


@pytest.fixture
def jens(feldberg):
    """The partner expert with two hours: on site and online."""
    return feldberg.partner_expert


@pytest.fixture
def hours(feldberg, jens, in_feldberg) -> dict[str, Schedule]:
    return {
        "on_site": make_schedule(
            feldberg.network, feldberg.provider, expert=jens, title="Arbeitgeber-Service vor Ort"
        ),
        "online": make_schedule(
            feldberg.network,
            feldberg.provider,
            expert=jens,
            fmt=Format.VIDEO,
            title="Arbeitgeber-Service online",
        ),
        "colleague": make_schedule(
            feldberg.network,
            feldberg.provider,
            expert=feldberg.navigator,
            title="Lotsen-Sprechstunde",
        ),
        "without_expert": make_schedule(
            feldberg.network, feldberg.provider, expert=None, title="Offene Sprechstunde"
        ),
    }


def slot_starts(schedule: Schedule, now: datetime) -> list[datetime]:
    return [s.starts_at for s in queries.free_slots([schedule], now=now, limit=None)]


def absent(expert, starts_at: datetime, ends_at: datetime, reason: str = "Urlaub") -> ExpertAbsence:
    with scopes_disabled():
        return ExpertAbsence.objects.create(
            network=expert.network,
            expert=expert,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
        )


def test_an_absence_removes_the_slots_of_all_the_experts_hours_in_its_range_and_no_others(
    feldberg, jens, hours, holiday_free_days
):
    now = timezone.now()
    before = {name: slot_starts(s, now) for name, s in hours.items()}
    first, last = holiday_free_days, holiday_free_days + timedelta(days=2)
    # From mid-morning on the first day to 12:15 on the third: the 12:00 slot overlaps.
    starts_at, ends_at = at(first, 10), at(last, 12, 15)
    absent(jens, starts_at, ends_at)

    for name in ("on_site", "online"):
        after = slot_starts(hours[name], now)
        expected = [t for t in before[name] if not (t < ends_at and starts_at < t + SLOT)]
        assert after == expected, name
        assert len(after) < len(before[name]), name
        assert at(first, 9, 30) in after and at(last, 12, 30) in after
        assert at(first, 10) not in after and at(last, 12) not in after
        assert not any(
            at(first + timedelta(days=1), 8) <= t < at(first + timedelta(days=2), 0) for t in after
        )
    for name in ("colleague", "without_expert"):
        assert slot_starts(hours[name], now) == before[name], name


def test_an_absence_of_another_expert_changes_nothing(
    feldberg, personas, jens, hours, holiday_free_days
):
    now = timezone.now()
    before = {name: slot_starts(hours[name], now) for name in ("on_site", "online")}
    day = holiday_free_days
    absent(feldberg.navigator, at(day, 0), at(day + timedelta(days=2), 0))
    absent(personas.stuttgart.partner_expert, at(day, 0), at(day + timedelta(days=2), 0))
    for name, starts in before.items():
        assert slot_starts(hours[name], now) == starts, name
    assert not any(
        at(day, 0) <= t < at(day + timedelta(days=2), 0)
        for t in slot_starts(hours["colleague"], now)
    )


def test_a_slot_in_the_absence_can_no_longer_be_booked(jens, hours, holiday_free_days):
    absent(jens, at(holiday_free_days, 0), at(holiday_free_days + timedelta(days=1), 0))
    with pytest.raises(services.SlotUnavailable):
        book(hours["online"], at(holiday_free_days, 9))
    assert book(hours["colleague"], at(holiday_free_days, 9)).status == BookingStatus.CONFIRMED


def test_the_hours_own_absences_still_block_only_that_hour(feldberg, hours, holiday_free_days):
    now = timezone.now()
    online_before = slot_starts(hours["online"], now)
    with scopes_disabled():
        Absence.objects.create(
            network=feldberg.network,
            schedule=hours["on_site"],
            starts_at=at(holiday_free_days, 8),
            ends_at=at(holiday_free_days, 9),
        )
    assert at(holiday_free_days, 8, 30) not in slot_starts(hours["on_site"], now)
    assert slot_starts(hours["online"], now) == online_before


def test_bookings_made_before_the_absence_stay_and_show_in_the_experts_calendar(
    client, jens, hours, holiday_free_days
):
    booking = book(hours["on_site"], at(holiday_free_days, 11), name="Anja Muster")
    absent(jens, at(holiday_free_days, 0), at(holiday_free_days + timedelta(days=1), 0))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    client.force_login(jens)
    html = client.get(
        reverse("site:booking:calendar", kwargs={"network_slug": "feldberg"}),
        {"tag": holiday_free_days.isoformat(), "ansicht": "tag"},
    ).content.decode()
    assert "Anja Muster" in html


# --- back office ------------------------------------------------------------------------


def change_url(obj: ExpertAbsence, action: str = "change") -> str:
    return reverse(f"admin:booking_expertabsence_{action}", args=[obj.pk])


CHANGELIST = "admin:booking_expertabsence_changelist"
ADD = "admin:booking_expertabsence_add"


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def absences(personas, holiday_free_days) -> dict[str, ExpertAbsence]:
    day = holiday_free_days
    return {
        "own": absent(personas.feldberg.partner_expert, at(day, 0), at(day, 23), "Urlaub"),
        "colleague": absent(personas.feldberg.navigator, at(day, 0), at(day, 23), "Fortbildung"),
        "stuttgart": absent(personas.stuttgart.partner_expert, at(day, 0), at(day, 23), "Krank"),
    }


def test_a_partner_expert_sees_and_changes_only_their_own_absences(personas, absences):
    client = staff_client(personas.feldberg.partner_expert)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert change_url(absences["own"]) in page
    assert change_url(absences["colleague"]) not in page
    assert change_url(absences["stuttgart"]) not in page
    assert client.get(change_url(absences["own"])).status_code == 200
    for name in ("colleague", "stuttgart"):
        theirs = absences[name]
        for action in ("change", "delete"):
            response = client.get(change_url(theirs, action))
            assert response.status_code in (302, 403, 404), (name, action)
            if response.status_code == 302:
                assert response["Location"] == reverse("admin:index")
        client.post(change_url(theirs), {"reason": "Übernommen"})
        client.post(change_url(theirs, "delete"), {"post": "yes"})
        with scopes_disabled():
            assert ExpertAbsence.objects.get(pk=theirs.pk).reason != "Übernommen"


def test_a_partner_expert_enters_an_absence_for_themselves_only(personas, holiday_free_days):
    expert = personas.feldberg.partner_expert
    client = staff_client(expert)
    form = client.get(reverse(ADD)).content.decode()
    assert 'name="expert"' not in form
    day = holiday_free_days.isoformat()
    response = client.post(
        reverse(ADD),
        {
            "starts_at_0": day,
            "starts_at_1": "00:00",
            "ends_at_0": day,
            "ends_at_1": "23:59",
            "reason": "Urlaub",
            # A smuggled expert is ignored.
            "expert": personas.feldberg.navigator.pk,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        created = ExpertAbsence.objects.get(reason="Urlaub")
    assert created.expert_id == expert.pk
    assert created.network_id == expert.network_id


def test_a_backwards_range_is_refused_in_german_and_keeps_the_input(personas, holiday_free_days):
    client = staff_client(personas.feldberg.partner_expert)
    day = holiday_free_days.isoformat()
    response = client.post(
        reverse(ADD),
        {
            "starts_at_0": day,
            "starts_at_1": "12:00",
            "ends_at_0": day,
            "ends_at_1": "09:00",
            "reason": "Dienstreise nach Berlin",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen." in html
    assert "Dienstreise nach Berlin" in html
    with scopes_disabled():
        assert not ExpertAbsence.objects.filter(reason="Dienstreise nach Berlin").exists()


@pytest.mark.parametrize("role", ("coordinator", "navigator"))
def test_coordinators_and_navigators_manage_the_absences_of_their_network_only(
    personas, absences, role
):
    client = staff_client(getattr(personas.feldberg, role))
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert change_url(absences["own"]) in page
    assert change_url(absences["colleague"]) in page
    assert change_url(absences["stuttgart"]) not in page
    assert client.get(change_url(absences["stuttgart"])).status_code in (302, 404)
    form = client.get(reverse(ADD)).content.decode()
    assert str(personas.feldberg.partner_expert) in form
    for stranger in (personas.stuttgart.partner_expert, personas.stuttgart.coordinator):
        assert str(stranger) not in form
    # Another network's expert cannot be chosen even by a hand-made request.
    day = absences["own"].starts_at.astimezone(BERLIN).date().isoformat()
    response = client.post(
        reverse(ADD),
        {
            "expert": personas.stuttgart.partner_expert.pk,
            "starts_at_0": day,
            "starts_at_1": "08:00",
            "ends_at_0": day,
            "ends_at_1": "09:00",
            "reason": "Fremd",
        },
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert not ExpertAbsence.objects.filter(reason="Fremd").exists()
