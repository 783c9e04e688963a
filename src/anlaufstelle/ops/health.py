"""Readiness of the whole deployment (`/readyz`): each check with its figures.

`/healthz` says "this app server answers and reaches its database" (for the load
balancer). `/readyz` says whether the installation does its work: the database and
Redis answer, the task workers keep up, e-mail goes out, the scheduler runs and the
daily jobs succeed. One failing check makes it 503: point monitoring at it, not the
load balancer (a mail server outage would take every app server out of rotation).

No secrets: a failing connection is named by its exception class, never its message
(which may quote a URL with a password).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import JobRun, JobStatus, MailDelivery, MailStatus
from .periodic import JOBS, IntervalJob, PeriodicJob

OK, ERROR, SKIPPED = "ok", "error", "skipped"


@dataclass
class Check:
    status: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, **self.detail}


def _limit(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"
        return Check(ERROR, {"error": type(exc).__name__})
    return Check(OK)


def check_redis() -> Check:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return Check(SKIPPED, {"reason": "not configured"})
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # refused, timeout, authentication: not ready
        return Check(ERROR, {"error": type(exc).__name__})
    return Check(OK)


def oldest_ready_task_age(now: datetime) -> tuple[int, float | None]:
    """(tasks ready to run, age in seconds of the one waiting longest) of the database
    queue. A task's wait starts when it was enqueued or, if deferred, at its run time."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready()
    never_deferred = ready.filter(run_after=get_date_max()).aggregate(n=Min("enqueued_at"))
    deferred = ready.exclude(run_after=get_date_max()).aggregate(n=Min("run_after"))
    starts = [s for s in (never_deferred["n"], deferred["n"]) if s is not None]
    age = (now - min(starts)).total_seconds() if starts else None
    return ready.count(), age


def check_tasks(now: datetime) -> Check:
    backend = settings.TASKS["default"]["BACKEND"]
    if "django_tasks_db" not in backend:
        return Check(SKIPPED, {"reason": "not the database queue"})
    ready, age = oldest_ready_task_age(now)
    limit = _limit("READYZ_MAX_TASK_AGE", 300)
    detail = {"ready": ready, "oldest_age_seconds": round(age, 1) if age is not None else None}
    detail["limit_seconds"] = limit
    return Check(ERROR if age is not None and age > limit else OK, detail)


def failed_mail_last_hour(now: datetime) -> int:
    """Attempts that failed in the last hour: mails waiting for a retry or given up."""
    with scopes_disabled():
        return (
            MailDelivery.objects.filter(
                status__in=[MailStatus.QUEUED, MailStatus.FAILED],
                claimed_at__gte=now - timedelta(hours=1),
            )
            .exclude(last_error="")
            .count()
        )


def check_mail(now: datetime) -> Check:
    failed = failed_mail_last_hour(now)
    limit = _limit("READYZ_MAX_FAILED_MAILS", 0)
    return Check(ERROR if failed > limit else OK, {"failed_last_hour": failed, "limit": limit})


def check_scheduler(now: datetime) -> Check:
    """The scheduler runs the e-mail retries every minute: its last start shows it lives."""
    names = [job.name for job in JOBS if isinstance(job, IntervalJob)]
    last = JobRun.objects.filter(name__in=names).aggregate(last=Max("started_at"))["last"]
    limit = _limit("READYZ_MAX_SCHEDULER_SILENCE", 600)
    if last is None:
        return Check(ERROR, {"last_tick": None, "limit_seconds": limit})
    silence = (now - last).total_seconds()
    detail = {"last_tick": last.isoformat(), "seconds_ago": round(silence, 1)}
    detail["limit_seconds"] = limit
    return Check(ERROR if silence > limit else OK, detail)


def check_daily_jobs(now: datetime) -> Check:
    """The last run of the daily jobs: none may have failed, the latest start is recent.

    A new installation whose jobs have not yet had their first night is fine."""
    names = [job.name for job in JOBS if isinstance(job, PeriodicJob)]
    runs = JobRun.objects.filter(name__in=names)
    last = runs.aggregate(last=Max("started_at"))["last"]
    failed = sorted(runs.filter(status=JobStatus.FAILED).values_list("name", flat=True))
    limit = _limit("READYZ_MAX_DAILY_JOB_AGE", 26 * 3600)
    detail: dict[str, Any] = {"last_run": last.isoformat() if last else None, "failed": failed}
    detail["limit_seconds"] = limit
    too_old = last is not None and (now - last).total_seconds() > limit
    return Check(ERROR if failed or too_old else OK, detail)


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON body of /readyz)."""
    now = timezone.now()
    checks: dict[str, Check] = {"database": check_database(), "redis": check_redis()}
    database_checks = {
        "tasks": check_tasks,
        "mail": check_mail,
        "scheduler": check_scheduler,
        "daily_jobs": check_daily_jobs,
    }
    for name, run in database_checks.items():
        if checks["database"].status != OK:
            checks[name] = Check(SKIPPED, {"reason": "database unavailable"})
            continue
        try:
            checks[name] = run(now)
        except Exception as exc:  # a check that cannot run is a failing check
            checks[name] = Check(ERROR, {"error": type(exc).__name__})
    ready = all(c.status != ERROR for c in checks.values())
    body = {
        "status": "ok" if ready else "error",
        "checks": {name: c.as_json() for name, c in checks.items()},
    }
    return ready, body
