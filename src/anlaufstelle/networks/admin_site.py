"""The back office: Django's admin, logged in through allauth and scoped per staff member.

Two rules live here so that no ModelAdmin can forget them:

- Login always goes through allauth, which asks for the second factor; Django's own
  admin login form knows nothing about TOTP and is never shown.
- Every admin view runs inside the staff member's own network scope (operators
  unscoped), whatever host or path prefix the request came through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from .auth import needs_second_factor_setup
from .models import Role
from .scoping import network_scope

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# Views a staff member may still reach while the second factor is not set up.
VIEWS_WITHOUT_SECOND_FACTOR = {"logout"}


@contextmanager
def staff_scope(user: Any) -> Iterator[None]:
    """Operators see every network (visibly unscoped); staff only their own + nationwide."""
    if user.is_superuser:
        with scopes_disabled():
            yield
    else:
        with network_scope(getattr(user, "network", None)):
            yield


def workspaces(user: Any) -> list[tuple[Any, str]]:
    """(label, URL) of the staff member's work pages on their network's site."""
    network = getattr(user, "network", None)
    if network is None or network.is_nationwide:
        return []
    slug = network.slug
    links: list[tuple[Any, str]] = []  # (lazy label, URL)
    if user.role in (Role.COORDINATOR, Role.NAVIGATOR):
        links.append((_("Concerns (navigators' inbox)"), reverse("site:cases:inbox", args=[slug])))
    if user.role == Role.PARTNER_EXPERT:
        links.append((_("Referred concerns"), reverse("site:cases:partner_inbox", args=[slug])))
    links.append((_("My calendar"), reverse("site:booking:calendar", args=[slug])))
    links.append((_("The network's site"), reverse("site:start", args=[slug])))
    return links


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """Django's "view on site" redirect, with a 404 for an id the model cannot take.

    Django catches ValueError but not the ValidationError a UUID primary key (task
    results) raises for "abc", which would be a 500."""
    try:
        return shortcut(request, content_type_id, object_id)
    except ValidationError as exc:
        raise Http404 from exc


class BackOfficeSite(admin.AdminSite):
    site_header = _("Anlaufstelle back office")
    site_title = _("Anlaufstelle back office")
    index_title = _("Content and staff of your network")
    index_template = "admin/backoffice_index.html"

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The back office's start page also leads to the daily work on the site:
        the navigators' inbox, the partner's referred concerns, the calendar."""
        context = {"workspaces": workspaces(request.user), **(extra_context or {})}
        return super().index(request, context)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Send everyone to allauth's login, which asks for the TOTP code.

        allauth's guard answers 403 to a signed-in non-staff user (instead of a redirect
        loop); Django's own form is never rendered or processed.
        """
        return secure_admin_login(self._signed_in)(request)

    def _signed_in(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse("admin:index", current_app=self.name))

    def get_urls(self) -> list[URLResolver | URLPattern]:
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(view_on_site),
                name="view_on_site",
            )
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]

    def admin_view(self, view: ViewT, cacheable: bool = False) -> ViewT:
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def back_office_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            match = request.resolver_match
            if (
                self.has_permission(request)
                and (match is None or match.url_name not in VIEWS_WITHOUT_SECOND_FACTOR)
                and needs_second_factor_setup(request.user)
            ):
                return redirect("mfa_activate_totp")
            with staff_scope(request.user):
                return inner(request, *args, **kwargs)

        return cast(ViewT, back_office_view)
