"""A network's branding as files: its accent colour as CSS and its logo.

Both are files rather than inline styles or media URLs: the Content-Security-Policy
allows no inline styles, and the logo is served by the application in every mode, so
production needs no extra web server rule for uploaded media.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from anlaufstelle.directory.queries import site_network

from .branding import HEX_COLOR, logo_content_type


@require_safe
@cache_control(max_age=300, public=True)
def branding_css(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    color = network.accent_color
    # Validated on save; checked again so that nothing else ever reaches the stylesheet.
    if not HEX_COLOR.match(color):
        return HttpResponse("", content_type="text/css; charset=utf-8")
    css = (
        f":root {{\n  --site-action: {color};\n  --kern-color-action-default: {color};\n}}\n"
        f".site-header {{ border-bottom-color: {color}; }}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_safe
@cache_control(max_age=300, public=True)
def logo(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    if not network.logo:
        raise Http404
    # At most 200 KB (checked on upload): read whole, so no file handle outlives the request.
    try:
        with network.logo.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=logo_content_type(network.logo.name or ""))
    # An SVG opened on its own is a document: even a checked one gets no scripts or loads.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
