"""/readyz: each check of the deployment with its figures, 503 when one fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult
from tests.pages.test_healthz import unreachable_database  # noqa: F401 (fixture)

from anlaufstelle.ops.models import JobRun, JobStatus, MailDelivery, MailStatus
from anlaufstelle.ops.tasks import deliver_mail

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def scheduler_ticked(db) -> None:
    """The scheduler's e-mail retry job ran a moment ago (as it does every minute)."""
    JobRun.objects.create(
        name="retry_mail",
        started_at=timezone.now() - timedelta(seconds=30),
        finished_at=timezone.now() - timedelta(seconds=29),
        status=JobStatus.SUCCEEDED,
    )


def test_readyz_is_ok_when_every_check_passes(client, scheduler_ticked, settings):
    settings.TASKS = DB_TASKS
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "redis", "tasks", "mail", "scheduler", "daily_jobs"}
    assert checks["database"] == {"status": "ok"}
    assert checks["redis"] == {"status": "skipped", "reason": "not configured"}
    assert checks["tasks"]["ready"] == 0
    assert checks["tasks"]["oldest_age_seconds"] is None
    assert checks["mail"]["failed_last_hour"] == 0
    assert checks["scheduler"]["status"] == "ok"
    assert checks["daily_jobs"] == {
        "status": "ok",
        "last_run": None,
        "failed": [],
        "limit_seconds": 93600.0,
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_fails_when_the_scheduler_never_ran(client, db):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["scheduler"]["status"] == "error"
    assert body["checks"]["scheduler"]["last_tick"] is None


def test_readyz_fails_when_the_scheduler_fell_silent(client, db, settings):
    JobRun.objects.create(name="retry_mail", started_at=timezone.now() - timedelta(minutes=20))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["seconds_ago"] > 1100


def test_readyz_measures_the_worker_lag_by_the_oldest_ready_task(
    client, scheduler_ticked, settings
):
    settings.TASKS = DB_TASKS
    deliver_mail.enqueue(1)
    fresh = client.get("/readyz").json()["checks"]["tasks"]
    assert fresh["status"] == "ok"
    assert fresh["ready"] == 1
    assert 0 <= fresh["oldest_age_seconds"] < 60

    # Nobody took it for ten minutes: the workers are down or cannot keep up.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")

    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["status"] == "error"
    assert tasks["oldest_age_seconds"] >= 600


def test_a_deferred_task_waits_from_its_run_time_not_from_its_enqueueing(
    client, scheduler_ticked, settings
):
    settings.TASKS = DB_TASKS
    deliver_mail.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue(1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))

    tasks = client.get("/readyz").json()["checks"]["tasks"]

    assert tasks == {"status": "ok", "ready": 0, "oldest_age_seconds": None, "limit_seconds": 300}


def test_readyz_fails_after_an_e_mail_failed_in_the_last_hour(client, scheduler_ticked):
    with scopes_disabled():
        MailDelivery.objects.create(
            recipients=["anja@hotel-am-see.example"],
            subject="Ihr Termin",
            body="…",
            status=MailStatus.QUEUED,
            attempts=1,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
            claimed_at=timezone.now() - timedelta(minutes=5),
        )
        # A failure two hours ago no longer counts.
        MailDelivery.objects.create(
            recipients=["b@example.org"],
            subject="Alt",
            body="…",
            status=MailStatus.FAILED,
            last_error="ConnectionRefusedError",
            claimed_at=timezone.now() - timedelta(hours=2),
        )

    response = client.get("/readyz")

    assert response.status_code == 503
    mail = response.json()["checks"]["mail"]
    assert mail == {"status": "error", "failed_last_hour": 1, "limit": 0}
    assert "anja@" not in response.content.decode()


def test_readyz_fails_when_a_daily_job_failed_its_last_run(client, scheduler_ticked):
    JobRun.objects.create(
        name="apply_retention",
        started_at=timezone.now() - timedelta(hours=3),
        status=JobStatus.FAILED,
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    daily = response.json()["checks"]["daily_jobs"]
    assert daily["status"] == "error"
    assert daily["failed"] == ["apply_retention"]


def test_readyz_fails_when_the_daily_jobs_stopped_two_days_ago(client, scheduler_ticked):
    JobRun.objects.create(
        name="clear_sessions",
        started_at=timezone.now() - timedelta(days=2),
        status=JobStatus.SUCCEEDED,
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["daily_jobs"]["status"] == "error"


def test_readyz_names_an_unreachable_redis_without_its_password(
    client, scheduler_ticked, settings, closed_port
):
    settings.REDIS_URL = f"redis://:geheimes-kennwort@127.0.0.1:{closed_port}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == {"status": "error", "error": "ConnectionError"}
    assert "geheimes-kennwort" not in response.content.decode()
    assert str(closed_port) not in response.content.decode()


def test_readyz_reaches_a_real_redis(client, scheduler_ticked, settings):
    from tests.networks.test_login_throttling import redis_reachable

    if not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.REDIS_URL = "redis://127.0.0.1:6379/11"

    response = client.get("/readyz")

    assert response.json()["checks"]["redis"] == {"status": "ok"}


def test_readyz_answers_503_json_when_the_database_is_unreachable(
    client,
    unreachable_database,  # noqa: F811 (the imported fixture)
):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert body["checks"]["tasks"] == {"status": "skipped", "reason": "database unavailable"}


def test_readyz_answers_on_a_network_host_name_too(client, scheduler_ticked, personas, settings):
    settings.ANLAUFSTELLE_DEFAULT_NETWORK = "feldberg"

    response = client.get("/readyz", HTTP_HOST="localhost")

    assert response.status_code == 200


def test_healthz_stays_a_liveness_check(client, db):
    """No scheduler, no worker: the app server is alive all the same."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert client.get("/readyz").status_code == 503
