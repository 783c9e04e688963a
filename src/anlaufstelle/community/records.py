"""Linking a member's earlier concerns and bookings: explicit, by verified e-mail only.

Nothing is linked silently: the profile page lists what carries the member's verified
address and the member confirms. Only rows of the member's own network with exactly
that address are offered; without a verified address nothing is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from anlaufstelle.booking import tokens as booking_tokens
from anlaufstelle.booking.models import Booking
from anlaufstelle.cases import links as case_links
from anlaufstelle.cases.models import Concern

from .models import LinkedRecord, Member, RecordKind


@dataclass(frozen=True)
class Record:
    kind: str
    code: str
    label: str
    when: object
    url: str


def _concerns(member: Member) -> list[Concern]:
    if member.email_verified_at is None:
        return []
    return list(
        Concern.objects.filter(network=member.network, email__iexact=member.email)
        .select_related("network")
        .order_by("-created_at")
    )


def _bookings(member: Member) -> list[Booking]:
    if member.email_verified_at is None:
        return []
    return list(
        Booking.objects.filter(network=member.network, email__iexact=member.email)
        .select_related("network", "slot__schedule")
        .order_by("-created_at")
    )


def _records(member: Member) -> list[Record]:
    records = [
        Record(RecordKind.CONCERN, c.code, c.text[:80], c.created_at, case_links.status_path(c))
        for c in _concerns(member)
    ]
    for b in _bookings(member):
        url = reverse(
            "site:booking:view",
            kwargs={
                "network_slug": b.network.slug,
                "code": b.code,
                "token": booking_tokens.make_token(b, "view"),
            },
        )
        records.append(Record(RecordKind.BOOKING, b.code, b.slot.schedule.title, b.created_at, url))
    return records


def _linked_codes(member: Member) -> set[tuple[str, str]]:
    return set(LinkedRecord.objects.filter(member=member).values_list("kind", "record_code"))


def linkable(member: Member) -> list[Record]:
    """Rows with the member's verified address that are not linked yet."""
    linked = _linked_codes(member)
    return [r for r in _records(member) if (r.kind, r.code) not in linked]


def linked(member: Member) -> list[Record]:
    linked = _linked_codes(member)
    return [r for r in _records(member) if (r.kind, r.code) in linked]


def link_all(*, member: Member) -> int:
    """Link every row `linkable()` offers (the member confirmed); the number linked."""
    count = 0
    for record in linkable(member):
        try:
            with transaction.atomic():
                LinkedRecord.objects.create(
                    network=member.network, member=member, kind=record.kind, record_code=record.code
                )
        except IntegrityError:  # linked in a parallel request
            continue
        count += 1
    return count
