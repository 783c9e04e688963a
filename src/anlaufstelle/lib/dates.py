"""How a date, a date with time, or a time is written in each language of the interface.

German is written as the pages always showed it ("Donnerstag, 3. Dezember 2026, 14:30 Uhr");
English the way a reader in Germany expects it: day before month, the 24-hour clock, no
"o'clock" and no dot after the day ("Thursday, 3 December 2026, 14:30"). Short dates name
the month in English ("3 Dec 2026"), since "03/12/2026" reads as 12 March to some readers
(docs/decisions/0012-dates-per-language.md). The template filters are in `lib/when.py`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import get_language

# Django's date-format letters; the month and weekday names come from the active language.
FORMATS: dict[str, dict[str, str]] = {
    "de": {
        "long_date": "j. F Y",  # 3. Dezember 2026
        "long_date_time": "j. F Y, H:i",  # 3. Dezember 2026, 14:30
        "weekday_date": "l, j. F Y",  # Donnerstag, 3. Dezember 2026
        "weekday_datetime": "l, j. F Y, H:i",  # Donnerstag, 3. Dezember 2026, 14:30
        "day_month": "j. F",  # 3. Dezember
        "weekday_day_month": "l, j. F",  # Donnerstag, 3. Dezember
        "short_day_month": "j.n.",  # 3.12.
        "short_date": "d.m.Y",  # 03.12.2026
        "short_datetime": "d.m.Y H:i",  # 03.12.2026 14:30
        "weekday_short_date": "l, d.m.Y",  # Donnerstag, 03.12.2026
        "weekday_short_datetime": "l, d.m.Y, H:i",  # Donnerstag, 03.12.2026, 14:30
        "weekday_abbr_datetime": "D j. N Y, H:i",  # Do 3. Dez. 2026, 14:30
        "time_of_day": r"H:i \U\h\r",  # 14:30 Uhr
    },
    "en": {
        "long_date": "j F Y",  # 3 December 2026
        "long_date_time": "j F Y, H:i",  # 3 December 2026, 14:30
        "weekday_date": "l, j F Y",  # Thursday, 3 December 2026
        "weekday_datetime": "l, j F Y, H:i",  # Thursday, 3 December 2026, 14:30
        "day_month": "j F",  # 3 December
        "weekday_day_month": "l, j F",  # Thursday, 3 December
        "short_day_month": "j M",  # 3 Dec
        "short_date": "j M Y",  # 3 Dec 2026
        "short_datetime": "j M Y, H:i",  # 3 Dec 2026, 14:30
        "weekday_short_date": "l, j M Y",  # Thursday, 3 Dec 2026
        "weekday_short_datetime": "l, j M Y, H:i",  # Thursday, 3 Dec 2026, 14:30
        "weekday_abbr_datetime": "D j M Y, H:i",  # Thu 3 Dec 2026, 14:30
        "time_of_day": "H:i",  # 14:30
    },
}
STYLES = frozenset(FORMATS["de"])
# What follows a time of day at the end of a phrase ("14:30–15:30 Uhr"); English has none.
CLOCK_WORD = {"de": " Uhr", "en": ""}


def _language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in FORMATS else settings.LANGUAGE_CODE


def _local(value: dt.date, tz: dt.tzinfo | None) -> dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, tz)
    return value


def format_when(value: dt.date | None, style: str, *, tz: dt.tzinfo | None = None) -> str:
    """`value` (a date, or a datetime shown in `tz` or the current time zone) written in
    `style` (a key of FORMATS) for the active language; "" for None or for anything that
    is not a date (as Django's `date` filter: a page never fails over a date)."""
    if not isinstance(value, dt.date):
        return ""
    return dateformat.format(_local(value, tz), FORMATS[_language()][style])


def clock_word() -> str:
    """ " Uhr" in German, "" in English: what ends a phrase that ends in a time of day."""
    return CLOCK_WORD[_language()]


def long_datetime(
    start: dt.datetime | None, end: dt.datetime | None = None, *, tz: dt.tzinfo | None = None
) -> str:
    """ "Donnerstag, 3. Dezember 2026, 14:30 Uhr" / "Thursday, 3 December 2026, 14:30";
    with `end` the span "…, 14:30–15:30 Uhr" / "…, 14:30–15:30"."""
    if not isinstance(start, dt.datetime):
        return ""
    text = format_when(start, "weekday_datetime", tz=tz)
    if isinstance(end, dt.datetime):
        text += "–" + dateformat.format(_local(end, tz), "H:i")
    return text + clock_word()
