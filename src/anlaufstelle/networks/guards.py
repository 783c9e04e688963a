"""The one guard every staff page on a network's site goes through.

`@staff_view(roles=...)` decides, before the view runs, who may see the page:

- anonymous visitors go to the login page;
- a signed-in user who is not staff of *this* network with one of `roles` gets 404,
  the same answer as for a page that does not exist (operators pass everywhere);
- staff who must use a second factor (ANLAUFSTELLE_REQUIRE_MFA) but have not set up
  TOTP yet go to the TOTP setup, whatever they asked for;
- every answer carries never-cache headers: staff pages show personal data.

The guard marks the view (`STAFF_GUARD_ATTR`) so that a test can walk the URL map and
prove that every staff route is guarded (tests/networks/test_staff_guard.py).
The Django admin has its own gate with the same rules (networks/admin_site.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from .auth import needs_second_factor_setup
from .models import Role, User

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponse])

ALL_STAFF_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)
# The attribute the guard sets on the views it wraps (read by the URL-map test).
STAFF_GUARD_ATTR = "staff_guard"
# Where the guard leaves the resolved staff member for the view.
_STAFF_MEMBER_ATTR = "staff_member"


@dataclass(frozen=True)
class StaffGuard:
    roles: tuple[str, ...]


def _resolve(request: HttpRequest, roles: tuple[str, ...]) -> User | HttpResponse:
    """The staff member who may see this page, or the answer for everyone else."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    network = getattr(request, "network", None)
    if network is None:
        raise Http404
    member = user
    if not member.is_superuser and (member.network_id != network.pk or not member.has_role(*roles)):
        raise Http404
    if needs_second_factor_setup(member):
        return redirect("mfa_activate_totp")
    return member


def staff_view(*, roles: Iterable[str] = ALL_STAFF_ROLES) -> Callable[[ViewT], ViewT]:
    """Decorate a view under /n/<slug>/ that only staff of that network may use."""
    guard = StaffGuard(roles=tuple(roles))

    def decorate(view: ViewT) -> ViewT:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            resolved = _resolve(request, guard.roles)
            if isinstance(resolved, HttpResponse):
                response = resolved
            else:
                setattr(request, _STAFF_MEMBER_ATTR, resolved)
                response = view(request, *args, **kwargs)
            # Personal data: never from a shared or browser cache.
            add_never_cache_headers(response)
            return response

        setattr(guarded, STAFF_GUARD_ATTR, guard)
        return cast(ViewT, guarded)

    return decorate


def staff_member(request: HttpRequest) -> User:
    """The staff member the guard admitted; fails loudly in a view the guard does not wrap."""
    member = getattr(request, _STAFF_MEMBER_ATTR, None)
    if member is None:
        raise RuntimeError("staff_member() called outside a @staff_view")
    return cast(User, member)


def is_staff_view(view: Callable[..., Any]) -> bool:
    return isinstance(getattr(view, STAFF_GUARD_ATTR, None), StaffGuard)
