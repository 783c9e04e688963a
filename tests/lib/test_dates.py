"""Dates and times per language (lib/dates.py and the `when` template filters): German
exactly as the pages always wrote it, English without "o'clock" and without a dot after
the day, both in Berlin time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import engines
from django.utils import translation

from anlaufstelle.lib import dates

# 14:30 and 15:30 in Berlin (winter time); a summer morning for leading zeros.
START = dt.datetime(2026, 12, 3, 13, 30, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 5, 7, 5, tzinfo=dt.UTC)  # Sunday 09:05 in Berlin


def render(source: str, language: str, **context: object) -> str:
    template = engines["django"].from_string("{% load tz when %}" + source)
    with translation.override(language):
        return template.render({"start": START, "end": END, **context})


WRITTEN = [
    # (template, German, English)
    ("{{ start|long_datetime }}", "Donnerstag, 3. Dezember 2026, 14:30 Uhr",
     "Thursday, 3 December 2026, 14:30"),
    ("{{ start|long_datetime:end }}", "Donnerstag, 3. Dezember 2026, 14:30–15:30 Uhr",
     "Thursday, 3 December 2026, 14:30–15:30"),
    ("{{ start|weekday_datetime }}", "Donnerstag, 3. Dezember 2026, 14:30",
     "Thursday, 3 December 2026, 14:30"),
    ("{{ start|weekday_date }}", "Donnerstag, 3. Dezember 2026", "Thursday, 3 December 2026"),
    ("{{ start|long_date }}", "3. Dezember 2026", "3 December 2026"),
    ("{{ start|long_date_time }}", "3. Dezember 2026, 14:30", "3 December 2026, 14:30"),
    ("{{ start|day_month }}", "3. Dezember", "3 December"),
    ("{{ start|weekday_day_month }}", "Donnerstag, 3. Dezember", "Thursday, 3 December"),
    ("{{ start|short_day_month }}", "3.12.", "3 Dec"),
    ("{{ start|short_date }}", "03.12.2026", "3 Dec 2026"),
    ("{{ start|short_datetime }}", "03.12.2026 14:30", "3 Dec 2026, 14:30"),
    ("{{ start|weekday_short_date }}", "Donnerstag, 03.12.2026", "Thursday, 3 Dec 2026"),
    ("{{ start|weekday_short_datetime }}", "Donnerstag, 03.12.2026, 14:30",
     "Thursday, 3 Dec 2026, 14:30"),
    ("{{ start|weekday_abbr_datetime }}", "Do 3. Dez. 2026, 14:30", "Thu 3 Dec 2026, 14:30"),
    ("{{ start|time_of_day }}", "14:30 Uhr", "14:30"),
    ("{{ start|date:'H:i' }}{% clock_word %}", "14:30 Uhr", "14:30"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "german", "english"), WRITTEN)
def test_each_filter_writes_german_and_english(source, german, english):
    assert render(source, "de") == german
    assert render(source, "en") == english


@pytest.mark.parametrize(("source", "german", "english"), WRITTEN)
def test_english_has_no_clock_word_and_no_dot_after_the_day(source, german, english):
    written = render(source, "en")
    assert "clock" not in written and "Uhr" not in written
    assert not re.search(r"\d\.", written)


# What the templates wrote before the filters, German only, next to what they write now.
BEFORE = [
    ('{{ v|date:"l, j. F Y, H:i" }} Uhr', "{{ v|long_datetime }}"),
    ('{{ v|date:"l, j. F Y, H:i" }}–{{ e|date:"H:i" }} Uhr', "{{ v|long_datetime:e }}"),
    ('{{ v|date:"l, j. F Y, H:i" }}', "{{ v|weekday_datetime }}"),
    ('{{ v|date:"l, j. F Y" }}', "{{ v|weekday_date }}"),
    ('{{ v|date:"j. F Y" }}', "{{ v|long_date }}"),
    ('{{ v|date:"j. F Y, H:i" }}', "{{ v|long_date_time }}"),
    ('{{ v|date:"j. F" }}', "{{ v|day_month }}"),
    ('{{ v|date:"l, j. F" }}', "{{ v|weekday_day_month }}"),
    ('{{ v|date:"D j.n. H:i" }}', '{{ v|date:"D" }} {{ v|short_day_month }} {{ v|date:"H:i" }}'),
    ('{{ v|date:"d.m.Y" }}', "{{ v|short_date }}"),
    ('{{ v|date:"d.m.Y H:i" }}', "{{ v|short_datetime }}"),
    ('{{ v|date:"l, d.m.Y, H:i" }}', "{{ v|weekday_short_datetime }}"),
    ('{{ v|date:"l, d.m.Y, H:i" }} Uhr', "{{ v|weekday_short_date }}, {{ v|time_of_day }}"),
    ('{{ v|date:"l, d.m.Y H:i" }}', '{{ v|weekday_short_date }} {{ v|date:"H:i" }}'),
    ('{{ v|date:"D, d.m.Y, H:i" }}', '{{ v|date:"D" }}, {{ v|short_date }}, {{ v|date:"H:i" }}'),
    ('{{ v|date:"D d.m.Y H:i" }}', '{{ v|date:"D" }} {{ v|short_date }} {{ v|date:"H:i" }}'),
    ('{{ v|date:"D j. N Y, H:i" }}', "{{ v|weekday_abbr_datetime }}"),  # staff booking form
    ('{{ v|date:"d.m.Y" }}, {{ v|date:"H:i" }} Uhr', "{{ v|short_date }}, {{ v|time_of_day }}"),
]


CASES = [
    pytest.param(before, now, value, id=f"{before}-{name}")
    for before, now in BEFORE
    for name, value in (("winter", START), ("summer", SUMMER), ("day", SUMMER.date()))
    if name != "day" or "H:i" not in before  # a day has no time
]


@pytest.mark.parametrize(("before", "now", "value"), CASES)
def test_german_is_written_as_before(before, now, value):
    context = {"v": value, "e": value + dt.timedelta(hours=1)}
    assert render(now, "de", **context) == render(before, "de", **context)


def test_the_current_time_zone_applies_as_with_the_date_filter():
    source = (
        '{% timezone "UTC" %}{{ start|short_datetime }} {{ start|long_datetime:end }}'
        "{% endtimezone %}"
    )
    assert render(source, "de") == "03.12.2026 13:30 Donnerstag, 3. Dezember 2026, 13:30–14:30 Uhr"
    assert render(source, "en") == "3 Dec 2026, 13:30 Thursday, 3 December 2026, 13:30–14:30"


def test_nothing_is_written_for_no_value():
    assert render('{{ none|short_date|default:"–" }}', "en", none=None) == "–"
    assert render("[{{ none|long_datetime }}]", "de", none=None) == "[]"


@pytest.mark.parametrize("value", ["2026-12-03", "<script>", 42, ["x"]])
def test_a_value_that_is_no_date_writes_nothing_instead_of_failing_the_page(value):
    """As Django's `date` filter: a page never fails over a date (it raised before)."""
    assert render("[{{ v|short_date }}|{{ v|long_datetime }}]", "de", v=value) == "[|]"
    assert render("[{{ start|long_datetime:v }}]", "en", v=value) == (
        "[Thursday, 3 December 2026, 14:30]"
    )


def test_the_python_functions_write_the_same_in_berlin_time():
    with translation.override("en"):
        assert dates.long_datetime(START, END) == "Thursday, 3 December 2026, 14:30–15:30"
        assert dates.format_when(SUMMER, "short_datetime") == "5 Jul 2026, 09:05"
        assert dates.clock_word() == ""
    with translation.override("de"):
        assert dates.long_datetime(START) == "Donnerstag, 3. Dezember 2026, 14:30 Uhr"
        assert dates.format_when(SUMMER, "short_datetime") == "05.07.2026 09:05"
        assert dates.format_when(SUMMER.date(), "weekday_date") == "Sonntag, 5. Juli 2026"


def test_every_language_of_the_site_has_every_style():
    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        assert set(dates.FORMATS[code]) == dates.STYLES
        assert code in dates.CLOCK_WORD
