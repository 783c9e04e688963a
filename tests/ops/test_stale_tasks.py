"""A task whose worker was killed mid-run (row left RUNNING) runs again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from anlaufstelle.ops import periodic, stale_tasks
from anlaufstelle.ops.models import MailDelivery, MailStatus
from anlaufstelle.ops.tasks import deliver_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def claimed_task(delivery_id: int, *, started: timedelta, workers: int = 1) -> DBTaskResult:
    """A queued deliver_mail task as a worker leaves it when it is killed mid-run."""
    result = deliver_mail.enqueue(delivery_id)
    row = DBTaskResult.objects.get(pk=result.id)
    for n in range(workers):
        row.claim(f"worker-{n}")  # what db_worker does before it runs the task
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started)
    return row


def waiting_mail() -> MailDelivery:
    with scopes_disabled():
        return MailDelivery.objects.create(
            recipients=["anja@hotel-am-see.example"],
            subject="Ihre Anfrage",
            body="Text",
            status=MailStatus.QUEUED,
            attempts=1,
            next_attempt_at=timezone.now(),
        )


def test_a_task_running_longer_than_the_timeout_is_queued_again_and_then_runs(
    db_queue, smtp_server
):
    smtp_server.start()
    mail = waiting_mail()
    dead = claimed_task(mail.pk, started=timedelta(hours=2))
    alive = claimed_task(mail.pk, started=timedelta(minutes=5))

    assert stale_tasks.requeue_stale_tasks() == {"requeued": 1, "failed": 0}
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == TaskResultStatus.READY
    assert alive.status == TaskResultStatus.RUNNING  # may still be at work

    # The worker picks it up again (its own claim and run) and the mail goes out.
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-new",
        excluded_queue_names=[],
    )
    task = DBTaskResult.objects.ready().get_locked()
    assert task is not None and task.pk == dead.pk
    task.claim(worker.worker_id)
    worker.run_task(task)
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.SUCCESSFUL
    assert len(dead.worker_ids) == 2
    mail.refresh_from_db()
    assert mail.status == MailStatus.SENT
    assert len(smtp_server.inbox.messages) == 1


def test_a_task_that_killed_its_worker_three_times_is_marked_failed(db_queue):
    mail = waiting_mail()
    doomed = claimed_task(mail.pk, started=timedelta(hours=2), workers=stale_tasks.MAX_CLAIMS)
    assert stale_tasks.requeue_stale_tasks() == {"requeued": 0, "failed": 1}
    doomed.refresh_from_db()
    assert doomed.status == TaskResultStatus.FAILED
    assert "WorkerLost" in doomed.exception_class_path


def test_the_scheduler_checks_for_stale_tasks_and_due_mail_every_few_minutes(db_queue):
    jobs = {job.name: job for job in periodic.JOBS}
    assert jobs["requeue_stale_tasks"].every <= timedelta(minutes=5)
    assert jobs["retry_mail"].every <= timedelta(minutes=1)
    mail = waiting_mail()
    dead = claimed_task(mail.pk, started=timedelta(hours=2))
    now = timezone.now()
    results = periodic.run_due_jobs(now, (jobs["requeue_stale_tasks"],))
    assert results == {"requeue_stale_tasks": "succeeded"}
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.READY
    # Claimed: not again within its interval, again after it.
    assert periodic.run_due_jobs(now + timedelta(minutes=1), (jobs["requeue_stale_tasks"],)) == {}
    later = now + timedelta(minutes=5)
    assert periodic.run_due_jobs(later, (jobs["requeue_stale_tasks"],)) == {
        "requeue_stale_tasks": "succeeded"
    }
