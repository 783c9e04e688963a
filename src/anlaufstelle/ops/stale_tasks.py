"""Tasks whose worker died mid-run: put them back in the queue.

django-tasks-db marks a task RUNNING when a worker claims it and only changes that when
the task ends. A worker killed hard (SIGKILL, OOM, host restart) leaves the row RUNNING
for ever and the task never runs. A RUNNING row older than `stale_after()` is put back
to READY; each claim adds the worker's id, so a task that has already been claimed
MAX_CLAIMS times (it probably kills its worker) is marked failed instead of looping.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

# Our tasks take seconds (an e-mail, a search document); an hour is far beyond any of them.
DEFAULT_STALE_AFTER = timedelta(hours=1)
MAX_CLAIMS = 3


def stale_after() -> timedelta:
    return getattr(settings, "TASKS_STALE_AFTER", DEFAULT_STALE_AFTER)


def requeue_stale_tasks(now: datetime | None = None) -> dict[str, int]:
    """Reset RUNNING rows older than the timeout to READY (or FAILED after MAX_CLAIMS)."""
    now = now or timezone.now()
    requeued = failed = 0
    stale = DBTaskResult.objects.running().filter(started_at__lt=now - stale_after())
    for row in stale.only("pk", "started_at", "worker_ids", "task_path"):
        # Conditional on the row still being the run we saw: a worker finishing at this
        # very moment wins.
        same_run = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= MAX_CLAIMS:
            changed = same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="anlaufstelle.ops.stale_tasks.WorkerLost",
                traceback=f"The worker died {len(row.worker_ids)} times while running it.",
            )
            failed += changed
            if changed:
                log.error("task given up after lost workers", extra={"task": row.task_path})
        else:
            changed = same_run.update(status=TaskResultStatus.READY, started_at=None)
            requeued += changed
            if changed:
                log.warning("stale task put back in the queue", extra={"task": row.task_path})
    return {"requeued": requeued, "failed": failed}
