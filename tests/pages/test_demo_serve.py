"""`make serve` (what `make demo` runs after set-up), started as a person would.

The demo answers with the site's German 404 page (DEBUG off), serves its static files
and /favicon.ico, prints the logins once and readable log lines, and Ctrl-C ends it
with exit status 0.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from tests.conftest import free_port

# The demo runs on its own SQLite file whatever the suite's database: the SQLite suite
# covers it, `make test-postgres` leaves it out (pyproject.toml's markers).
pytestmark = pytest.mark.sqlite_demo

PROJECT_DIR = Path(__file__).resolve().parents[2]
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def fetch_headers(url: str, accept_encoding: str) -> Message:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (localhost)
            return response.headers
    except urllib.error.HTTPError as error:
        return error.headers


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo stopped on its own"
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (localhost)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def like_a_terminal() -> None:
    # A shell started from a test may inherit "ignore SIGINT"; a terminal's Ctrl-C does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_demo_serves_german_error_pages_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(ANLAUFSTELLE_VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"))
    python = str(PROJECT_DIR / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput"], ["load_demo", "--verbosity", "0"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=PROJECT_DIR,
            env=env | {"SEARCH_AUTO_INDEX": "false"},
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env.pop("DEBUG", None)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=PROJECT_DIR,
        env=env | {"DEMO_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=like_a_terminal,  # noqa: PLW1509 (only resets a signal before exec)
    )
    try:
        wait_for(f"{base}/healthz", process)
        status, _, body = fetch(f"{base}/gibt-es-nicht/")
        page = body.decode()
        assert status == 404
        assert "Diese Seite gibt es nicht" in page
        assert "URLconf" not in page and "Using the URLconf" not in page
        assert fetch(f"{base}/favicon.ico")[:2] == (200, "image/x-icon")
        status, content_type, _ = fetch(f"{base}/static/css/site.css")
        assert (status, content_type.split(";")[0]) == (200, "text/css")
        # The same optimised output as production: hashed, immutable, precompressed static
        # files, and gzipped pages (docs/performance.md).
        hashed = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
        assert hashed, "the demo links the hashed stylesheet"
        headers = fetch_headers(base + hashed.group(1), "br, gzip")
        assert headers["Content-Encoding"] == "br"
        assert "immutable" in headers["Cache-Control"]
        assert fetch_headers(f"{base}/gibt-es-nicht/", "gzip")["Content-Encoding"] == "gzip"
        time.sleep(1)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        output, _ = process.communicate(timeout=60)
    text = output.decode()
    # make itself also gets the Ctrl-C and ends by it after the demo stopped cleanly;
    # what matters is that nothing reports an error ("make: *** ... Error 130/143").
    assert process.returncode in (0, -signal.SIGINT), text
    assert "***" not in text and "Error" not in text and "Traceback" not in text, text
    assert text.count("Passwort für alle Demo-Zugänge") == 1
    assert "GET /gibt-es-nicht/  404" in text
    assert '{"ts"' not in text
