"""The real thing: a `db_worker` process is killed (SIGKILL) in the middle of sending an
e-mail; its task is put back in the queue, a new worker runs it and the mail arrives.

About 10 seconds, most of it two worker starts."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.conftest import SmtpInbox, free_port

from anlaufstelle.ops import outbox, stale_tasks
from anlaufstelle.ops.models import MailDelivery, MailStatus

from .test_mail_outbox import COMPANY, submit

PROJECT_DIR = Path(__file__).resolve().parents[2]
WAIT = 60.0


class HangingInbox(SmtpInbox):
    """Answers DATA only once `release` is set: the worker hangs mid-send meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.receiving.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(port: int, log: IO[str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "SEARCH_EMBEDDER": "none",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what: str, log_path: Path) -> None:
    start = time.monotonic()
    while time.monotonic() - start < WAIT:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{log_path.read_text()}")


@pytest.mark.django_db(transaction=True)
def test_a_mail_task_whose_worker_was_killed_mid_send_runs_again_and_the_mail_arrives(
    personas, settings, tmp_path
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("needs a file test database (see settings.DATABASES TEST NAME)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SEARCH_AUTO_INDEX = False
    inbox = HangingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    log_path = tmp_path / "worker.log"
    log = log_path.open("a")
    workers: list[subprocess.Popen] = []
    try:
        concern = submit(personas.feldberg.network)  # enqueues the receipt and staff mail

        workers.append(start_worker(port, log))
        wait_for(inbox.receiving.is_set, "the worker to send", log_path)
        workers[0].send_signal(signal.SIGKILL)  # no clean-up: the host died
        workers[0].wait(timeout=10)
        # Left behind by the dead worker (the receipt or the navigators' mail, whichever
        # the worker took first).
        [killed] = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        inbox.release.set()

        # Later: the scheduler's check finds it (the timeout is shortened for the test).
        settings.TASKS_STALE_AFTER = timedelta(seconds=0)
        assert stale_tasks.requeue_stale_tasks()["requeued"] >= 1
        killed.refresh_from_db()
        assert killed.status == TaskResultStatus.READY

        workers.append(start_worker(port, log))

        def all_done() -> bool:
            return not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()

        wait_for(all_done, "the second worker to run every task", log_path)
        killed.refresh_from_db()
        assert len(killed.worker_ids) == 2  # the dead worker's claim and the new one's
        wait_for(lambda: inbox.to(COMPANY), "the receipt to arrive", log_path)
        assert concern.code in inbox.to(COMPANY)[0].get_body(("plain",)).get_content()
        assert inbox.to("navigator@feldberg.example")

        # The row the dead worker left "sending" is released by the outbox sweep later:
        # at least once (a duplicate is possible, a loss is not).
        with scopes_disabled():
            rows = MailDelivery.objects.filter(recipients=[COMPANY])
            assert MailStatus.SENT in {row.status for row in rows}
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        inbox.release.set()
        controller.stop()
        log.close()
    later = timezone.now() + outbox.SENDING_STALE_AFTER + timedelta(minutes=1)
    outbox.retry_due(later)
    with scopes_disabled():
        assert not MailDelivery.objects.filter(status=MailStatus.SENDING).exists()
