"""Read helpers of the desk: inbox tabs and counts, the untouched badge, company history.

Every query runs inside the request's network scope and names the network explicitly:
concerns never live in the nationwide pool, so the pool's rows are not wanted here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from anlaufstelle.booking.models import Booking
from anlaufstelle.booking.slots import public_holidays
from anlaufstelle.networks.models import Network, Role, User

from . import services
from .models import (
    OPEN_REFERRAL_STATUSES,
    OPEN_STATUSES,
    Concern,
    ConcernStatus,
    Referral,
    Urgency,
)

# URL value of a tab -> its filter; the German values are public URLs.
TABS = ("neu", "meine", "partner", "unternehmen", "erledigt")


def tab_filter(tab: str, user: User) -> Q:
    return {
        "neu": Q(status=ConcernStatus.NEW),
        "meine": Q(assignee_id=user.pk, status__in=OPEN_STATUSES),
        "partner": Q(status=ConcernStatus.WAITING_PARTNER),
        "unternehmen": Q(status=ConcernStatus.WAITING_COMPANY),
        "erledigt": Q(status=ConcernStatus.DONE),
    }[tab]


def network_concerns(network: Network) -> QuerySet[Concern]:
    return Concern.objects.filter(network=network)


def tab_counts(network: Network, user: User) -> dict[str, int]:
    """How many concerns each tab holds, in one query."""
    counts = network_concerns(network).aggregate(
        **{tab: Count("pk", filter=tab_filter(tab, user)) for tab in TABS}
    )
    return {tab: counts[tab] or 0 for tab in TABS}


URGENCY_RANK = Case(
    When(urgency=Urgency.URGENT, then=Value(0)),
    When(urgency=Urgency.SOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass
class InboxRow:
    concern: Concern
    untouched_days: int
    is_untouched: bool
    is_overdue: bool
    unread_messages: int = 0


# Upper apps add to the inbox rows without this app importing them (layers): each
# function gets (user, rows) and sets fields on the rows with a constant number of
# queries. The direct chat registers its unread counts here (chat/apps.py).
INBOX_ROW_EXTRAS: list[Callable[[User, list[InboxRow]], None]] = []


class Workdays:
    """Counts working days for many rows with one holiday look-up."""

    def __init__(self, network: Network, today: date) -> None:
        self.bundesland = network.bundesland
        self.today = today
        self.holidays = public_holidays(network.bundesland, range(today.year - 1, today.year + 1))

    def since(self, start: date) -> int:
        if start >= self.today:
            return 0
        if start.year < self.today.year - 1:
            return 999
        count = 0
        day = start + timedelta(days=1)
        while day <= self.today:
            if day.weekday() < 5 and day not in self.holidays:
                count += 1
            day += timedelta(days=1)
        return count


def inbox_rows(
    network: Network,
    user: User,
    *,
    tab: str,
    query: str = "",
    urgency: str = "",
    wz_section: str = "",
    only_untouched: bool = False,
    now: datetime | None = None,
) -> list[InboxRow]:
    """The concerns of one tab, most urgent and earliest due first, with their badges."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    threshold = services.settings_for(network).untouched_days
    concerns = (
        network_concerns(network)
        .filter(tab_filter(tab, user))
        .select_related("assignee")
        .annotate(urgency_rank=URGENCY_RANK)
    )
    if query:
        words = query.split()[:6]
        for word in words:
            concerns = concerns.filter(
                Q(code__iexact=word)
                | Q(text__icontains=word)
                | Q(company_name__icontains=word)
                | Q(contact_name__icontains=word)
                | Q(email__icontains=word)
                | Q(municipality__icontains=word)
            )
    if urgency:
        concerns = concerns.filter(urgency=urgency)
    if wz_section:
        concerns = concerns.filter(wz_section=wz_section)
    if tab == "erledigt":
        concerns = concerns.order_by("-closed_at", "-pk")[:200]
    else:
        concerns = concerns.order_by("urgency_rank", "due_date", "created_at", "pk")
    days = Workdays(network, today)
    rows = []
    for concern in concerns:
        untouched = days.since(timezone.localdate(concern.touched_at)) if concern.is_open else 0
        row = InboxRow(
            concern=concern,
            untouched_days=untouched,
            is_untouched=concern.is_open and untouched > threshold,
            is_overdue=bool(concern.is_open and concern.due_date and concern.due_date < today),
        )
        if only_untouched and not row.is_untouched:
            continue
        rows.append(row)
    if rows:
        for extra in INBOX_ROW_EXTRAS:
            extra(user, rows)
    return rows


def get_concern_for_navigator(network: Network, code: str) -> Concern:
    concern = network_concerns(network).filter(code=code).select_related("assignee").first()
    if concern is None:
        raise Http404
    return concern


def get_concern_for_partner(network: Network, user: User, code: str) -> Concern:
    """Only a concern referred to the partner's own organisation; anything else is 404."""
    if not user.provider_id and not user.is_superuser:
        raise Http404
    concern = (
        network_concerns(network)
        .filter(code=code, referrals__provider_id=user.provider_id or 0)
        .distinct()
        .first()
    )
    if concern is None:
        raise Http404
    return concern


def navigators(network: Network) -> QuerySet[User]:
    return User.objects.filter(
        network=network, role__in=[Role.NAVIGATOR, Role.COORDINATOR], is_active=True
    ).order_by("first_name", "email")


def company_history(concern: Concern) -> dict[str, Any]:
    """Earlier concerns, appointments and event registrations of the same company,
    matched by e-mail."""
    if not concern.email:
        return {"concerns": [], "bookings": [], "registrations": []}
    earlier = (
        network_concerns(concern.network)
        .filter(email__iexact=concern.email)
        .exclude(pk=concern.pk)
        .order_by("-created_at")[:10]
    )
    bookings = (
        Booking.objects.filter(network=concern.network, email__iexact=concern.email)
        .select_related("slot__schedule__provider")
        .order_by("-slot__starts_at")[:10]
    )
    registrations: list[Any] = []
    if apps.is_installed("anlaufstelle.events"):  # an upper app of its own: looked up lazily
        from anlaufstelle.events.queries import registrations_for_email

        registrations = registrations_for_email(concern.network, concern.email)
    return {"concerns": list(earlier), "bookings": list(bookings), "registrations": registrations}


def partner_referrals(network: Network, user: User, *, tab: str) -> QuerySet[Referral]:
    """The referrals of the partner's own organisation: open or done."""
    referrals = Referral.objects.filter(network=network, provider_id=user.provider_id or 0)
    if tab == "erledigt":
        referrals = referrals.exclude(status__in=OPEN_REFERRAL_STATUSES)
    else:
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
    return (
        referrals.select_related("concern", "provider")
        .annotate(
            urgency_rank=Case(
                When(concern__urgency=Urgency.URGENT, then=Value(0)),
                When(concern__urgency=Urgency.SOON, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency_rank", "created_at")
    )


def referral_partners(network: Network) -> QuerySet[Any]:
    """Partners a concern can be referred to: the network's and the nationwide providers."""
    from anlaufstelle.directory.models import Provider

    return Provider.objects.filter(is_published=True).order_by("name")
