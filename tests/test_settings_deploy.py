"""Production settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from fresh_settings import setting_for_env

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def test_production_settings_pass_check_deploy_without_warnings(tmp_path: Path) -> None:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    # A clean environment: the test process may carry test-only switches
    # (DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, DEBUG, DATABASE_URL).
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        ANLAUFSTELLE_ENV="production",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="example.org",
        ANLAUFSTELLE_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="anlaufstelle.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues (0 silenced)" in output


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(ANLAUFSTELLE_ENV="production", ANLAUFSTELLE_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _settings_value(name: str, tmp_path: Path, **extra: str) -> str:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(ANLAUFSTELLE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="anlaufstelle.settings")
    env.update(extra)
    result = subprocess.run(
        [sys.executable, "-c", f"from anlaufstelle import settings; print(settings.{name})"],
        cwd=PROJECT_DIR / "src",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_is_off_unless_asked_for_also_in_development(tmp_path: Path) -> None:
    # The technical 404 page is English and lists every URL pattern (issue 9.15).
    assert _settings_value("DEBUG", tmp_path) == "False"
    assert _settings_value("DEBUG", tmp_path, DEBUG="true") == "True"


def test_the_snapshot_budget_comes_from_the_environment(tmp_path: Path) -> None:
    # docs/scaling.md tells operators to set it; a setting only in code would be ignored.
    env = {"ANLAUFSTELLE_VAR_DIR": str(tmp_path), "SEARCH_SNAPSHOT_BUDGET_MB": "64"}
    assert setting_for_env("SEARCH_SNAPSHOT_BUDGET_MB", env, clean=True) == 64


def test_static_files_are_looked_up_on_request_only_without_collected_files(
    tmp_path: Path,
) -> None:
    """Tests and development look a static file up when it is asked for (cheap test
    clients); production and the demo serve the collected, hashed files from the list
    WhiteNoise builds at start."""
    production = {"ANLAUFSTELLE_ENV": "production", "SECRET_KEY": "x" * 50}
    production["ALLOWED_HOSTS"] = "example.org"
    assert _settings_value("WHITENOISE_AUTOREFRESH", tmp_path, **production) == "False"
    assert _settings_value("WHITENOISE_USE_FINDERS", tmp_path, **production) == "False"
    demo = {"ANLAUFSTELLE_COLLECTED_STATIC": "true"}
    assert _settings_value("WHITENOISE_AUTOREFRESH", tmp_path, **demo) == "False"
    assert _settings_value("WHITENOISE_AUTOREFRESH", tmp_path) == "True"
