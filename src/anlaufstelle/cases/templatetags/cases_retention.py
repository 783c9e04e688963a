"""`{% overdue_open_concerns network as overdue %}`: open concerns older than the network's
retention period, for the coordinator's flag on the inbox page."""

from __future__ import annotations

from typing import Any

from django import template

from anlaufstelle.cases import services

register = template.Library()


@register.simple_tag
def overdue_open_concerns(network: Any) -> list[Any]:
    if network is None:
        return []
    return services.overdue_open_concerns(network)
