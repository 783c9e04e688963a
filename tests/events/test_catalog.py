"""The catalog's events as rows: undated ones become drafts; the demo dates them; series."""

from __future__ import annotations

import io
import json
from datetime import date, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.catalog import import_events
from anlaufstelle.events.models import Event, EventSeries, EventStatus, EventType

pytestmark = pytest.mark.django_db


def catalog(**extra) -> dict:
    base = {
        "id": "ev-sprechtag",
        "title_de": "Sprechtag Ausbildung",
        "anlaufstelle": "x",
        "format": "online",
        "region": "mv-seenplatte",
        "description_de": "Fachleute beraten.",
    }
    return {"events": [base | extra]}


def test_a_catalog_event_without_a_date_is_imported_as_a_draft_with_a_message(personas):
    report = import_events(catalog())
    with scopes_disabled():
        [event] = Event.objects.all()
    assert event.status == EventStatus.DRAFT and event.starts_at is None
    assert event.network == personas.feldberg.network
    assert report.drafts == ["Sprechtag Ausbildung"]
    assert any("ohne Datum als Entwurf" in line for line in report.lines())


def test_a_dated_catalog_event_is_published_and_a_second_run_updates_it(personas):
    import_events(catalog(start="2027-01-14T10:00:00"))
    report = import_events(catalog(start="2027-01-14T10:00:00", title_de="Neuer Titel"))
    with scopes_disabled():
        [event] = Event.objects.all()
    assert (report.created, report.updated) == (0, 1)
    assert event.status == EventStatus.PUBLISHED and event.title == "Neuer Titel"
    assert event.starts_at.isoformat() == "2027-01-14T09:00:00+00:00"
    assert event.online_url  # online: a room from the video pattern
    again = import_events(catalog(start="2027-01-14T10:00:00", title_de="Neuer Titel"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert again.lines() == ["Veranstaltungen: 0 neu, 0 geändert, 1 unverändert."]


def demo_output() -> str:
    out = io.StringIO()
    call_command("load_events_demo", stdout=out)
    return out.getvalue()


def events_line() -> str:
    [line] = [x for x in demo_output().splitlines() if x.startswith("Veranstaltungen:")]
    return line


def test_the_demo_loader_says_what_it_did_and_a_rerun_that_nothing_changed(demo_catalog):
    # `load_demo` (the catalog import) has left the 18 undated events as drafts.
    first = demo_output()
    assert "Veranstaltungen: 0 neu, 0 geändert, 18 Entwürfe mit Datum veröffentlicht." in first
    assert "für den Löwenpitch gesetzt" in first
    again = demo_output()
    assert "Veranstaltungen: 0 neu, 0 geändert, 18 unverändert." in again
    assert "Löwenpitch" not in again


def test_the_demo_loader_counts_18_new_events_where_there_were_none(demo_catalog):
    with scopes_disabled():
        Event.objects.all().delete()
    assert events_line() == "Veranstaltungen: 18 neu, 0 geändert."


def test_the_demo_gives_all_18_catalog_events_dates_in_the_coming_weeks(demo_catalog, capsys):
    call_command("load_events_demo")
    with scopes_disabled():
        first_dates = sorted(
            Event.objects.exclude(catalog_id="").values_list("starts_at", flat=True)
        )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("load_events_demo")  # two days later: nothing doubles, dates ahead stay
    with scopes_disabled():
        catalog_events = Event.objects.exclude(catalog_id="")
        assert sorted(catalog_events.values_list("starts_at", flat=True)) == first_dates
        assert catalog_events.count() == 18
        assert not catalog_events.filter(status=EventStatus.DRAFT).exists()
        assert all(e.starts_at > timezone.now() for e in catalog_events)
        series = EventSeries.objects.get(title="Offene Sprechstunde Ausbildung")
        dates = [e.starts_at.date() for e in series.events.order_by("starts_at")]
    assert len(dates) >= 3  # a 4th when a first Wednesday fell within the two days
    assert all(d.weekday() == 2 and d.day <= 7 for d in dates)  # first Wednesdays
    with scopes_disabled():
        pitch = Event.objects.select_related("event_type").get(catalog_id="ev-loewenpitch-herbst")
        assert EventType.objects.filter(name="Pitch-Veranstaltung").count() == 1  # ran twice
    assert pitch.role_list() == ["Pitchendes Unternehmen", "Talent (Besuch)"]
    [required] = [q for q in pitch.questions_for("Pitchendes Unternehmen") if q.required]
    assert required.text == "Ihr Pitch in zwei Sätzen"


def test_a_series_creates_its_occurrences_as_rows_once(feldberg):
    with scopes_disabled():
        series = EventSeries.objects.create(
            network=feldberg.network, title="Offene Sprechstunde Ausbildung",
            rule="jeden ersten Mittwoch", weekday=2, week_of_month=1, start_time=time(16),
        )  # fmt: skip
    made = services.create_occurrences(series, count=3, after=date(2027, 1, 1))
    assert [e.starts_at.date() for e in made] == [
        date(2027, 1, 6),
        date(2027, 2, 3),
        date(2027, 3, 3),
    ]
    assert services.create_occurrences(series, count=3, after=date(2027, 1, 1)) == []


def test_import_catalog_events_command_reports_drafts(personas, tmp_path, capsys):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog()), encoding="utf-8")
    call_command("import_catalog_events", str(path))
    assert "ohne Datum als Entwurf" in capsys.readouterr().out


def test_import_catalog_imports_undated_events_as_drafts_and_a_dry_run_none(personas, tmp_path):
    from io import StringIO

    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog()), encoding="utf-8")
    out = StringIO()
    call_command("import_catalog", str(path), "--dry-run", stdout=out)
    with scopes_disabled():
        assert not Event.objects.exists()
    call_command("import_catalog", str(path), stdout=out)
    with scopes_disabled():
        assert Event.objects.get().status == EventStatus.DRAFT
    assert "1 Veranstaltung(en) ohne Datum als Entwurf importiert" in out.getvalue()


def test_the_demo_dates_fall_on_working_days_never_on_a_weekend_or_public_holiday():
    # From the 23rd of December the plain "5 + 3 a day" spacing hit Boxing Day (a
    # Saturday in 2026), New Year's Day and the weekends in between.
    import holidays

    from anlaufstelle.events.catalog import BERLIN, demo_dates

    closed = holidays.country_holidays("DE", years=[2026, 2027, 2028])
    for start in (date(2026, 12, 3), date(2026, 12, 21), date(2027, 3, 20)):
        for offset in range(7):
            now = timezone.make_aware(
                timezone.datetime.combine(start + timedelta(days=offset), time(12))
            )
            days = [demo_dates(i, now).astimezone(BERLIN).date() for i in range(18)]
            assert all(d.weekday() < 5 and d not in closed for d in days), (now, days)
            assert days == sorted(days) and days[0] > now.date()
            assert days[-1] <= now.date() + timedelta(days=70)
