"""Who may read and write a chat (a concern's or a booking's): the one place that decides.

Two doors lead in. The company comes through its signed link (no account): the concern's
status link, or the booking's "view" link. Staff come signed in: the network's navigators
and coordinators see every concern and every booking of their network; a partner expert
only concerns referred to their own organisation, and bookings of consultation hours they
hold or their organisation offers (as in the expert's calendar). Everything else —
another network, a wrong, old or erased link, a concern or booking that is not yours —
is `Http404`, the same answer as for one that does not exist.

The views (HTTP) and the consumers (WebSocket) both call these functions; the HTTP staff
views are wrapped in the one staff guard first (networks.guards.staff_view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries as booking_queries
from anlaufstelle.booking.models import Booking
from anlaufstelle.cases import links, queries
from anlaufstelle.cases.models import Actor, Concern, Referral
from anlaufstelle.networks.auth import needs_second_factor_setup
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import network_scope

from .threads import BookingThread, ConcernThread, Thread, group_name

COMPANY = "company"
STAFF = "staff"
NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


@dataclass(frozen=True)
class Party:
    """One side of a chat, as resolved for one visitor."""

    thread: Thread
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
        if not self.user.is_superuser and self.user.role == Role.PARTNER_EXPERT:
            return Actor.PARTNER  # an expert in a booking of their own consultation hour
        return Actor.NAVIGATOR

    @property
    def other_side(self) -> str:
        return STAFF if self.side == COMPANY else COMPANY

    @property
    def group(self) -> str:
        return self.thread.group


__all__ = ["COMPANY", "STAFF", "Party", "group_name"]


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
    return Party(thread=ConcernThread(concern), side=COMPANY, token=token)


def staff_party(network: Network, user: Any, code: str) -> Party:
    """A navigator (every concern of the network) or a partner expert (referred ones)."""
    if user is None or not user.is_authenticated:
        raise Http404
    if not user.is_superuser and user.network_id != network.pk:
        raise Http404
    with network_scope(network):
        if user.is_superuser or user.has_role(*NAVIGATOR_ROLES):
            concern = queries.get_concern_for_navigator(network, code)
            return Party(thread=ConcernThread(concern), side=STAFF, user=user)
        if user.has_role(Role.PARTNER_EXPERT) and user.provider_id:
            concern = queries.get_concern_for_partner(network, user, code)
            referral = (
                concern.referrals.filter(provider_id=user.provider_id)
                .select_related("provider")
                .order_by("-created_at")
                .first()
            )
            return Party(thread=ConcernThread(concern), side=STAFF, user=user, referral=referral)
    raise Http404


def _booking(network: Network, code: str) -> Booking:
    with network_scope(network):
        booking = (
            Booking.objects.filter(network=network, code=code)
            .select_related("slot__schedule__provider", "network")
            .first()
        )
    if booking is None or booking.anonymised_at is not None:
        raise Http404
    return booking


def booking_company_party(network: Network, code: str, token: str) -> Party:
    """The company's side through the booking's signed "view" link (the confirmation
    page's); 404 for a wrong, expired or erased link, and for an old link of a
    cancelled or moved booking its subclass OutdatedLink (the page says so)."""
    booking = booking_queries.check_company_link(_booking(network, code), token, "view")
    return Party(thread=BookingThread(booking), side=COMPANY, token=token)


def booking_staff_party(network: Network, user: Any, code: str) -> Party:
    """Navigators and coordinators: every booking of the network; a partner expert: the
    bookings of hours they hold or their organisation offers."""
    if user is None or not user.is_authenticated:
        raise Http404
    if not user.is_superuser and user.network_id != network.pk:
        raise Http404
    booking = _booking(network, code)
    if not (user.is_superuser or user.has_role(*NAVIGATOR_ROLES)):
        schedule = booking.slot.schedule
        own = schedule.expert_id == user.pk or (
            user.provider_id is not None and schedule.provider_id == user.provider_id
        )
        if not (user.has_role(Role.PARTNER_EXPERT) and own):
            raise Http404
    return Party(thread=BookingThread(booking), side=STAFF, user=user)


def staff_may_connect(user: Any) -> bool:
    """The guard's second-factor rule for sockets (the HTTP guard redirects instead)."""
    return bool(user and user.is_authenticated and not needs_second_factor_setup(user))


# Per thread kind: the company's door (network, code, token) and the staff's door
# (network, user, code); pages and sockets pick theirs by the route's `kind`.
RESOLVERS = {
    "concern": (company_party, staff_party),
    "booking": (booking_company_party, booking_staff_party),
}
