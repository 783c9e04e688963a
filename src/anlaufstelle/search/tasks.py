"""Background index updates (django-tasks): analysis and embedding run in the worker.

Tasks take the kind, primary key, network and reference of the changed row; the
worker reads the row's current state, so several updates of one row in a row are
harmless. The embedder is loaded lazily inside the worker process (see embedders.py).
"""

from __future__ import annotations

from django_tasks import task

from .indexing import index_object, remove_ref


@task()
def update_document(kind: str, pk: int, network_id: int, ref: str) -> None:
    """Re-index one offer, provider or contact after it changed."""
    index_object(kind, pk, network_id, ref)


@task()
def remove_document(network_id: int, ref: str) -> None:
    """Drop the document of a deleted row."""
    remove_ref(network_id, ref)
