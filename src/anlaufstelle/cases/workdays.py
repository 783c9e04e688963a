"""Working days of a network: Monday to Friday without the public holidays of its state."""

from __future__ import annotations

from datetime import date, timedelta

from anlaufstelle.booking.slots import public_holidays


def is_working_day(day: date, bundesland: str) -> bool:
    return day.weekday() < 5 and day not in public_holidays(bundesland, [day.year])


def add_working_days(start: date, days: int, bundesland: str) -> date:
    """The date `days` working days after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, bundesland):
            days -= 1
    return day


def working_days_between(start: date, end: date, bundesland: str) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    holidays = public_holidays(bundesland, range(start.year, end.year + 1))
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        day += timedelta(days=1)
    return count
