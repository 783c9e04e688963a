"""Staff authentication: no self sign-up; a TOTP second factor in production."""

from __future__ import annotations

import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse

from .models import Role


class StaffAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators invite staff; operators create coordinators.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where staff land after signing in when no (safe) `next` was given; allauth
        asks only after the whole login, second factor included."""
        return staff_home(request.user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (password reset) go out at once, a person waits for them:
        with the mail server down they get a clear page instead of a server error."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as error:
            from .mail_unavailable import mail_unavailable_response

            raise ImmediateHttpResponse(
                mail_unavailable_response(allauth_context.request, template_prefix, error)
            ) from error

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per account under "<host>:<login>"; one staff
        # account answers on every network's host name, so count per account only
        # (otherwise each host name would grant an attacker another five guesses).
        login = credentials.get("email", credentials.get("username", "")) or ""
        return f"staff:{login.strip().lower()}"


def second_factor_required() -> bool:
    """True where every staff member must use TOTP (production); the demo may relax it."""
    return bool(settings.ANLAUFSTELLE_REQUIRE_MFA)


def has_totp(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_second_factor_setup(user: Any) -> bool:
    """A signed-in staff member who must set up TOTP before using the back office."""
    return bool(user.is_authenticated and second_factor_required() and not has_totp(user))


def staff_home(user: Any) -> str:
    """A staff member's own work page: navigators work from their network's inbox
    (journey 3), partner experts from their calendar; coordinators run their network
    from the back office (partners, rooms, staff, branding; its start page links the
    inbox and calendar too), as operators do. The page's guard still asks for the
    second factor."""
    network = getattr(user, "network", None)
    if (
        not user.is_superuser
        and network is not None
        and network.is_active
        and not network.is_nationwide
    ):
        if user.role == Role.NAVIGATOR:
            return reverse("site:cases:inbox", args=[network.slug])
        if user.role == Role.PARTNER_EXPERT:
            return reverse("site:booking:calendar", args=[network.slug])
    return resolve_url(settings.LOGIN_REDIRECT_URL)
