"""Who may read and write a concern's chat: the one place that decides it.

Two doors lead in. The company comes through its signed status link (no account); staff
come signed in: the network's navigators and coordinators see every concern of their
network, a partner expert only concerns referred to their own organisation. Everything
else — another network, a wrong or erased link, a concern not referred to you — is
`Http404`, the same answer as for a concern that does not exist.

The views (HTTP) and the consumers (WebSocket) both call these functions; the HTTP staff
views are wrapped in the one staff guard first (networks.guards.staff_view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django_scopes import scopes_disabled

from anlaufstelle.cases import links, queries
from anlaufstelle.cases.models import Actor, Concern, Referral
from anlaufstelle.networks.auth import needs_second_factor_setup
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import network_scope

COMPANY = "company"
STAFF = "staff"
NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


@dataclass(frozen=True)
class Party:
    """One side of a concern's chat, as resolved for one visitor."""

    concern: Concern
    side: str  # COMPANY or STAFF
    user: User | None = None
    referral: Referral | None = None
    token: str = ""  # the company's link token (for the URLs it is shown)

    @property
    def reader(self) -> str:
        return COMPANY if self.user is None else f"user:{self.user.pk}"

    @property
    def sender(self) -> str:
        if self.user is None:
            return Actor.COMPANY
        if self.referral is not None:
            return Actor.PARTNER
        return Actor.NAVIGATOR

    @property
    def other_side(self) -> str:
        return STAFF if self.side == COMPANY else COMPANY

    @property
    def group(self) -> str:
        return group_name(self.concern.pk)


def group_name(concern_pk: int) -> str:
    return f"chat.concern.{concern_pk}"


def active_network(slug: str) -> Network:
    with scopes_disabled():
        network = Network.objects.filter(slug=slug, is_active=True, is_nationwide=False).first()
    if network is None:
        raise Http404
    return network


def company_party(network: Network, code: str, token: str) -> Party:
    """The company's side through its status link; 404 for a wrong, old or erased link."""
    with network_scope(network):
        concern = Concern.objects.filter(network=network, code=code).first()
    if concern is None:
        raise Http404
    try:
        links.check_token(concern, token)
    except links.InvalidLink as exc:
        raise Http404 from exc
    return Party(concern=concern, side=COMPANY, token=token)


def staff_party(network: Network, user: Any, code: str) -> Party:
    """A navigator (every concern of the network) or a partner expert (referred ones)."""
    if user is None or not user.is_authenticated:
        raise Http404
    if not user.is_superuser and user.network_id != network.pk:
        raise Http404
    with network_scope(network):
        if user.is_superuser or user.has_role(*NAVIGATOR_ROLES):
            return Party(
                concern=queries.get_concern_for_navigator(network, code), side=STAFF, user=user
            )
        if user.has_role(Role.PARTNER_EXPERT) and user.provider_id:
            concern = queries.get_concern_for_partner(network, user, code)
            referral = (
                concern.referrals.filter(provider_id=user.provider_id)
                .select_related("provider")
                .order_by("-created_at")
                .first()
            )
            return Party(concern=concern, side=STAFF, user=user, referral=referral)
    raise Http404


def staff_may_connect(user: Any) -> bool:
    """The guard's second-factor rule for sockets (the HTTP guard redirects instead)."""
    return bool(user and user.is_authenticated and not needs_second_factor_setup(user))
