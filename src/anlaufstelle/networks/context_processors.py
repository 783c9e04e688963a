from __future__ import annotations

from django.http import HttpRequest

from .models import Network


def network(request: HttpRequest) -> dict[str, object]:
    current = getattr(request, "network", None)
    return {"network": current, "public_networks": Network.objects.public()}
