"""What /metrics adds at scrape time, and the booking counters.

The request, search and booking figures are counted where they happen
(anlaufstelle.lib.metrics). The queue figures are read from the database when
Prometheus scrapes: one worker's view would be wrong, the database's is the truth.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from anlaufstelle.lib import metrics

from .health import failed_mail_last_hour, oldest_ready_task_age

log = logging.getLogger(__name__)

# Rows whose creation is a booking in the sense of the metric: (app label, model, kind).
BOOKING_MODELS = (
    ("booking", "Booking", "appointment"),
    ("booking", "Reservation", "reservation"),
    ("events", "Registration", "event_registration"),
)


class QueueCollector(Collector):
    """Task queue depth and the age of the oldest ready task, and failed e-mail."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "anlaufstelle_database_up", "1 when the scrape could read the database."
        )
        try:
            ready, age = oldest_ready_task_age(timezone.now())
            failed = failed_mail_last_hour(timezone.now())
        except Exception as exc:  # the scrape still answers, saying the database is gone
            log.warning("metrics: database unavailable", extra={"error": type(exc).__name__})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "anlaufstelle_tasks_ready", "Tasks waiting for a worker (database queue).", ready
        )
        yield GaugeMetricFamily(
            "anlaufstelle_tasks_oldest_ready_age_seconds",
            "How long the task waiting longest has waited (0 when none waits).",
            age or 0.0,
        )
        yield GaugeMetricFamily(
            "anlaufstelle_mail_failed_last_hour",
            "E-mail attempts that failed in the last hour (waiting for a retry or given up).",
            failed,
        )


def exposition() -> bytes:
    """The text of /metrics: this process's (or, multi-process, every worker's) counters
    and the queue figures read now."""
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir:
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted, path=multiproc_dir)
    else:
        counted = REGISTRY
    now = CollectorRegistry()
    now.register(QueueCollector())
    return generate_latest(counted) + generate_latest(now)


def _count_on_commit(kind: str) -> Any:
    def receiver(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
        if created and not raw:
            transaction.on_commit(lambda: metrics.count_booking(kind))

    return receiver


_receivers: list[Any] = []  # kept alive: signals hold weak references


def connect() -> None:
    for app_label, model_name, kind in BOOKING_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # the app is not installed here
            continue
        receiver = _count_on_commit(kind)
        _receivers.append(receiver)
        post_save.connect(receiver, sender=model, dispatch_uid=f"ops.metrics.{kind}")
