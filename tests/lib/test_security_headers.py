"""Content-Security-Policy and Permissions-Policy, checked in production mode."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")

# Runs in a fresh interpreter with ANLAUFSTELLE_ENV=production: settings are read once.
PROBE = """
import json, django
django.setup()
from django.core.management import call_command
from django.conf import settings
from django.test import Client
call_command("migrate", verbosity=0)
# The manifest storage needs collectstatic; the headers do not depend on it.
storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import override_settings
override_settings(STORAGES=storages).enable()
client = Client(HTTP_HOST="example.org", raise_request_exception=False)
answers = {}
for path in ["/", "/healthz", "/accounts/login/", "/admin/login/", "/api/v1/docs",
             "/api/v1/openapi.json", "/gibt-es-nicht/"]:
    response = client.get(path, secure=True)
    answers[path] = {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps(answers))
"""


def production_answers(tmp_path: Path) -> dict:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        ANLAUFSTELLE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        ANLAUFSTELLE_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="anlaufstelle.settings",
        SEARCH_EMBEDDER="none",
        PYTHONPATH=str(PROJECT_DIR / "src"),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_answer_in_production_carries_csp_and_permissions_policy(tmp_path):
    answers = production_answers(tmp_path)

    for path, answer in answers.items():
        headers = answer["headers"]
        csp = {
            directive.split()[0]: directive.split()[1:]
            for directive in headers["Content-Security-Policy"].split("; ")
        }
        assert csp["default-src"] == ["'self'"], path
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["img-src"] == ["'self'", "data:"], path
        assert csp["object-src"] == ["'none'"], path
        assert csp["base-uri"] == ["'self'"], path
        assert csp["form-action"] == ["'self'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in headers["Content-Security-Policy"], path
        policy = headers["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, path
    # The pages themselves answered (not only redirects or errors).
    assert answers["/admin/login/"]["status"] in (200, 302)
    assert answers["/api/v1/docs"]["status"] == 200
    assert answers["/gibt-es-nicht/"]["status"] == 404


def test_the_headers_are_on_development_answers_too(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
