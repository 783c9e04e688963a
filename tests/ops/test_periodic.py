"""The scheduler of the daily jobs: due times in Berlin, once a day, never twice at once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from anlaufstelle.ops import periodic
from anlaufstelle.ops.models import JobRun, JobStatus

BERLIN = ZoneInfo("Europe/Berlin")
# A job that does real work and changes nothing the tests look at.
CHECK = periodic.PeriodicJob("system_check", "check", time(3, 15))
BROKEN = periodic.PeriodicJob("broken", "no_such_command_here", time(3, 0))
WEEKDAY_JOB = periodic.PeriodicJob("weekdays", "check", time(7, 30), weekdays=periodic.WORKDAYS)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.django_db
def test_a_job_is_due_after_its_time_once_per_local_day():
    assert periodic.due_jobs(at(3, 3, 14), (CHECK,)) == []
    assert periodic.due_jobs(at(3, 3, 15), (CHECK,)) == [CHECK]

    assert periodic.run_due_jobs(at(3, 3, 20), (CHECK,)) == {"system_check": JobStatus.SUCCEEDED}
    assert periodic.run_due_jobs(at(3, 23, 59), (CHECK,)) == {}
    assert periodic.due_jobs(at(4, 3, 0), (CHECK,)) == []
    assert periodic.run_due_jobs(at(4, 9, 0), (CHECK,)) == {"system_check": JobStatus.SUCCEEDED}

    run = JobRun.objects.get(name="system_check")
    assert run.status == JobStatus.SUCCEEDED
    assert "System check identified no issues" in run.output
    assert run.finished_at is not None


@pytest.mark.django_db
def test_the_run_time_is_berlin_time_across_the_switch_to_summer_time():
    # 29 March 2026: clocks go from 02:00 to 03:00 CEST. 03:15 local is 01:15 UTC.
    utc = ZoneInfo("UTC")
    assert periodic.due_jobs(datetime(2026, 3, 29, 1, 14, tzinfo=utc), (CHECK,)) == []
    assert periodic.due_jobs(datetime(2026, 3, 29, 1, 15, tzinfo=utc), (CHECK,)) == [CHECK]
    # In winter the same local time is 02:15 UTC.
    assert periodic.due_jobs(datetime(2026, 3, 28, 2, 14, tzinfo=utc), (CHECK,)) == []


@pytest.mark.django_db
def test_a_workday_job_skips_the_weekend():
    saturday, monday = at(7, 10), at(9, 10)
    assert periodic.due_jobs(saturday, (WEEKDAY_JOB,)) == []
    assert periodic.due_jobs(monday, (WEEKDAY_JOB,)) == [WEEKDAY_JOB]


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    results = periodic.run_due_jobs(at(3, 4, 0), (BROKEN, CHECK))
    assert results == {"broken": JobStatus.FAILED, "system_check": JobStatus.SUCCEEDED}
    assert JobRun.objects.get(name="broken").status == JobStatus.FAILED
    # Failed today: not retried until tomorrow (an operator reads the log first).
    assert periodic.run_due_jobs(at(3, 5, 0), (BROKEN,)) == {}


@pytest.mark.django_db
def test_a_run_that_died_is_claimed_again_only_after_it_went_stale():
    now = at(3, 3, 20)
    JobRun.objects.create(
        name="system_check", started_at=now - timedelta(days=1), status=JobStatus.RUNNING
    )
    assert periodic.run_due_jobs(now, (CHECK,)) == {"system_check": JobStatus.SUCCEEDED}
    JobRun.objects.filter(name="system_check").update(
        started_at=now - timedelta(hours=1), status=JobStatus.RUNNING
    )
    # Yesterday's start plus an hour: still running as far as anyone knows.
    assert periodic.run_due_jobs(at(4, 0, 30), (CHECK,)) == {}


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_run_a_job_once():
    now = at(3, 3, 20)
    run_time = CHECK.run_time_on(now)
    assert run_time is not None
    start = threading.Barrier(8)
    wins: list[bool] = []

    def scheduler() -> None:
        try:
            start.wait()
            wins.append(periodic._claim(CHECK, run_time, now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert JobRun.objects.get(name="system_check").status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_command_runs_what_is_due_and_lists_the_jobs(capsys):
    call_command("run_periodic_jobs", "--list")
    listing = capsys.readouterr().out
    for job in periodic.JOBS:
        assert job.name in listing
    with time_machine.travel(at(3, 8, 0), tick=False):  # a Tuesday morning: all are due
        call_command("run_periodic_jobs", "--once")
    out = capsys.readouterr().out
    assert {run.name: run.status for run in JobRun.objects.all()} == {
        job.name: JobStatus.SUCCEEDED for job in periodic.JOBS
    }
    assert "apply_retention" in out and "case_reminders" in out
