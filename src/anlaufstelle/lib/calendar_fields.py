"""Form fields for dates that stay within the calendar the site can compute with.

Python's dates end at year 1 and 9999; converting 0001-01-01 00:00 in Berlin to UTC (or
9999-12-31 23:30 the other way) overflows, deep inside the database adapter. A form that
let such a value through ended in a 500 instead of a field error. These fields refuse
anything outside `params.EARLIEST`..`params.LATEST` with a German message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .params import EARLIEST, LATEST, date_in_range, datetime_in_range

OUT_OF_RANGE = _("Enter a date between %(first)s and %(last)s.")


def validate_calendar_date(value: date | datetime | None) -> None:
    if value is None:
        return
    inside = datetime_in_range(value) if isinstance(value, datetime) else date_in_range(value)
    if not inside:
        raise ValidationError(
            OUT_OF_RANGE,
            code="date_out_of_range",
            params={"first": EARLIEST.year, "last": LATEST.year},
        )


class CalendarDateField(forms.DateField):
    default_validators = [validate_calendar_date]


class CalendarSplitDateTimeField(forms.SplitDateTimeField):
    default_validators = [validate_calendar_date]

    def compress(self, data_list: Any) -> datetime | None:
        if data_list and all(data_list) and not date_in_range(data_list[0]):
            # Before making it aware: that conversion is what overflows at the ends.
            validate_calendar_date(data_list[0])
        return super().compress(data_list)
