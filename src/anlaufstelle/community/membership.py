"""Membership: sign-up and sign-in by magic link, approval, the session's member.

A magic link is a random token sent by e-mail; only its SHA-256 is stored, so neither
the database nor a log holds a usable link. It works once, for LINK_MINUTES, and a
new link does not cancel older unused ones (a person may ask twice). Per address at
most LINKS_PER_HOUR links are sent, so the form cannot be used to flood someone's inbox.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from anlaufstelle.lib.mail import absolute, send_templated
from anlaufstelle.networks.models import Network, Role, User

from .models import CommunitySettings, MagicLink, Member, MemberStatus

log = logging.getLogger(__name__)

LINK_MINUTES = 30
LINKS_PER_HOUR = 3
SESSION_KEY = "community_members"
LANGUAGE = "de"


def settings_for(network: Network) -> CommunitySettings:
    found = CommunitySettings.objects.filter(network=network).first()
    return found or CommunitySettings(network=network)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unique_handle(network: Network, name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "mitglied")[:32].strip("-") or "mitglied"
    members = Member.objects.filter(network=network, handle__startswith=base)
    if exclude_pk is not None:
        members = members.exclude(pk=exclude_pk)
    taken = set(members.values_list("handle", flat=True))
    handle, number = base, 2
    while handle in taken:
        handle = f"{base}-{number}"
        number += 1
    return handle


@dataclass
class JoinResult:
    member: Member
    created: bool
    sent: bool


def join(*, network: Network, email: str, profile: dict[str, Any]) -> JoinResult:
    """Create a (pending) member for `email` unless one exists; send a sign-in link.

    An existing address gets a sign-in link and its profile is left alone, so the
    answer of the form never tells whether an address is already a member.
    """
    email = email.strip().lower()
    existing = Member.objects.filter(network=network, email=email).first()
    if existing is not None:
        return JoinResult(existing, False, send_link(member=existing))
    topics = profile.pop("topics", [])
    try:
        with transaction.atomic():
            member = Member.objects.create(
                network=network,
                email=email,
                handle=unique_handle(network, profile.get("display_name", "")),
                status=MemberStatus.PENDING,
                **profile,
            )
            member.topics.set(topics)
    except IntegrityError:  # the same address joined a moment ago in another request
        member = Member.objects.get(network=network, email=email)
        return JoinResult(member, False, send_link(member=member))
    log.info("community member joined", extra={"member": member.pk})
    return JoinResult(member, True, send_link(member=member))


def send_link(*, member: Member) -> bool:
    """E-mail a fresh sign-in link to `member`; False when the hourly limit is reached."""
    if member.status in (MemberStatus.REJECTED, MemberStatus.BLOCKED):
        return False
    since = timezone.now() - timedelta(hours=1)
    if MagicLink.objects.filter(member=member, created_at__gte=since).count() >= LINKS_PER_HOUR:
        log.info("community sign-in link not sent: limit", extra={"member": member.pk})
        return False
    token = secrets.token_urlsafe(32)
    MagicLink.objects.create(
        network=member.network,
        member=member,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(minutes=LINK_MINUTES),
    )
    url = absolute(reverse("site:community:magic", args=[member.network.slug, token]))
    send_templated(
        "community/email/link_subject.txt",
        "community/email/link.txt",
        {"member": member, "network": member.network, "link": url, "minutes": LINK_MINUTES},
        [member.email],
        LANGUAGE,
        network_id=member.network_id,
    )
    return True


def link_for(network: Network, token: str) -> MagicLink | None:
    """The unused, unexpired link of `network` for `token`, or None."""
    if not token or len(token) > 100:
        return None
    return (
        MagicLink.objects.select_related("member")
        .filter(
            network=network,
            token_hash=_hash(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def use_link(*, network: Network, token: str) -> Member | None:
    """Spend the link (once: a conditional update) and return its member, else None."""
    link = link_for(network, token)
    if link is None:
        return None
    now = timezone.now()
    if MagicLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now) != 1:
        return None
    member = link.member
    if member.status in (MemberStatus.REJECTED, MemberStatus.BLOCKED):
        return None
    if member.email_verified_at is None:
        member.email_verified_at = now
        member.save(update_fields=["email_verified_at"])
    return member


def sign_in(request: HttpRequest, member: Member) -> None:
    # A new session key on sign-in: a key planted before cannot ride along.
    request.session.cycle_key()
    members = dict(request.session.get(SESSION_KEY, {}))
    members[str(member.network_id)] = member.pk
    request.session[SESSION_KEY] = members


def sign_out(request: HttpRequest, network: Network) -> None:
    members = dict(request.session.get(SESSION_KEY, {}))
    members.pop(str(network.pk), None)
    request.session[SESSION_KEY] = members


def current_member(request: HttpRequest, network: Network) -> Member | None:
    """Who takes part on this network's forum in this request, or None."""
    user = getattr(request, "user", AnonymousUser())
    if user.is_authenticated and isinstance(user, User):
        if user.network_id == network.pk and user.has_role(*Role.values):
            return _staff_member(network, user)
        return None
    member_id = request.session.get(SESSION_KEY, {}).get(str(network.pk))
    if member_id is None:
        return None
    return (
        Member.objects.filter(network=network, pk=member_id, user__isnull=True)
        .exclude(status__in=[MemberStatus.REJECTED, MemberStatus.BLOCKED])
        .first()
    )


def belongs_elsewhere(request: HttpRequest, network: Network) -> bool:
    """Signed in somewhere, but not here: a member or staff of another network."""
    user = getattr(request, "user", AnonymousUser())
    if user.is_authenticated:
        return not user.is_superuser
    members = request.session.get(SESSION_KEY, {})
    return any(key != str(network.pk) for key in members)


def _staff_member(network: Network, user: User) -> Member:
    member = Member.objects.filter(network=network, user=user).select_related("user").first()
    if member is not None:
        return member
    name = user.get_full_name() or user.email.split("@")[0]
    try:
        with transaction.atomic():
            return Member.objects.create(
                network=network,
                user=user,
                email=user.email,
                display_name=name,
                handle=unique_handle(network, name),
                status=MemberStatus.ACTIVE,
                email_verified_at=timezone.now(),
                approved_at=timezone.now(),
            )
    except IntegrityError:
        return Member.objects.select_related("user").get(network=network, user=user)


def approve(*, member: Member) -> bool:
    """Admit a pending member (conditional update: two navigators, one approval)."""
    done = Member.objects.filter(pk=member.pk, status=MemberStatus.PENDING).update(
        status=MemberStatus.ACTIVE, approved_at=timezone.now()
    )
    if done:
        member.refresh_from_db()
        send_templated(
            "community/email/approved_subject.txt",
            "community/email/approved.txt",
            {
                "member": member,
                "network": member.network,
                "link": absolute(reverse("site:community:index", args=[member.network.slug])),
            },
            [member.email],
            LANGUAGE,
            network_id=member.network_id,
        )
    return bool(done)


def reject(*, member: Member) -> bool:
    return bool(
        Member.objects.filter(pk=member.pk, status=MemberStatus.PENDING).update(
            status=MemberStatus.REJECTED
        )
    )


def block(*, member: Member) -> bool:
    """Block a company member: no posting, no sign-in, no e-mails from the forum.

    Staff take part through their account and are never blocked here (the back office
    deactivates the account). A conditional update, so two navigators block once.
    """
    done = (
        Member.objects.filter(pk=member.pk, user__isnull=True)
        .exclude(status__in=[MemberStatus.BLOCKED, MemberStatus.REJECTED])
        .update(status=MemberStatus.BLOCKED)
    )
    if done:
        log.info("community member blocked", extra={"member": member.pk})
    return bool(done)


def unblock(*, member: Member) -> bool:
    """Let a blocked member take part again (as an approved member)."""
    now = timezone.now()
    done = Member.objects.filter(
        pk=member.pk, user__isnull=True, status=MemberStatus.BLOCKED
    ).update(status=MemberStatus.ACTIVE)
    if done:
        Member.objects.filter(pk=member.pk, approved_at__isnull=True).update(approved_at=now)
        log.info("community member unblocked", extra={"member": member.pk})
    return bool(done)


def blocked_in_session(request: HttpRequest, network: Network) -> bool:
    """The session's member of `network` has been blocked (they get a clear page)."""
    member_id = request.session.get(SESSION_KEY, {}).get(str(network.pk))
    if member_id is None:
        return False
    return Member.objects.filter(
        network=network, pk=member_id, status=MemberStatus.BLOCKED
    ).exists()


def activate_if_open(member: Member) -> None:
    """Without required approval a member is active once the address is verified."""
    if member.status == MemberStatus.PENDING and not settings_for(member.network).require_approval:
        Member.objects.filter(pk=member.pk, status=MemberStatus.PENDING).update(
            status=MemberStatus.ACTIVE, approved_at=timezone.now()
        )
        member.refresh_from_db()
