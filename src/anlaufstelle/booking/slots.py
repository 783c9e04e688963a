"""Slot generation: pure functions from rules to candidate slots (no database access).

Rules are wall-clock times in Europe/Berlin ("Thursday 09:00–12:00"); candidates come out
as aware UTC datetimes. On the day summer time starts, local times that do not exist
(02:00–02:59) produce no slot; on the day it ends, an ambiguous local time is taken once,
at its first occurrence (fold=0). Slot lengths are real durations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class WeeklyWindow:
    """Every `interval_weeks`-th week (counted from `anchor`) or, when `month_weeks` is set,
    the n-th occurrences of `weekday` in the month (1..5, -1 = last)."""

    weekday: int
    start: time
    end: time
    interval_weeks: int = 1
    anchor: date | None = None
    month_weeks: tuple[int, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class ExtraWindow:
    day: date
    start: time
    end: time


@dataclass(frozen=True)
class Blocked:
    """An absence of the schedule or of its expert (which blocks all of the person's hours):
    no slot may overlap [starts_at, ends_at) (aware datetimes)."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ScheduleSpec:
    windows: tuple[WeeklyWindow, ...] = ()
    extras: tuple[ExtraWindow, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    closed_days: frozenset[date] = field(default_factory=frozenset)
    bundesland: str = ""
    slot_minutes: int = 30
    buffer_minutes: int = 0
    min_notice: timedelta = timedelta(0)
    horizon_days: int = 60
    capacity: int = 1
    tz: ZoneInfo = BERLIN


@dataclass(frozen=True, order=True)
class Candidate:
    starts_at: datetime
    ends_at: datetime
    capacity: int


@lru_cache(maxsize=256)
def _holiday_dates(bundesland: str, year: int) -> dict[date, str]:
    calendar = holidays.country_holidays("DE", subdiv=bundesland or None, years=year, language="de")
    return dict(calendar.items())


def public_holidays(bundesland: str, years: Iterable[int]) -> dict[date, str]:
    """Public holidays of a German state (e.g. "MV", "BW"), nationwide ones with "".

    Uses the maintained `holidays` package, which knows the state-specific days
    (Frauentag in MV since 2023, Fronleichnam and Heilige Drei Könige in BW, …).
    """
    result: dict[date, str] = {}
    for year in years:
        result.update(_holiday_dates(bundesland, year))
    return result


def nth_weekday_of_month(day: date) -> tuple[int, bool]:
    """Which occurrence of its weekday `day` is in its month (1-based), and if it is the last."""
    nth = (day.day - 1) // 7 + 1
    is_last = (day + timedelta(days=7)).month != day.month
    return nth, is_last


def window_applies(window: WeeklyWindow, day: date) -> bool:
    """Whether the recurring window takes place on `day` (ignoring holidays and absences)."""
    if day.weekday() != window.weekday:
        return False
    if window.valid_from and day < window.valid_from:
        return False
    if window.valid_until and day > window.valid_until:
        return False
    if window.month_weeks:
        nth, is_last = nth_weekday_of_month(day)
        return nth in window.month_weeks or (is_last and -1 in window.month_weeks)
    if window.interval_weeks > 1:
        anchor = window.anchor or window.valid_from
        if anchor is None:
            return True
        # Compare Monday-based week numbers so the anchor may be any day of its week.
        anchor_monday = anchor - timedelta(days=anchor.weekday())
        weeks = (day - anchor_monday).days // 7
        return weeks % window.interval_weeks == 0
    return True


def local_to_utc(day: date, wall: time, tz: ZoneInfo = BERLIN) -> datetime | None:
    """The UTC instant of a wall-clock time, or None when it does not exist (spring gap)."""
    local = datetime.combine(day, wall, tzinfo=tz)  # fold=0: first occurrence in autumn
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return as_utc


def _slots_in_window(
    day: date, start: time, end: time, spec: ScheduleSpec
) -> Iterator[tuple[datetime, datetime]]:
    length = timedelta(minutes=spec.slot_minutes)
    step = timedelta(minutes=spec.slot_minutes + spec.buffer_minutes)
    wall = datetime.combine(day, start)
    wall_end = datetime.combine(day, end)
    while wall + length <= wall_end:
        starts = local_to_utc(day, wall.time(), spec.tz) if wall.date() == day else None
        if starts is not None:
            yield starts, starts + length
        wall += step


def _overlaps_blocked(starts: datetime, ends: datetime, blocked: tuple[Blocked, ...]) -> bool:
    return any(b.starts_at < ends and starts < b.ends_at for b in blocked)


def slots_on_day(
    spec: ScheduleSpec, day: date, holiday_days: Iterable[date] = ()
) -> list[Candidate]:
    """All slots of `day` per the rules, minus holidays, closing days and absences."""
    if day in spec.closed_days or day in holiday_days:
        return []
    windows = [(w.start, w.end) for w in spec.windows if window_applies(w, day)]
    windows += [(x.start, x.end) for x in spec.extras if x.day == day]
    seen: set[datetime] = set()
    result = []
    for start, end in sorted(windows):
        for starts, ends in _slots_in_window(day, start, end, spec):
            if starts in seen or _overlaps_blocked(starts, ends, spec.blocked):
                continue
            seen.add(starts)
            result.append(Candidate(starts, ends, spec.capacity))
    result.sort()
    return result


def generate_slots(
    spec: ScheduleSpec,
    *,
    now: datetime,
    start: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[Candidate]:
    """Bookable candidate slots in time order.

    Only slots that start at least `min_notice` after `now` and before the horizon
    (`now + horizon_days`) are produced; `start`/`until` narrow the range further.
    """
    earliest = now + spec.min_notice
    if start is not None:
        earliest = max(earliest, start)
    latest = now + timedelta(days=spec.horizon_days)
    if until is not None:
        latest = min(latest, until)
    if latest <= earliest:
        return
    first_day = earliest.astimezone(spec.tz).date()
    last_day = latest.astimezone(spec.tz).date()
    holiday_days = public_holidays(spec.bundesland, range(first_day.year, last_day.year + 1))
    day = first_day
    while day <= last_day:
        for candidate in slots_on_day(spec, day, holiday_days):
            if earliest <= candidate.starts_at < latest:
                yield candidate
        day += timedelta(days=1)
