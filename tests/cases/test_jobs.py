"""The untouched badge, the reminder e-mails and the retention job."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.cases import services, workdays
from anlaufstelle.cases.models import NetworkCaseSettings
from anlaufstelle.networks.scoping import network_scope

from .conftest import site, submit

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(60))


def test_working_days_skip_weekends_and_public_holidays():
    # Frauentag (8 March) is a holiday in Berlin and MV since 2023, not in BW.
    friday = datetime(2026, 3, 6).date()
    assert workdays.working_days_between(friday, datetime(2026, 3, 9).date(), "BW") == 1
    assert workdays.add_working_days(friday, 1, "MV") == datetime(2026, 3, 9).date()
    easter_thursday = datetime(2026, 4, 2).date()
    # Good Friday and Easter Monday are holidays everywhere.
    assert workdays.add_working_days(easter_thursday, 1, "BW") == datetime(2026, 4, 7).date()


def test_an_untouched_concern_gets_a_badge_and_one_reminder(client, desk):
    with time_machine.travel(MONDAY, tick=False):
        old = submit(desk.network, text="Seit Wochen keine Antwort auf unsere Stellenanzeige")
        fresh_one = submit(desk.network, email="b@example.org", text="Wir suchen eine Pflegekraft")
    later = MONDAY + timedelta(days=8)  # Tuesday of the next week: 6 working days
    with time_machine.travel(later, tick=False):
        fresh = submit(desk.network, email="c@example.org", text="Neu: Azubi für das Büro gesucht")
        with network_scope(desk.network):
            services.add_note(concern=fresh_one, body="Rückruf vereinbart", by=desk.navigator)
        client.force_login(desk.navigator)
        page = client.get(site("lotsen/")).content.decode()
        assert page.count("unbearbeitet seit") == 1
        only = client.get(site("lotsen/?ansicht=neu&unbearbeitet=on")).content.decode()
        assert old.code in only and fresh.code not in only

        mail.outbox.clear()
        call_command("send_case_reminders")
        [reminder] = [m for m in mail.outbox if desk.navigator.email in m.to]
        assert old.code in reminder.body and fresh.code not in reminder.body
        assert fresh_one.code not in reminder.body
        mail.outbox.clear()
        call_command("send_case_reminders")
        assert mail.outbox == []  # once, until somebody acts on it


def test_the_threshold_is_a_network_setting(desk):
    with scopes_disabled():
        NetworkCaseSettings.objects.create(network=desk.network, untouched_days=10)
    with time_machine.travel(MONDAY, tick=False):
        submit(desk.network)
    with time_machine.travel(MONDAY + timedelta(days=8), tick=False):
        assert services.untouched_concerns(desk.network) == []


def test_retention_follows_the_network_setting_and_spares_open_concerns(desk):
    with scopes_disabled():
        NetworkCaseSettings.objects.create(network=desk.network, retention_months=3)
    with time_machine.travel(MONDAY, tick=False):
        closed = submit(desk.network)
        still_open = submit(desk.network, email="b@example.org")
        with network_scope(desk.network):
            services.close_concern(concern=closed, outcome="advice_given", by=desk.navigator)
    with time_machine.travel(MONDAY + timedelta(days=60), tick=False):
        assert services.apply_retention() == 0
    with time_machine.travel(MONDAY + timedelta(days=100), tick=False):
        assert services.apply_retention() == 1
        assert services.apply_retention() == 0
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.anonymised_at and closed.email == ""
    assert still_open.anonymised_at is None and still_open.email == "b@example.org"
    with scopes_disabled():
        assert closed.timeline.filter(kind="erased", actor="system").exists()


def test_the_scheduler_anonymises_at_night_and_reminds_only_on_working_days(desk):
    """The daily jobs run from `run_periodic_jobs`, not by hand: retention at night,
    reminders on working mornings of the network's state (not on Good Friday)."""
    from anlaufstelle.ops import periodic

    with scopes_disabled():
        NetworkCaseSettings.objects.create(network=desk.network, retention_months=1)
    with time_machine.travel(MONDAY, tick=False):
        closed = submit(desk.network)
        untouched = submit(desk.network, email="b@example.org")
        with network_scope(desk.network):
            services.close_concern(concern=closed, outcome="advice_given", by=desk.navigator)
    good_friday = datetime(2026, 4, 3, 8, 0, tzinfo=timezone.get_fixed_timezone(120))
    mail.outbox.clear()
    with time_machine.travel(good_friday, tick=False):
        results = periodic.run_due_jobs()
    assert results["apply_retention"] == "succeeded"
    assert results["case_reminders"] == "succeeded"
    closed.refresh_from_db()
    assert closed.anonymised_at is not None
    assert mail.outbox == []  # a public holiday in MV: the desk is closed
    with time_machine.travel(good_friday + timedelta(days=4), tick=False):  # Tuesday
        periodic.run_due_jobs()
    assert any(untouched.code in m.body for m in mail.outbox)
