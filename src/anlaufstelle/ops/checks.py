"""Start-up checks of the operations settings."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_metrics_allowed_ips(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every METRICS_ALLOWED_IPS entry must be an address or a network (10.0.0.0/8)."""
    errors = []
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", []):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"METRICS_ALLOWED_IPS: {entry!r} is not an IP address or network.",
                    hint="Use addresses or networks such as 127.0.0.1 or 10.0.0.0/8.",
                    id="ops.E001",
                )
            )
    return errors
