"""A changed offer text is findable on the site within 5 seconds while the worker runs.

The real thing: `manage.py db_worker` runs as a separate process against the test
database file (settings give SQLite tests a file, see DATABASES["default"]["TEST"]), the
change goes through the ORM and its signal, and the search page is polled until the new
word finds the offer. About 10–15 seconds, most of it the worker's start and model load.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.indexing import rebuild_index

PROJECT_DIR = Path(__file__).resolve().parents[2]
TARGET_SECONDS = 5.0
WORKER_START_TIMEOUT = 60.0


def database_url() -> str:
    """The test database as a DATABASE_URL for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def refs_for(client, query: str) -> list[str]:
    response = client.get("/n/feldberg/suche/", {"q": query})
    assert response.status_code == 200
    return [d.ref for d in response.context["page"].documents]


def wait_until_found(client, query: str, ref: str, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if ref in refs_for(client, query):
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def wait_until_idle(timeout: float) -> bool:
    from django_tasks_db.models import DBTaskResult

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return True
        time.sleep(0.1)
    return False


def change_summary(offer, text: str) -> None:
    with scopes_disabled():
        offer.summary = text
        offer.save()  # post_save enqueues the index update after the commit


@pytest.mark.django_db(transaction=True)
def test_a_changed_offer_text_is_findable_within_five_seconds_while_the_worker_runs(
    client, settings, tmp_path
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("needs a file test database (see settings.DATABASES TEST NAME)")
    settings.SEARCH_AUTO_INDEX = True
    from anlaufstelle.directory.models import Offer, Provider
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        Network.objects.create(slug="bund", name="Bundesweit", is_nationwide=True, region="bund")
        feldberg = Network.objects.create(
            slug="feldberg", name="Werkraum Feldberg", region="mv-seenplatte"
        )
        provider = Provider.objects.create(
            network=feldberg, slug="werkraum", name="Werkraum Feldberg", kind="netzwerk"
        )
        warm_up, offer = (
            Offer.objects.create(
                network=feldberg,
                provider=provider,
                slug=slug,
                title=title,
                summary="Beratung für Betriebe am See.",
                kind="beratung",
            )
            for slug, title in [
                ("sprechstunde", "Sprechstunde im Werkraum"),
                ("saisonkraefte", "Saisonkräfte finden"),
            ]
        )
    rebuild_index(embed=False)
    snapshots.invalidate()
    assert "offer:saisonkraefte" not in refs_for(client, "Hummerzucht")

    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload"],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # A worker that is already running: its first task loads the embedding model.
        started = time.monotonic()
        change_summary(warm_up, "Sprechstunde zur Fischwirtschaft am Haussee.")
        cold = wait_until_found(
            client, "Fischwirtschaft", "offer:sprechstunde", WORKER_START_TIMEOUT
        )
        assert cold is not None, "the worker never indexed the first change:\n" + (
            (tmp_path / "worker.log").read_text()
        )
        assert worker.poll() is None
        # Measure from an idle worker: no queued update may pick up the change early.
        assert wait_until_idle(WORKER_START_TIMEOUT), "the worker never emptied its queue"

        change_summary(offer, "Köche und Servicekräfte für die Hummerzucht am See finden.")
        ref = "offer:saisonkraefte"
        seconds = wait_until_found(client, "Hummerzucht", ref, 30.0)
        print(
            f"\nfirst change after worker start: {cold:.2f} s (worker started "
            f"{time.monotonic() - started:.1f} s ago); change while running: "
            f"{seconds if seconds is None else round(seconds, 2)} s"
        )
        assert seconds is not None, "the change never became findable"
        assert seconds <= TARGET_SECONDS
        # It was the worker process that brought the index up to date, not this one. (The
        # index row commits before the task is marked done, so it may still be running.)
        from django_tasks_db.models import DBTaskResult

        claimed = [
            task.status
            for task in DBTaskResult.objects.exclude(status="READY")
            if task.args_kwargs["args"][3:4] == [ref] and task.worker_ids
        ]
        assert claimed, "no worker ran an index update of the changed offer"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
