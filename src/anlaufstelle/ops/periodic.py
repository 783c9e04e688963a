"""Periodic jobs: which management commands run when, and running the ones that are due.

Two kinds: daily jobs (`PeriodicJob`, below) and jobs that run every few minutes
(`IntervalJob`: e-mail retries, tasks of dead workers), claimed the same way.

Each job runs at most once per local day (Europe/Berlin), at or after its time, on its
weekdays. "Due" is decided from the job's row in `JobRun`: a job is claimed by an UPDATE
that only succeeds while its last start lies before today's run time, so any number of
schedulers may run side by side (or overlap during a restart) without a job running
twice. A scheduler that was down catches up on its next tick the same day; a day missed
entirely is not repeated (each job works on "everything due now", so nothing is lost).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import JobRun, JobStatus

log = logging.getLogger(__name__)
BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = frozenset(range(7))
WORKDAYS = frozenset(range(5))
# A run that has not finished after this long is considered dead (killed host) and may
# be claimed again.
STALE_AFTER = timedelta(hours=6)
MAX_OUTPUT = 4000


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    command: str
    at: time
    weekdays: frozenset[int] = EVERY_DAY
    args: tuple[str, ...] = ()

    def run_time_on(self, day: datetime) -> datetime | None:
        """Today's run time of the job (aware), or None when it does not run that day."""
        local = day.astimezone(BERLIN)
        if local.weekday() not in self.weekdays:
            return None
        return datetime.combine(local.date(), self.at, tzinfo=BERLIN)


@dataclass(frozen=True)
class IntervalJob:
    """A job that runs every `every`, whatever the day; claimed like the daily ones."""

    name: str
    command: str
    every: timedelta
    args: tuple[str, ...] = ()
    # A run that has not finished after this long is considered dead (short: these
    # jobs keep e-mail and tasks moving, a killed scheduler must not stop them for hours).
    stale_after: timedelta = timedelta(minutes=15)

    def due_since(self, now: datetime) -> datetime:
        """Due when the last start lies before this (a little slack for the tick)."""
        return now - self.every + INTERVAL_SLACK


# The scheduler ticks once a minute; a job started a moment after last tick is due again.
INTERVAL_SLACK = timedelta(seconds=5)
Job = PeriodicJob | IntervalJob

JOBS: tuple[Job, ...] = (
    # E-mails whose mail server was down: the next attempt of the back-off (ops.outbox).
    IntervalJob("retry_mail", "retry_mail", timedelta(minutes=1)),
    # Tasks whose worker was killed mid-run go back into the queue (ops.stale_tasks).
    IntervalJob("requeue_stale_tasks", "requeue_stale_tasks", timedelta(minutes=5)),
    # Data protection: anonymise closed concerns past their network's retention period.
    PeriodicJob("apply_retention", "apply_retention", time(3, 15)),
    # The same for registrations of events (events.privacy).
    PeriodicJob("event_retention", "apply_event_retention", time(3, 20)),
    # Data protection: assistant conversations follow the concerns' retention (and erasure).
    PeriodicJob("assistant_retention", "apply_assistant_retention", time(3, 20)),
    # The task worker's finished results pile up otherwise.
    PeriodicJob(
        "prune_task_results",
        "prune_db_task_results",
        time(3, 45),
        args=("--queue-name", "*", "--min-age-days", "7"),
    ),
    # Data protection: sent e-mails are kept a week, failed ones a month (ops.outbox).
    PeriodicJob("prune_mail", "prune_mail", time(3, 30)),
    # Data protection: waiting-room entries of open consultation hours (chat.openhours).
    PeriodicJob("waiting_room_retention", "purge_waiting_rooms", time(3, 25)),
    # Expired login sessions.
    PeriodicJob("clear_sessions", "clearsessions", time(4, 15)),
    # Navigators read their reminders of untouched concerns when they start work; the
    # command skips the network's public holidays itself (working days per Bundesland).
    PeriodicJob("case_reminders", "send_case_reminders", time(7, 30), weekdays=WORKDAYS),
    # Registrants of tomorrow's events get their reminder (with the online link).
    PeriodicJob("event_reminders", "send_event_reminders", time(8, 0)),
    # Members of the exchange get their mentions and replies (daily or weekly, per member).
    PeriodicJob("community_digest", "send_community_digest", time(7, 0)),
)


def _claim(job: Job, run_time: datetime, now: datetime) -> bool:
    """Mark `job` as started if no run has started since `run_time`; True when we won."""
    stale_after = job.stale_after if isinstance(job, IntervalJob) else STALE_AFTER
    try:
        with transaction.atomic():
            JobRun.objects.get_or_create(name=job.name)
    except IntegrityError:  # another scheduler created the row at the same moment
        pass
    not_yet_today = Q(started_at__isnull=True) | Q(started_at__lt=run_time)
    stale = Q(status=JobStatus.RUNNING, started_at__lt=now - stale_after)
    finished_or_stale = ~Q(status=JobStatus.RUNNING) | stale
    claimed = JobRun.objects.filter(Q(name=job.name) & not_yet_today & finished_or_stale).update(
        started_at=now, finished_at=None, status=JobStatus.RUNNING, output=""
    )
    return claimed == 1


def _since(job: Job, now: datetime) -> datetime | None:
    """The moment after which `job` must have started to count as done; None: not due."""
    if isinstance(job, IntervalJob):
        return job.due_since(now)
    run_time = job.run_time_on(now)
    if run_time is None or now < run_time:
        return None
    return run_time


def due_jobs(now: datetime, jobs: tuple[Job, ...] = JOBS) -> list[Job]:
    """Jobs whose run time has passed and that have not started since."""
    last = {run.name: run for run in JobRun.objects.filter(name__in=[j.name for j in jobs])}
    due: list[Job] = []
    for job in jobs:
        run_time = _since(job, now)
        if run_time is None:
            continue
        run = last.get(job.name)
        if run is None or run.started_at is None or run.started_at < run_time:
            due.append(job)
    return due


def run_job(job: Job) -> JobStatus:
    out = io.StringIO()
    status = JobStatus.SUCCEEDED
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out)
    except Exception:  # one failing job must not stop the others; it is logged and recorded
        log.exception("periodic job failed", extra={"job": job.name})
        status = JobStatus.FAILED
        out.write("\n(failed, see the log)")
    JobRun.objects.filter(name=job.name).update(
        finished_at=timezone.now(), status=status, output=out.getvalue()[-MAX_OUTPUT:]
    )
    # Interval jobs run every minute: only their failures are worth a log line.
    level = (
        logging.DEBUG if isinstance(job, IntervalJob) and status == "succeeded" else logging.INFO
    )
    log.log(level, "periodic job finished", extra={"job": job.name, "status": str(status)})
    return status


def run_due_jobs(now: datetime | None = None, jobs: tuple[Job, ...] = JOBS) -> dict[str, JobStatus]:
    """Run every due job this scheduler can claim; returns {job name: status}."""
    now = now or timezone.now()
    results: dict[str, JobStatus] = {}
    for job in due_jobs(now, jobs):
        run_time = _since(job, now)
        if run_time is not None and _claim(job, run_time, now):
            results[job.name] = run_job(job)
    return results
