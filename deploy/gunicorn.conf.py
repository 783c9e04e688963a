"""gunicorn settings shared by scripts/prod.sh and deploy/systemd/anlaufstelle-web@.service.

Only what every app server needs whatever its port: the metrics hook. With
PROMETHEUS_MULTIPROC_DIR set (per app server, emptied at its start), a dead worker's live
gauges must leave the shared files; counters and histograms are kept.
"""

from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    # Imported here, not at the top: the master itself records no metrics.
    from anlaufstelle.lib.metrics import child_exit as mark_worker_dead

    mark_worker_dead(server, worker)
