"""Parallel registrations for the last place: never more confirmed than capacity.

20 threads, each with its own database connection (SQLite file DB by default,
PostgreSQL with DATABASE_URL). The first test shows the race without the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.models import Event, Registration, RegistrationStatus
from anlaufstelle.networks.scoping import network_scope

from .conftest import make_event, person

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def run_parallel(network, fn: Callable[[int], object]) -> list[tuple[str, object]]:
    barrier = threading.Barrier(PARALLEL)
    results: list[tuple[str, object]] = [("none", None)] * PARALLEL

    def worker(i: int) -> None:
        try:
            with network_scope(network):
                barrier.wait(timeout=30)
                results[i] = ("ok", fn(i))
        except Exception as exc:  # noqa: BLE001 (collected and asserted on below)
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def last_place(feldberg):
    """Three places, two taken, no waiting list: one place left."""
    event = make_event(feldberg.network, capacity=3, waiting_list=False)
    for i in range(2):
        services.register(event=event, **person(100 + i))
    return event


def confirmed(event) -> int:
    with scopes_disabled():
        return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


def test_without_the_lock_the_last_place_is_given_many_times(feldberg, last_place):
    checked = threading.Barrier(PARALLEL)

    def unlocked(i: int) -> Registration:
        taken = Registration.objects.filter(
            event=last_place, status=RegistrationStatus.CONFIRMED
        ).count()
        checked.wait(timeout=30)
        if taken >= last_place.capacity:
            raise services.RegistrationError("full")
        data = {k: v for k, v in person(i).items() if k != "consent"}
        return Registration.objects.create(
            network=last_place.network,
            event=last_place,
            status=RegistrationStatus.CONFIRMED,
            consent_at=last_place.starts_at,
            **data,
        )

    run_parallel(feldberg.network, unlocked)
    assert confirmed(last_place) > 3


def test_parallel_registrations_for_the_last_place_never_exceed_capacity(feldberg, last_place):
    results = run_parallel(
        feldberg.network, lambda i: services.register(event=last_place, **person(i))
    )
    won = [r for kind, r in results if kind == "ok"]
    lost = [r for kind, r in results if kind == "error"]
    assert len(won) == 1
    assert all(isinstance(e, services.RegistrationError) for e in lost), lost
    assert confirmed(last_place) == 3
    with scopes_disabled():
        assert Event.objects.get(pk=last_place.pk).confirmed_count == 3


def test_parallel_registrations_of_a_full_event_go_to_the_waiting_list_in_order(feldberg):
    event = make_event(feldberg.network, capacity=1)
    results = run_parallel(feldberg.network, lambda i: services.register(event=event, **person(i)))
    assert all(kind == "ok" for kind, _ in results), results
    assert confirmed(event) == 1
    with scopes_disabled():
        assert Registration.objects.filter(status=RegistrationStatus.WAITING).count() == 19
