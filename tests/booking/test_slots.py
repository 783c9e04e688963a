"""Slot generation: recurrence, exceptions, holidays per Bundesland, DST, notice, horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from anlaufstelle.booking.slots import (
    BERLIN,
    Blocked,
    ExtraWindow,
    ScheduleSpec,
    WeeklyWindow,
    generate_slots,
    nth_weekday_of_month,
    public_holidays,
    slots_on_day,
    window_applies,
)

THU = 3
TUE = 1


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN)


def starts(candidates) -> list[str]:
    return [c.starts_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for c in candidates]


def spec(**kwargs) -> ScheduleSpec:
    kwargs.setdefault("windows", (WeeklyWindow(THU, time(9), time(12)),))
    return ScheduleSpec(**kwargs)


def test_a_weekly_window_gives_thirty_minute_slots_from_nine_to_twelve():
    slots = slots_on_day(spec(), date(2026, 3, 12))
    assert starts(slots) == [
        "2026-03-12 09:00",
        "2026-03-12 09:30",
        "2026-03-12 10:00",
        "2026-03-12 10:30",
        "2026-03-12 11:00",
        "2026-03-12 11:30",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_the_buffer_spaces_slots_and_the_last_slot_ends_inside_the_window():
    slots = slots_on_day(spec(buffer_minutes=15), date(2026, 3, 12))
    assert [s[-5:] for s in starts(slots)] == ["09:00", "09:45", "10:30", "11:15"]


def test_no_slots_on_other_weekdays():
    assert slots_on_day(spec(), date(2026, 3, 11)) == []


def test_every_second_week_counts_from_the_anchor_week():
    window = WeeklyWindow(THU, time(9), time(12), interval_weeks=2, anchor=date(2026, 3, 9))
    assert window_applies(window, date(2026, 3, 12))
    assert not window_applies(window, date(2026, 3, 19))
    assert window_applies(window, date(2026, 3, 26))
    assert not window_applies(window, date(2026, 3, 5))
    assert window_applies(window, date(2026, 2, 26))


def test_second_and_fourth_tuesday_of_the_month():
    window = WeeklyWindow(TUE, time(9), time(12), month_weeks=(2, 4))
    march = [date(2026, 3, d) for d in range(1, 32) if window_applies(window, date(2026, 3, d))]
    assert march == [date(2026, 3, 10), date(2026, 3, 24)]


def test_last_weekday_of_the_month():
    window = WeeklyWindow(TUE, time(14), time(15), month_weeks=(-1,))
    march = [date(2026, 3, d) for d in range(1, 32) if window_applies(window, date(2026, 3, d))]
    assert march == [date(2026, 3, 31)]
    assert nth_weekday_of_month(date(2026, 3, 31)) == (5, True)


def test_validity_dates_limit_a_rule():
    window = WeeklyWindow(
        THU, time(9), time(12), valid_from=date(2026, 3, 19), valid_until=date(2026, 3, 26)
    )
    assert not window_applies(window, date(2026, 3, 12))
    assert window_applies(window, date(2026, 3, 19))
    assert not window_applies(window, date(2026, 4, 2))


def test_an_extra_date_adds_slots_and_overlapping_windows_do_not_duplicate():
    s = spec(
        extras=(
            ExtraWindow(date(2026, 3, 12), time(11), time(13)),
            ExtraWindow(date(2026, 3, 13), time(10), time(11)),
        )
    )
    assert starts(slots_on_day(s, date(2026, 3, 12)))[-4:] == [
        "2026-03-12 11:00",
        "2026-03-12 11:30",
        "2026-03-12 12:00",
        "2026-03-12 12:30",
    ]
    assert len(slots_on_day(s, date(2026, 3, 12))) == 8
    assert starts(slots_on_day(s, date(2026, 3, 13))) == ["2026-03-13 10:00", "2026-03-13 10:30"]


def test_an_absence_removes_the_overlapping_slots_only():
    day = date(2026, 3, 12)
    s = spec(blocked=(Blocked(local(day, 9, 45), local(day, 11)),))
    assert [x[-5:] for x in starts(slots_on_day(s, day))] == ["09:00", "11:00", "11:30"]


def test_a_closing_day_of_the_network_has_no_slots():
    day = date(2026, 3, 12)
    assert slots_on_day(spec(closed_days=frozenset({day})), day) == []


def test_mecklenburg_vorpommern_holidays_include_reformation_day_and_womens_day():
    mv = public_holidays("MV", [2025, 2026])
    assert date(2025, 10, 31) in mv  # Reformationstag
    assert date(2026, 3, 8) in mv  # Frauentag, a holiday in MV since 2023
    assert date(2026, 6, 4) not in mv  # no Fronleichnam in MV
    assert date(2026, 1, 6) not in mv
    assert date(2022, 3, 8) not in public_holidays("MV", [2022])


def test_baden_wuerttemberg_holidays_include_epiphany_and_corpus_christi():
    bw = public_holidays("BW", [2026])
    assert date(2026, 1, 6) in bw  # Heilige Drei Könige
    assert date(2026, 6, 4) in bw  # Fronleichnam
    assert date(2026, 10, 31) not in bw
    assert date(2026, 3, 8) not in bw


def _days_with_slots(bundesland: str, weekday: int, first: date, last: date) -> list[date]:
    s = spec(
        windows=(WeeklyWindow(weekday, time(9), time(12)),), bundesland=bundesland, horizon_days=400
    )
    now = datetime.combine(first, time(0), tzinfo=BERLIN)
    until = datetime.combine(last, time(23), tzinfo=BERLIN)
    return sorted(
        {c.starts_at.astimezone(BERLIN).date() for c in generate_slots(s, now=now, until=until)}
    )


def test_holidays_produce_no_slots_per_bundesland():
    # Fronleichnam 2026 is Thursday 4 June: a holiday in BW, a working day in MV.
    assert date(2026, 6, 4) in _days_with_slots("MV", THU, date(2026, 6, 1), date(2026, 6, 7))
    assert date(2026, 6, 4) not in _days_with_slots("BW", THU, date(2026, 6, 1), date(2026, 6, 7))
    # Reformationstag 2025 is a Friday: MV skips it, BW does not.
    assert date(2025, 10, 31) not in _days_with_slots(
        "MV", 4, date(2025, 10, 27), date(2025, 11, 2)
    )
    assert date(2025, 10, 31) in _days_with_slots("BW", 4, date(2025, 10, 27), date(2025, 11, 2))
    # Heilige Drei Könige 2026 is a Tuesday.
    assert date(2026, 1, 6) not in _days_with_slots("BW", TUE, date(2026, 1, 5), date(2026, 1, 11))
    assert date(2026, 1, 6) in _days_with_slots("MV", TUE, date(2026, 1, 5), date(2026, 1, 11))


def test_minimum_notice_hides_slots_that_start_too_soon():
    day = date(2026, 3, 12)
    s = spec(min_notice=timedelta(hours=2))
    now = local(day, 8, 15)
    assert starts(generate_slots(s, now=now, until=local(day, 23)))[0] == "2026-03-12 10:30"


def test_the_horizon_ends_the_list():
    s = spec(horizon_days=14)
    now = local(date(2026, 3, 9), 8)
    days = {c.starts_at.astimezone(BERLIN).date() for c in generate_slots(s, now=now)}
    assert days == {date(2026, 3, 12), date(2026, 3, 19)}


def test_capacity_is_carried_by_every_slot():
    assert {c.capacity for c in slots_on_day(spec(capacity=6), date(2026, 3, 12))} == {6}


def test_slots_on_the_spring_switch_keep_their_wall_clock_time():
    # 29 March 2026, the last Sunday of March: 02:00 CET jumps to 03:00 CEST.
    day = date(2026, 3, 29)
    s = spec(windows=(WeeklyWindow(6, time(9), time(10)),))
    slots = slots_on_day(s, day)
    assert [c.starts_at for c in slots] == [
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 30, tzinfo=UTC),
    ]
    before = slots_on_day(s, date(2026, 3, 22))
    assert before[0].starts_at == datetime(2026, 3, 22, 8, 0, tzinfo=UTC)


def test_local_times_that_do_not_exist_give_no_slot():
    day = date(2026, 3, 29)
    s = spec(windows=(WeeklyWindow(6, time(1), time(4)),))
    assert [x[-5:] for x in starts(slots_on_day(s, day))] == ["01:00", "01:30", "03:00", "03:30"]


def test_slots_on_the_autumn_switch_are_unique_and_real_length():
    # 25 October 2026, the last Sunday of October: 03:00 CEST falls back to 02:00 CET.
    day = date(2026, 10, 25)
    s = spec(windows=(WeeklyWindow(6, time(1), time(4)),))
    slots = slots_on_day(s, day)
    utc = [c.starts_at for c in slots]
    assert utc == sorted(set(utc))
    assert all(c.ends_at - c.starts_at == timedelta(minutes=30) for c in slots)
    nine = slots_on_day(spec(windows=(WeeklyWindow(6, time(9), time(10)),)), day)
    assert nine[0].starts_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET


windows = st.builds(
    lambda wd, start_h, length_h, interval, weeks: WeeklyWindow(
        wd, time(start_h), time(min(start_h + length_h, 23)), interval, date(2026, 1, 5), weeks
    ),
    st.integers(0, 6),
    st.integers(6, 18),
    st.integers(1, 5),
    st.integers(1, 3),
    st.sampled_from([(), (1,), (2, 4), (-1,), (1, 3)]),
)


@settings(max_examples=60, deadline=None)
@given(
    ws=st.lists(windows, min_size=1, max_size=3),
    slot_minutes=st.sampled_from([15, 20, 30, 45, 60]),
    buffer=st.sampled_from([0, 5, 10, 15]),
    notice_h=st.integers(0, 72),
    horizon=st.integers(1, 120),
    offset_days=st.integers(0, 365),
    bundesland=st.sampled_from(["MV", "BW", "BY", ""]),
)
def test_generated_slots_respect_every_rule(
    ws, slot_minutes, buffer, notice_h, horizon, offset_days, bundesland
):
    s = ScheduleSpec(
        windows=tuple(ws),
        slot_minutes=slot_minutes,
        buffer_minutes=buffer,
        min_notice=timedelta(hours=notice_h),
        horizon_days=horizon,
        bundesland=bundesland,
    )
    now = datetime(2026, 1, 1, 6, 17, tzinfo=UTC) + timedelta(days=offset_days)
    out = list(generate_slots(s, now=now))
    holidays = public_holidays(bundesland, range(2025, 2029))
    assert [c.starts_at for c in out] == sorted({c.starts_at for c in out})
    for c in out:
        assert now + s.min_notice <= c.starts_at < now + timedelta(days=horizon)
        assert c.ends_at - c.starts_at == timedelta(minutes=slot_minutes)
        start_local = c.starts_at.astimezone(BERLIN)
        end_local = c.ends_at.astimezone(BERLIN)
        assert start_local.date() not in holidays
        assert any(
            window_applies(w, start_local.date())
            and w.start <= start_local.time()
            and end_local.time() <= w.end
            for w in ws
        )
