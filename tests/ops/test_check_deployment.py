"""`manage.py check_deployment` (`make prod-check`): clear findings before a start."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

GOOD_KEY = "k7Qe0v-3pX_9wLr2s8Zt1uYb4nM6cJd5fHg0aSi7oPq2rTe8yUw3"


@pytest.fixture
def fit(settings, smtp, monkeypatch):
    """A configuration that passes: production, a real key, Redis and SMTP answering."""
    # The browser tests' conftest sets this for Playwright's event loop when the whole
    # tree is collected; a real deployment never has it (check --deploy: async.E001).
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.PRODUCTION = True
    settings.SECRET_KEY = GOOD_KEY
    settings.ALLOWED_HOSTS = ["anlaufstelle.example"]
    settings.ANLAUFSTELLE_SITE_URL = "https://anlaufstelle.example"
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    return settings


@pytest.mark.django_db
def test_a_fit_configuration_passes(fit, capsys) -> None:
    call_command("check_deployment")

    out = capsys.readouterr().out
    assert "ok    SECRET_KEY: set (52 characters)" in out
    assert "database: " in out  # ok on PostgreSQL, a warning on SQLite
    assert "FAIL" not in out
    assert "ok    Redis: answers at 127.0.0.1:6379/7" in out
    assert f"ok    mail: SMTP server 127.0.0.1:{fit.EMAIL_PORT} answers" in out
    assert "the configuration is fit to start" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "topic", "message"),
    [
        ({"PRODUCTION": False}, "environment", "ANLAUFSTELLE_ENV is not 'production'"),
        (
            {"SECRET_KEY": "insecure-development-key-only-for-local-demo-and-tests-0123456789"},
            "SECRET_KEY",
            "the development key or a placeholder",
        ),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY", "placeholder"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY", "too short"),
        ({"REDIS_URL": ""}, "Redis", "REDIS_URL is not set"),
        ({"ALLOWED_HOSTS": ["*"]}, "ALLOWED_HOSTS", "name the host names"),
    ],
)
def test_each_unfit_setting_fails_with_its_reason(fit, capsys, change, topic, message) -> None:
    for key, value in change.items():
        setattr(fit, key, value)

    with pytest.raises(CommandError, match=topic):
        call_command("check_deployment")

    assert message in capsys.readouterr().out


@pytest.mark.django_db
def test_unreachable_redis_and_mail_server_fail(fit, closed_port, capsys) -> None:
    fit.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    fit.EMAIL_PORT = closed_port

    with pytest.raises(CommandError, match="Redis, mail"):
        call_command("check_deployment")

    out = capsys.readouterr().out
    assert f"FAIL  Redis: cannot reach Redis at 127.0.0.1:{closed_port}/0" in out
    assert f"FAIL  mail: cannot talk to the SMTP server 127.0.0.1:{closed_port}" in out
