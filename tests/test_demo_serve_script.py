"""scripts/demo-serve.sh (`make serve`, the last step of `make demo`) on databases other
than the fresh demo: one behind the code stops it with a message (instead of pages that
answer 500, "no such table", as after a `git pull` followed by `make serve`); one without
the demo content is served, with a note instead of the demo logins' traceback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# The demo runs on its own SQLite file whatever the suite's database: the SQLite suite
# covers it, `make test-postgres` leaves it out (pyproject.toml's markers).
pytestmark = pytest.mark.sqlite_demo

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database with every migration and no content."""
    database = tmp_path_factory.mktemp("db") / "migrated.sqlite3"
    subprocess.run(
        [".venv/bin/python", "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"},
        check=True,
        timeout=300,
    )
    return database


@pytest.fixture
def serve(migrated: Path, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    database = tmp_path / "demo.sqlite3"
    shutil.copy(migrated, database)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "ANLAUFSTELLE_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DEMO_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    yield database, env


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            ["scripts/demo-serve.sh"],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serving_a_database_behind_the_code_stops_with_a_message(serve, tmp_path: Path) -> None:
    database, env = serve
    # The database of an earlier checkout: every migration but the newest one.
    with sqlite3.connect(database) as db:
        newest = "SELECT max(id) FROM django_migrations"
        db.execute(f"DELETE FROM django_migrations WHERE id = ({newest})")  # noqa: S608
    process = start(env, tmp_path / "out.txt")
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        raise AssertionError("demo-serve.sh served a database without its migrations") from None
    finally:
        stop(process)
    output = (tmp_path / "out.txt").read_text()
    assert process.returncode == 1, output
    assert "make db" in output and "migrations" in output


def test_a_database_without_the_demo_content_is_served_with_a_note(serve, tmp_path: Path) -> None:
    _database, env = serve
    process = start(env, tmp_path / "out.txt")
    url = f"http://127.0.0.1:{env['DEMO_PORT']}/healthz"
    try:
        status = None
        deadline = time.monotonic() + 240  # collectstatic into an empty directory first
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
    finally:
        stop(process)
    output = (tmp_path / "out.txt").read_text()
    assert status == 200, output
    assert "No demo logins in this database" in output and "Traceback" not in output
