"""Tenant scoping: every tenant-owned row has a `network` and a scoped default manager.

The request middleware enters a scope for the resolved network; any query on a scoped
model outside a scope raises `django_scopes.ScopeError` instead of leaking rows.
A network always sees its own rows plus the shared nationwide pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, scope

from .models import Network

SCOPE_DIMENSION = "network"


def visible_network_ids(network: Network | None) -> list[int]:
    """Ids of the networks whose rows `network` may read: itself and the nationwide pool."""
    if network is None:
        return []
    ids = [network.pk]
    ids += [
        pk
        for pk in Network.objects.filter(is_nationwide=True).values_list("pk", flat=True)
        if pk != network.pk
    ]
    return ids


@contextmanager
def network_scope(network: Network | None) -> Iterator[None]:
    """Enter the read scope of `network`; with None, scoped queries return nothing."""
    with scope(network=visible_network_ids(network)):
        yield


class TenantModel(models.Model):
    """Base of every tenant-owned model: a direct network key and the scoped manager."""

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager(network="network")

    class Meta:
        abstract = True
