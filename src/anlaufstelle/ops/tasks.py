"""Background tasks of the operations app (django-tasks); they take primary keys."""

from __future__ import annotations

from django_tasks import task

from . import outbox


@task()
def deliver_mail(delivery_id: int) -> str:
    """The next attempt of a waiting e-mail (deferred by the back-off)."""
    status = outbox.attempt(delivery_id)
    return str(status or "skipped")
