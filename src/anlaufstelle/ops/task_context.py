"""The request id follows a request into the tasks it enqueues.

On enqueue (in the app server) the current request id is stored with the task's row,
beside its arguments (`args_kwargs["request_id"]`; django-tasks-db reads only `args`
and `kwargs` from it). When a worker starts the task, the id is bound again, so the
worker's log lines for that task carry the same `request_id` as the request's.

Only the database backend keeps rows; with the immediate backend the task runs inside
the request and its lines carry the id anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks.signals import task_enqueued, task_finished, task_started

from anlaufstelle.lib.logging import current_request_id, reset_request_id, set_request_id

log = logging.getLogger("anlaufstelle.tasks")
# The context token of the running task, per worker thread (one task at a time).
_tokens: dict[str, Any] = {}


def _db_row(task_result: Any) -> Any:
    return getattr(task_result, "db_result", None)


def remember_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id = current_request_id()
    row = _db_row(task_result)
    if not request_id or row is None:
        return
    args_kwargs = dict(row.args_kwargs, request_id=request_id)
    type(row).objects.filter(pk=row.pk).update(args_kwargs=args_kwargs)
    row.args_kwargs = args_kwargs


def bind_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    row = _db_row(task_result)
    request_id = row.args_kwargs.get("request_id") if row is not None else None
    if row is None or not isinstance(request_id, str):
        return
    _tokens[str(task_result.id)] = set_request_id(request_id)
    log.info("task started", extra={"task": task_result.task.module_path})


def release_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    token = _tokens.pop(str(task_result.id), None)
    if token is None:
        return
    log.info(
        "task finished",
        extra={"task": task_result.task.module_path, "task_status": str(task_result.status)},
    )
    reset_request_id(token)


def connect() -> None:
    task_enqueued.connect(remember_request_id, dispatch_uid="ops.remember_request_id")
    task_started.connect(bind_request_id, dispatch_uid="ops.bind_request_id")
    task_finished.connect(release_request_id, dispatch_uid="ops.release_request_id")
