"""The page a person sees when an account e-mail (password reset) cannot be sent."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

log = logging.getLogger(__name__)

# The mail server is usually back within minutes; browsers and proxies may retry then.
RETRY_AFTER_SECONDS = 300


def mail_unavailable_response(
    request: HttpRequest, template_prefix: str, error: BaseException
) -> HttpResponse:
    """503 with a plain German explanation and a link back to the form.

    The same page for known and unknown addresses (allauth sends "unknown account" mail
    too), so it tells nobody whether an account exists."""
    log.warning(
        "account mail not sent",
        extra={"template": template_prefix, "error": type(error).__name__},
    )
    response = TemplateResponse(
        request,
        "account/mail_unavailable.html",
        {"retry_url": request.path},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response.render()
