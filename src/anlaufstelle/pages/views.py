"""Public pages of a network's site and the operational endpoints."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from anlaufstelle.directory.queries import site_network
from anlaufstelle.networks.models import Network

from .models import LegalPage, LegalPageKind


def home(request: HttpRequest) -> HttpResponse:
    """Root: the network of this host name, or a list of networks."""
    network = getattr(request, "network", None)
    if network is not None:
        return redirect("site:start", network_slug=network.slug)
    return render(request, "pages/network_list.html", {"networks": Network.objects.public()})


def legal_page(request: HttpRequest, network_slug: str, kind: str) -> HttpResponse:
    network = site_network(request)
    if kind not in LegalPageKind.values:
        raise Http404
    page = LegalPage.objects.filter(network=network, kind=kind).first()
    return render(
        request,
        "pages/legal_page.html",
        {"page": page, "kind_label": LegalPageKind(kind).label},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
