"""Login throttling: failed sign-ins lock an account and an address for a while, never for good.

Limits (settings.ACCOUNT_RATE_LIMITS): 5 failures per account in 5 minutes, 10 failures per
client address in a minute; both windows slide. The counters live in Django's cache, which
is Redis when REDIS_URL is set (shared by every process); the last tests run the login
against the real Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fresh_settings import setting_for_env

pytestmark = pytest.mark.django_db

PASSWORD = "Kennwort-fuer-Tests-2024"  # the persona fixtures' password
ATTACKER = "203.0.113.9"
STAFF_OFFICE = "198.51.100.7"
# The test's own Redis database (other sessions use other numbers).
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture(autouse=True)
def password_only_and_empty_cache(settings: Any) -> Iterator[None]:
    settings.ANLAUFSTELLE_REQUIRE_MFA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def sign_in(email: str, password: str, *, ip: str, host: str = "testserver") -> Any:
    client = Client(REMOTE_ADDR=ip, HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="de")
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    response.signed_in = "_auth_user_id" in client.session
    return response


def locked(response: Any) -> bool:
    return "Zu viele gescheiterte Anmeldeversuche" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_for_five_minutes(coordinator: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(5):
            response = sign_in(coordinator.email, "falsch", ip=ATTACKER)
            assert not response.signed_in
            assert not locked(response)
        # The sixth try is refused before the password is even checked.
        response = sign_in(coordinator.email, PASSWORD, ip=ATTACKER)
        assert not response.signed_in
        assert locked(response)

        clock.shift(timedelta(minutes=4, seconds=50))
        assert locked(sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE))

        clock.shift(timedelta(seconds=11))
        assert sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE).signed_in


def test_an_attacker_cannot_keep_the_account_locked_by_trying_on(coordinator: Any) -> None:
    """Refused attempts do not count: the lock ends five minutes after the last failure
    that counted, however often the attacker knocks meanwhile."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(5):
            sign_in(coordinator.email, "falsch", ip=ATTACKER)
        for _minute in range(4):
            clock.shift(timedelta(minutes=1))
            for _attempt in range(3):
                assert locked(sign_in(coordinator.email, "falsch", ip=ATTACKER))
        clock.shift(timedelta(minutes=1, seconds=1))
        response = sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE)
        assert response.signed_in


def test_the_account_limit_counts_across_every_host_name(coordinator: Any) -> None:
    for host in ("testserver", "localhost", "127.0.0.1", "testserver", "localhost"):
        sign_in(coordinator.email, "falsch", ip=ATTACKER, host=host)
    assert locked(sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE, host="127.0.0.1"))


def test_spraying_from_one_address_blocks_that_address_not_the_others(personas: Any) -> None:
    feldberg, stuttgart = personas.feldberg, personas.stuttgart
    accounts = [
        feldberg.coordinator,
        feldberg.navigator,
        feldberg.partner_expert,
        stuttgart.coordinator,
        stuttgart.navigator,
    ]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # Two guesses per account: no account reaches its own limit, the address does.
        for user in accounts * 2:
            assert not locked(sign_in(user.email, "falsch", ip=ATTACKER))
        response = sign_in(stuttgart.partner_expert.email, PASSWORD, ip=ATTACKER)
        assert locked(response)
        assert not response.signed_in
        # Staff elsewhere sign in as usual, also those the attacker guessed at.
        assert sign_in(feldberg.coordinator.email, PASSWORD, ip=STAFF_OFFICE).signed_in
        assert sign_in(stuttgart.partner_expert.email, PASSWORD, ip=STAFF_OFFICE).signed_in
        # The address limit is per minute.
        clock.shift(timedelta(minutes=1, seconds=1))
        assert sign_in(stuttgart.partner_expert.email, PASSWORD, ip=ATTACKER).signed_in


def test_successful_sign_ins_do_not_count_towards_the_lock(coordinator: Any) -> None:
    for _attempt in range(8):
        assert sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE).signed_in


# --- with Redis (REDIS_URL) ---------------------------------------------------------------


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_caches(url: str) -> dict[str, Any]:
    """settings.CACHES as settings.py builds it for REDIS_URL=url (read in a subprocess)."""
    return setting_for_env("CACHES", {"REDIS_URL": url})


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[Any]:
    """The production cache settings for REDIS_URL, pointed at this test's database."""
    if not redis_reachable():
        message = "Redis is not running on 127.0.0.1:6379 (start it: make services-redis)"
        # In CI a skip would hide the Redis tests for good: .ci/run starts Redis, so fail.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import redis

    settings.CACHES = redis_caches(REDIS_URL)
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    yield server
    server.flushdb()


def test_the_settings_use_redis_for_the_cache_when_redis_url_is_set() -> None:
    caches = redis_caches(REDIS_URL)
    assert caches["default"]["BACKEND"] == "anlaufstelle.lib.cache.ResilientRedisCache"
    assert caches["default"]["LOCATION"] == REDIS_URL


def test_login_works_with_redis_as_the_cache(redis_cache: Any, coordinator: Any) -> None:
    response = sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE)
    assert response.status_code == 302
    assert response.signed_in


def test_the_lock_lives_in_redis_shared_by_every_process(
    redis_cache: Any, coordinator: Any
) -> None:
    for _attempt in range(5):
        assert not sign_in(coordinator.email, "falsch", ip=ATTACKER).signed_in
    # The counters are in Redis, with an expiry (so a lock never outlives its window)...
    keys = [k for k in redis_cache.keys("*") if b"login_failed" in k]
    assert keys
    assert all(0 < redis_cache.ttl(k) <= 300 for k in keys)
    # ...where any other app server reads them: a cache connection of its own sees the
    # counters, and the next attempt (whichever process serves it) is refused.
    from django.core.cache import caches

    other_process = caches.create_connection("default")
    assert other_process.get(keys[0].decode().split(":", 2)[2])
    assert locked(sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE))
    # The operator may lift it early by emptying the cache (docs/configuration.md).
    redis_cache.flushdb()
    assert sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE).signed_in


def test_wrong_totp_codes_lock_the_second_step_too(settings: Any, coordinator: Any) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    TOTP.activate(coordinator, generate_totp_secret())
    client = Client(REMOTE_ADDR=STAFF_OFFICE, HTTP_ACCEPT_LANGUAGE="de")
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    for _attempt in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert not locked(response)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert locked(response)
    assert "_auth_user_id" not in client.session


def test_login_still_works_while_redis_is_down(
    settings: Any, coordinator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing listens on port 1: every cache operation fails; staff still sign in."""
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0")
    response = sign_in(coordinator.email, PASSWORD, ip=STAFF_OFFICE)
    assert response.status_code == 302
    assert response.signed_in
    assert "cache unreachable, continuing without it" in caplog.text
    # A wrong password is still a wrong password.
    assert not sign_in(coordinator.email, "falsch", ip=STAFF_OFFICE).signed_in
