"""Public writes are limited per client address, in the cache all app servers share."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from anlaufstelle.lib.ratelimit import parse_rates, retry_after

CONCERN_FORM = "/n/feldberg/anliegen/"
API_BOOKING = "/api/v1/booking/feldberg/schedules/ABCDEFGH23/bookings"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def post_until_refused(client: Client, path: str, times: int, **extra) -> list[int]:
    return [client.post(path, {}, **extra).status_code for _ in range(times)]


def test_the_eleventh_concern_in_a_minute_gets_a_german_429_page(client, personas):
    statuses = post_until_refused(client, CONCERN_FORM, 10)
    response = client.post(CONCERN_FORM, {"text": "Noch ein Anliegen"})

    assert 429 not in statuses
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "Zu viele Anfragen" in html
    assert "Bitte versuchen Sie es in 1 Minute erneut." in html
    assert "Ihre Eingaben wurden nicht gespeichert." in html
    # In the site's layout, with the network's name in the header.
    assert "Werkraum Feldberg" in html
    assert 'class="site-header"' in html


def test_another_client_address_is_not_affected(client, personas):
    post_until_refused(client, CONCERN_FORM, 11)

    assert client.post(CONCERN_FORM, {}).status_code == 429
    other = client.post(CONCERN_FORM, {}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 400  # the empty form's own answer, not the limit


def test_showing_the_forms_is_never_limited(client, personas):
    post_until_refused(client, CONCERN_FORM, 11)

    assert [client.get(CONCERN_FORM).status_code for _ in range(30)] == [200] * 30
    assert client.get("/n/feldberg/termine/").status_code == 200


def test_the_count_is_shared_between_clients_of_one_address(personas):
    first, second = Client(), Client()

    statuses = [c.post(CONCERN_FORM, {}).status_code for c in [first, second] * 5]

    assert 429 not in statuses
    assert first.post(CONCERN_FORM, {}).status_code == 429
    assert second.post(CONCERN_FORM, {}).status_code == 429


# A time at which the wall clock passes a full minute (and hour).
FULL_MINUTE = 1_800_000_000.0


def test_a_burst_across_a_full_minute_is_refused_all_the_same():
    # CI once sent eleven quick requests that straddled 12:02:00 and all got through.
    rates = parse_rates("10/m")
    for step in range(10):
        assert retry_after("concern", "192.0.2.1", rates, FULL_MINUTE - 0.2 + step * 0.01) is None

    wait = retry_after("concern", "192.0.2.1", rates, FULL_MINUTE + 0.1)

    # Until the window that opened with the first request is over.
    assert wait == 60


def test_the_wait_is_the_rest_of_the_clients_window():
    rates = parse_rates("2/m")
    assert retry_after("concern", "192.0.2.2", rates, FULL_MINUTE + 5) is None
    assert retry_after("concern", "192.0.2.2", rates, FULL_MINUTE + 20) is None

    assert retry_after("concern", "192.0.2.2", rates, FULL_MINUTE + 44.5) == 21
    # Another client's window is its own.
    assert retry_after("concern", "192.0.2.3", rates, FULL_MINUTE + 44.5) is None


@pytest.fixture
def redis_cache(settings):
    """The real Redis on localhost (db 12 is this module's), as with REDIS_URL."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/12",
            "KEY_PREFIX": "ratelimit-test",
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_with_redis_two_app_servers_count_together(personas, redis_cache, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"concern": "4/m"}
    # Two clients stand for two app servers: each has its own process state, the
    # counters live only in Redis.
    first, second = Client(), Client()

    statuses = [c.post(CONCERN_FORM, {}).status_code for c in [first, second, first, second]]

    assert statuses == [400, 400, 400, 400]
    assert second.post(CONCERN_FORM, {}).status_code == 429
    assert any(b"ratelimit:concern:60:127.0.0.1:" in key for key in _redis_keys())


def _redis_keys() -> list[bytes]:
    import redis

    return redis.Redis.from_url("redis://127.0.0.1:6379/12").keys("*")


def test_a_cache_that_is_down_lets_the_forms_through(personas, settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    client = Client()

    assert client.post(CONCERN_FORM, {}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/n/feldberg/termine/sprechstunde/ABCDEFGH23/buchen/",
        "/n/feldberg/termine/raeume/ABCDEFGH23/",
    ],
    ids=["booking", "reservation"],
)
def test_booking_and_reserving_are_limited_too(client, personas, settings, path):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"booking": "2/m", "reservation": "2/m"}

    statuses = post_until_refused(client, path, 3)

    assert 429 not in statuses[:2]
    assert statuses[2] == 429
    assert "Zu viele Anfragen" in client.post(path, {}).content.decode()


def test_api_writes_answer_429_as_german_json(client, personas, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"api_write": "3/m"}

    statuses = [
        client.post(API_BOOKING, "{}", content_type="application/json").status_code
        for _ in range(3)
    ]
    response = client.post(API_BOOKING, "{}", content_type="application/json")

    assert 429 not in statuses
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert re.fullmatch(
        r"Zu viele Anfragen von Ihrer Adresse\. Bitte versuchen Sie es in \d+ Sekunden erneut\.",
        response.json()["detail"],
    )
    assert int(response["Retry-After"]) >= 1
    # Reading the API stays open.
    assert client.get("/api/v1/networks").status_code == 200


def test_a_forged_forwarded_for_does_not_buy_a_fresh_budget(client, personas, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"concern": "2/m"}

    statuses = [
        client.post(CONCERN_FORM, {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(3)
    ]

    assert statuses[2] == 429


def test_behind_a_trusted_proxy_the_forwarded_client_counts(client, personas, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"concern": "2/m"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def post(forwarded: str) -> int:
        return client.post(CONCERN_FORM, {}, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [post("198.51.100.7") for _ in range(3)] == [400, 400, 429]
    # The proxy appends the real address last; what the client put before it is ignored.
    assert post("198.51.100.7, 198.51.100.8") == 400
    assert post("garbage, 198.51.100.8") == 400
    assert post("198.51.100.8") == 429


def test_allauths_own_limit_shows_the_same_page_without_a_time(client, personas, settings):
    # allauth renders 429.html itself (sign-in: 30 a minute per address), without `minutes`.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data = {"login": "niemand@feldberg.example", "password": "falsch"}

    statuses = [client.post("/accounts/login/", data).status_code for _ in range(31)]
    response = client.post("/accounts/login/", data)

    assert 429 in statuses
    assert response.status_code == 429
    html = response.content.decode()
    assert "Zu viele Anfragen" in html
    assert "Sie haben das in kurzer Zeit sehr oft versucht." in html
    assert "Ihre Eingaben wurden nicht gespeichert." not in html
