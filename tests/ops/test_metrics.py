"""/metrics: Prometheus text for the operator's scraper only; off unless configured."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from anlaufstelle.ops.tasks import deliver_mail

PROJECT_DIR = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-the-tests"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return TOKEN


def scrape(client) -> str:
    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def test_metrics_are_off_by_default(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", **AUTH).status_code == 404


def test_metrics_need_the_token(client, db, token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer falsch").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403  # no scheme
    assert client.get("/metrics", **AUTH).status_code == 200


def test_metrics_open_to_an_allowed_network(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "127.0.0.1"]
    assert client.get("/metrics").status_code == 200


def test_a_forged_forwarded_address_does_not_open_the_metrics(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.1"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.1")

    assert response.status_code == 403


def test_requests_are_counted_by_route_name_method_and_status(client, db, token):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/n/gibt-es-nicht/")
    client.generic("BREW", "/healthz")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "anlaufstelle_http_requests_total"
    assert delta(requests, route="healthz", method="GET", status="200") == 2
    assert delta(requests, route="unmatched", method="GET", status="404") == 1
    assert delta(requests, route="healthz", method="other", status="200") == 1
    histogram = "anlaufstelle_http_request_duration_seconds_count"
    assert delta(histogram, route="healthz", method="GET") == 2
    # No path, slug or token ever becomes a label.
    assert "gibt-es-nicht" not in after


def test_the_queue_depth_and_the_age_of_the_oldest_task(client, db, token, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    text = scrape(client)
    assert value(text, "anlaufstelle_tasks_ready") == 0
    assert value(text, "anlaufstelle_tasks_oldest_ready_age_seconds") == 0
    assert value(text, "anlaufstelle_database_up") == 1

    deliver_mail.enqueue(1)
    deliver_mail.enqueue(2)
    DBTaskResult.objects.filter(args_kwargs__args=[1]).update(
        enqueued_at=timezone.now() - timedelta(minutes=3)
    )
    text = scrape(client)

    assert value(text, "anlaufstelle_tasks_ready") == 2
    assert 170 < value(text, "anlaufstelle_tasks_oldest_ready_age_seconds") < 300


def test_search_latency_is_observed(client, db, token, personas, settings):
    settings.SEARCH_EMBEDDER = "none"
    call_command("rebuild_index", verbosity=0)
    before = value(scrape(client), "anlaufstelle_search_duration_seconds_count")

    response = client.get("/n/feldberg/suche/", {"q": "Ausbildung"})

    assert response.status_code == 200
    after = value(scrape(client), "anlaufstelle_search_duration_seconds_count")
    assert after == before + 1


def test_a_booking_is_counted_once_it_is_committed(
    client, token, personas, settings, django_capture_on_commit_callbacks
):
    from tests.booking.conftest import booking_data, make_schedule

    from anlaufstelle.booking import queries, services
    from anlaufstelle.networks.scoping import network_scope

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    feldberg = personas.feldberg
    before = value(scrape(client), "anlaufstelle_bookings_created_total", kind="appointment")
    with network_scope(feldberg.network):
        schedule = make_schedule(feldberg.network, feldberg.provider)
        slot = queries.free_slots([schedule], limit=1)[0]
        with django_capture_on_commit_callbacks(execute=False) as pending:
            services.book_slot(schedule=schedule, starts_at=slot.starts_at, **booking_data())
        # Not yet committed: not yet counted (a rolled-back booking never is).
        assert (
            value(scrape(client), "anlaufstelle_bookings_created_total", kind="appointment")
            == before
        )
        for callback in pending:
            callback()

    after = value(scrape(client), "anlaufstelle_bookings_created_total", kind="appointment")
    assert after == before + 1


WRITER = """
import sys
from anlaufstelle.lib import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_request(route="healthz", method="GET", status=200, seconds=0.01)
"""


def test_several_worker_processes_are_added_up(client, db, token, tmp_path, monkeypatch):
    """Like gunicorn's workers: each process writes its own file, the scrape sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (3, 4):
        subprocess.run(
            [sys.executable, "-c", WRITER, str(count)],
            cwd=PROJECT_DIR / "src",
            env=env,
            check=True,
        )
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    text = scrape(client)

    requests = "anlaufstelle_http_requests_total"
    assert value(text, requests, route="healthz", method="GET", status="200") == 7
    assert (
        value(
            text, "anlaufstelle_http_request_duration_seconds_count", route="healthz", method="GET"
        )
        == 7
    )
    # The queue figures come from the database at scrape time, once.
    assert text.count("# TYPE anlaufstelle_tasks_ready gauge") == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Bearer " + "x" * 5000},
        {"HTTP_AUTHORIZATION": "Bearer \u00e4\u00f6\u00fc"},
        {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="},
        {"HTTP_X_FORWARDED_FOR": "' OR 1=1 --, 999.999.999.999, ::ffff:zz"},
        {"HTTP_X_REQUEST_ID": "\x00" * 10},
        {"HTTP_X_REQUEST_ID": "x" * 5000},
    ],
)
def test_hostile_headers_on_the_operational_endpoints_are_never_a_server_error(
    client, db, settings, headers
):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for path in ("/metrics", "/readyz?x=%00", "/healthz"):
        response = client.get(path, **headers)
        # /readyz is 503 here by design (no scheduler ran); never a 500.
        assert response.status_code in {200, 400, 403, 404, 503}, (path, response.status_code)
        assert response.status_code != 500


def test_an_invalid_allowed_address_stops_the_start(settings):
    from anlaufstelle.ops.checks import check_metrics_allowed_ips

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "intranet"]

    [error] = check_metrics_allowed_ips()

    assert error.id == "ops.E001"
    assert "intranet" in error.msg
