"""Template filters for dates and times in the active language (`{% load when %}`; the
library is registered in settings.TEMPLATES, as lib is not an app). The formats live in
`lib/dates.py`: `{{ day|long_date }}`, `{{ start|short_datetime }}`, one filter per style
there, plus `{{ start|long_datetime }}`, `{{ start|long_datetime:end }}` and `{% clock_word %}`.

Like Django's `date` filter, they show an aware datetime in the current time zone, so a
`{% timezone %}` block around them still applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import template

from anlaufstelle.lib import dates

register = template.Library()


def _style_filter(style: str) -> Callable[[dt.date | None], str]:
    def written(value: dt.date | None) -> str:
        return dates.format_when(value, style)

    written.__doc__ = f"The value as dates.FORMATS[<active language>][{style!r}]."
    return written


for _style in sorted(dates.STYLES):
    register.filter(_style, _style_filter(_style), expects_localtime=True)


@register.filter(expects_localtime=True)
def long_datetime(value: dt.datetime | None, end: dt.datetime | None = None) -> str:
    """`{{ start|long_datetime }}` or, for a span, `{{ start|long_datetime:end }}`."""
    return dates.long_datetime(value, end)


@register.simple_tag
def clock_word() -> str:
    """`{% clock_word %}`: " Uhr" in German, nothing in English."""
    return dates.clock_word()
