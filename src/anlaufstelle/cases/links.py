"""The company's private status link: signed, for one concern, dead after erasure."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from anlaufstelle.lib import signed_links
from anlaufstelle.lib.mail import absolute

from .models import Concern

InvalidLink = signed_links.InvalidLink
SALT = "anlaufstelle.cases.concern.status"


def max_age() -> int:
    # Long enough to follow a concern through retention (default 12 months) and beyond.
    return int(getattr(settings, "ANLAUFSTELLE_CASE_LINK_MAX_AGE", 60 * 60 * 24 * 730))


def make_token(concern: Concern) -> str:
    return signed_links.make_token(concern, salt=SALT)


def check_token(concern: Concern, token: str) -> None:
    """Raise InvalidLink unless `token` opens exactly this concern (and it is not erased)."""
    signed_links.check_token(concern, token, salt=SALT, max_age=max_age())


def status_path(concern: Concern, action: str = "status") -> str:
    """The site path of the company's status page (or one of its actions)."""
    return reverse(
        f"site:cases:{action}",
        kwargs={
            "network_slug": concern.network.slug,
            "code": concern.code,
            "token": make_token(concern),
        },
    )


def status_url(concern: Concern) -> str:
    """The absolute status link for e-mails."""
    return absolute(status_path(concern))


def staff_url(concern: Concern) -> str:
    return absolute(
        reverse(
            "site:cases:concern",
            kwargs={"network_slug": concern.network.slug, "code": concern.code},
        )
    )


def partner_url(concern: Concern) -> str:
    return absolute(
        reverse(
            "site:cases:partner_concern",
            kwargs={"network_slug": concern.network.slug, "code": concern.code},
        )
    )
