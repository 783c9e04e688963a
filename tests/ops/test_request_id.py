"""JSON logs with a request id that follows the request into the tasks it enqueued."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.cases.conftest import form_data

from anlaufstelle.lib.log_redaction import RedactTokensFilter
from anlaufstelle.lib.logging import JsonFormatter, bound_request_id, valid_request_id

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class JsonLog:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    """The production handler set-up (JSON formatter, token filter) on the root logger."""
    log = JsonLog()
    handler = logging.StreamHandler(log.stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactTokensFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    loggers = [logging.getLogger(name) for name in ("anlaufstelle", "django_tasks")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    yield log
    root.removeHandler(handler)
    root.setLevel(level)
    for logger, old in zip(loggers, levels, strict=True):
        logger.setLevel(old)


def test_every_response_carries_a_fresh_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_callers_request_id_is_kept_and_logged(client, db, json_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a9c0d1e2b")

    assert response["X-Request-ID"] == "nginx-7f3a9c0d1e2b"
    [line] = [entry for entry in json_log.lines() if entry["msg"] == "request"]
    assert line["request_id"] == "nginx-7f3a9c0d1e2b"
    assert line["route"] == "healthz"
    assert line["status"] == 200


@pytest.mark.parametrize(
    "value",
    [
        "short",  # too short to be unique
        "x" * 65,
        "has space inside",
        "semi;colon-0000",
        "ünïcödé-00000000",
        "<script>alert(1)</script>",
        # Token-shaped: the log would show "[redacted]", so it is replaced instead.
        "AbCdEfGh1234567890XyZ",
    ],
)
def test_an_unfit_request_id_is_replaced(client, db, value):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=value)

    assert response.status_code == 200
    assert response["X-Request-ID"] != value
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert valid_request_id(value) is None


def test_status_links_stay_redacted_in_lines_with_a_request_id(client, db, json_log):
    client.get(
        "/n/feldberg/anliegen/status/ABCD2345/Tok3nSecretValue123456789/",
        HTTP_X_REQUEST_ID="req-0001-abcdef",
    )

    text = json_log.stream.getvalue()
    assert "Tok3nSecretValue123456789" not in text
    assert "[redacted]" in text
    assert all(line.get("request_id") == "req-0001-abcdef" for line in json_log.lines())


def test_lines_outside_a_request_have_no_request_id(json_log):
    logging.getLogger("anlaufstelle.test").info("nightly job")

    [line] = json_log.lines()
    assert "request_id" not in line


@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_the_request_into_the_worker(
    client, personas, smtp, settings, json_log
):
    """A concern submitted through the site enqueues its e-mails; the worker that sends
    them logs with the request's id."""
    settings.TASKS = DB_TASKS
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    DBTaskResult.objects.all().delete()  # the personas' index updates, not ours

    response = client.post(
        "/n/feldberg/anliegen/", form_data(), HTTP_X_REQUEST_ID="req-concern-4711"
    )

    assert response.status_code == 302
    tasks = list(DBTaskResult.objects.all())
    assert tasks, "the concern enqueued no task"
    assert {t.args_kwargs.get("request_id") for t in tasks} == {"req-concern-4711"}

    json_log.stream.truncate(0)
    json_log.stream.seek(0)
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")

    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    lines = json_log.lines()
    started = [line for line in lines if line["msg"] == "task started"]
    assert len(started) == len(tasks)
    assert {line["request_id"] for line in started} == {"req-concern-4711"}
    # The task's own lines (the outbox's "mail sent") carry it too.
    sent = [line for line in lines if line["msg"] == "mail sent"]
    assert sent
    assert {line["request_id"] for line in sent} == {"req-concern-4711"}
    assert smtp.to("anja@hotel-am-see.example")
    # After the task, the worker's own lines are the worker's again.
    logging.getLogger("anlaufstelle.test").info("idle")
    assert "request_id" not in json_log.lines()[-1]


def test_a_task_enqueued_outside_a_request_carries_no_id(db, settings):
    from anlaufstelle.ops.tasks import deliver_mail

    settings.TASKS = DB_TASKS
    deliver_mail.enqueue(1)
    with bound_request_id("req-inside-0001"):
        deliver_mail.enqueue(2)

    ids = {
        tuple(t.args_kwargs["args"]): t.args_kwargs.get("request_id")
        for t in DBTaskResult.objects.all()
    }
    assert ids == {(1,): None, (2,): "req-inside-0001"}
