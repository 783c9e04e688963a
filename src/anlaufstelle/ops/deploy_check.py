"""Checks of a deployment's configuration before it starts (`manage.py check_deployment`).

Each check returns one `Finding`: ok, a warning (works, but look at it) or a failure (the
deployment would not work). The messages say what is wrong and what to do, in the terms of
docs/configuration.md, and never print a secret.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OK, WARN, FAIL = "ok", "warn", "FAIL"
DEVELOPMENT_KEY_PREFIX = "insecure-development-key"
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret"}


@dataclass(frozen=True)
class Finding:
    level: str
    topic: str
    message: str


def check_environment() -> Finding:
    if not settings.PRODUCTION:
        return Finding(
            FAIL,
            "environment",
            "ANLAUFSTELLE_ENV is not 'production': no HTTPS redirect, no secure cookies, "
            "no second factor for staff. Set ANLAUFSTELLE_ENV=production.",
        )
    return Finding(OK, "environment", "production")


def check_secret_key() -> Finding:
    key = settings.SECRET_KEY
    if key.startswith(DEVELOPMENT_KEY_PREFIX) or key.strip().lower() in PLACEHOLDER_SECRETS:
        return Finding(
            FAIL,
            "SECRET_KEY",
            "SECRET_KEY is the development key or a placeholder. Generate one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.',
        )
    if len(key) < 50 or len(set(key)) < 5:
        return Finding(
            FAIL, "SECRET_KEY", "SECRET_KEY is too short or too simple (50+ random characters)."
        )
    return Finding(OK, "SECRET_KEY", f"set ({len(key)} characters)")


def check_django_deploy() -> Finding:
    """Django's `check --deploy`: errors fail, warnings are listed."""
    messages = checks.run_checks(include_deployment_checks=True)
    errors = [m for m in messages if m.level >= checks.ERROR]
    warnings = [m for m in messages if checks.WARNING <= m.level < checks.ERROR]
    if errors:
        return Finding(FAIL, "check --deploy", "; ".join(f"{m.id}: {m.msg}" for m in errors))
    if warnings:
        return Finding(WARN, "check --deploy", "; ".join(f"{m.id}" for m in warnings))
    return Finding(OK, "check --deploy", "no issues")


def check_database() -> Finding:
    engine = connection.vendor
    where = settings.DATABASES["default"].get("HOST") or settings.DATABASES["default"]["NAME"]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error: the message is the point
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Finding(
            FAIL,
            "database",
            f"cannot connect to the {engine} database at {where}: {first_line}. "
            "Check DATABASE_URL and that the server runs and the database exists (createdb).",
        )
    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    detail = f"{engine} at {where}, database {settings.DATABASES['default']['NAME']}"
    if engine != "postgresql":
        return Finding(
            WARN, "database", f"{detail}: SQLite serves one host only; use PostgreSQL for more."
        )
    if pending:
        return Finding(OK, "database", f"{detail} ({len(pending)} migrations to apply: `migrate`)")
    return Finding(OK, "database", detail)


def check_redis() -> Finding:
    url = settings.REDIS_URL
    if not url:
        return Finding(
            FAIL,
            "Redis",
            "REDIS_URL is not set: each process would count sign-in failures and rate limits "
            "on its own, and the chat could not reach sockets on another app server.",
        )
    import redis

    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
    except Exception as exc:
        return Finding(
            FAIL, "Redis", f"cannot reach Redis at {where}: {exc}. Is redis-server running?"
        )
    return Finding(OK, "Redis", f"answers at {where}")


def check_mail() -> Finding:
    backend = settings.EMAIL_BACKEND
    if not backend.endswith("smtp.EmailBackend"):
        return Finding(
            WARN,
            "mail",
            f"EMAIL_BACKEND is {backend}: no e-mail leaves this machine. Unset it for SMTP.",
        )
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    try:
        smtp_class = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        with smtp_class(host, port, timeout=5) as server:
            server.ehlo()
            if settings.EMAIL_USE_TLS:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if settings.EMAIL_HOST_USER:
                server.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            server.noop()
    except smtplib.SMTPAuthenticationError:
        return Finding(
            FAIL,
            "mail",
            f"the SMTP server {host}:{port} refuses EMAIL_HOST_USER / EMAIL_HOST_PASSWORD.",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Finding(
            FAIL,
            "mail",
            f"cannot talk to the SMTP server {host}:{port}: {exc or type(exc).__name__}. "
            "Check EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS / EMAIL_USE_SSL. E-mails would "
            "wait in the outbox until it answers.",
        )
    return Finding(OK, "mail", f"SMTP server {host}:{port} answers")


def check_hosts() -> Finding:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in {"testserver"}]
    if not hosts or "*" in hosts:
        return Finding(FAIL, "ALLOWED_HOSTS", "name the host names this installation answers to.")
    site = urlsplit(settings.ANLAUFSTELLE_SITE_URL)
    if site.scheme != "https":
        return Finding(
            WARN,
            "ANLAUFSTELLE_SITE_URL",
            f"{settings.ANLAUFSTELLE_SITE_URL} is not https: links in e-mails would be plain HTTP.",
        )
    return Finding(OK, "hosts", f"{', '.join(hosts)}; links in e-mails: {site.geturl()}")


CHECKS: list[Callable[[], Finding]] = [
    check_environment,
    check_secret_key,
    check_hosts,
    check_django_deploy,
    check_database,
    check_redis,
    check_mail,
]


def run_all() -> list[Finding]:
    return [check() for check in CHECKS]
