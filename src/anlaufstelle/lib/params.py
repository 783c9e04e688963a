"""Parsing of dates, times and numbers that arrive in URLs and forms.

Python's date arithmetic overflows at the ends of its range (`date.max + 1 day`, a
time zone shift of 9999-12-31 23:30 UTC), so a hostile `?tag=9999-12-31` or
`?termin=99991231T2330Z` would end in a 500 deep inside a view or template. The
helpers here accept only values within `EARLIEST`..`LATEST`, far from both ends and
far beyond anything the site schedules, and answer `None` (or the default) otherwise,
exactly as for text that is no date at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
SLOT_KEY_FORMAT = "%Y%m%dT%H%MZ"


def date_in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def datetime_in_range(moment: datetime) -> bool:
    """For an aware datetime: whether its UTC date lies within the range."""
    try:
        return date_in_range(moment.astimezone(UTC).date())
    except OverflowError:
        return False


def parse_day(value: object) -> date | None:
    """An ISO date (`2027-01-14`) within the range, else None."""
    try:
        day = date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return day if date_in_range(day) else None


def parse_slot_key(key: object) -> datetime | None:
    """A slot's URL key (UTC, minute precision: `20270114T0800Z`) within the range."""
    try:
        moment = datetime.strptime(str(key or ""), SLOT_KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if datetime_in_range(moment) else None


def parse_int(value: object, *, default: int, minimum: int, maximum: int) -> int:
    """A whole number clamped to [minimum, maximum]; `default` for anything else."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(minimum, min(number, maximum))
