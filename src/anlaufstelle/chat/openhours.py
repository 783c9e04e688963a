"""Open online consultation hours (offene Online-Sprechstunde) with a waiting room.

An expert schedules a group session; its video link comes from the network's video
pattern as an appointment's does (booking.video). Companies join the queue on the site
without an account and get a private waiting page (an unguessable code in its address);
the expert calls the next one in, who then — and only then — sees the link. Every change
is announced on the hour's channel group; the pages poll as a fallback.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.booking import video
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import network_scope

from .models import OpenHour, OpenHourStatus, QueueEntry, QueueStatus

log = logging.getLogger(__name__)

MAX_QUEUE = 60
# Names and e-mail addresses in a waiting room are kept this long after the hour ended.
KEEP_ENTRIES = timedelta(days=30)
HOST_ROLES = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)
NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


class OpenHourError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def group_name(open_hour_pk: int) -> str:
    return f"chat.openhour.{open_hour_pk}"


def announce(open_hour_pk: int) -> None:
    """Tell the hour's open pages to fetch their state (after the transaction commits)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group_name(open_hour_pk), {"type": "queue.changed"})
        except Exception:
            log.warning("waiting room update not sent", exc_info=True)

    transaction.on_commit(send)


# --- reading ---------------------------------------------------------------------------


def upcoming(network: Network, now: datetime | None = None) -> QuerySet[OpenHour]:
    """The hours a company may still join: not closed and not over."""
    now = now or timezone.now()
    return OpenHour.objects.filter(
        network=network, ends_at__gt=now, status__in=[OpenHourStatus.SCHEDULED, OpenHourStatus.OPEN]
    ).select_related("provider")


def public_open_hour(network: Network, code: str) -> OpenHour:
    with network_scope(network):
        found = OpenHour.objects.filter(network=network, code=code).select_related("provider")
        open_hour = found.first()
    if open_hour is None:
        raise Http404
    return open_hour


def entry_for_company(network: Network, entry_code: str) -> QueueEntry:
    with network_scope(network):
        entry = (
            QueueEntry.objects.filter(network=network, code=entry_code)
            .select_related("open_hour")
            .first()
        )
    if entry is None:
        raise Http404
    return entry


def hosted_by(network: Network, user: User) -> QuerySet[OpenHour]:
    """The hours a staff member runs (navigators see every hour of their network)."""
    hours = OpenHour.objects.filter(network=network).select_related("host", "provider")
    if user.is_superuser or user.has_role(*NAVIGATOR_ROLES):
        return hours
    return hours.filter(host=user)


def open_hour_for_host(network: Network, user: Any, code: str) -> OpenHour:
    if user is None or not user.is_authenticated:
        raise Http404
    if not user.is_superuser and (user.network_id != network.pk or not user.has_role(*HOST_ROLES)):
        raise Http404
    with network_scope(network):
        open_hour = hosted_by(network, user).filter(code=code).first()
    if open_hour is None:
        raise Http404
    return open_hour


def position(entry: QueueEntry) -> int:
    """1 for the next one to be called; 0 when the entry is no longer waiting."""
    if entry.status != QueueStatus.WAITING:
        return 0
    with scopes_disabled():
        ahead = QueueEntry.objects.filter(
            open_hour_id=entry.open_hour_id, status=QueueStatus.WAITING, pk__lt=entry.pk
        ).count()
    return ahead + 1


def waiting(open_hour: OpenHour) -> QuerySet[QueueEntry]:
    return open_hour.queue.filter(status=QueueStatus.WAITING).order_by("pk")


# --- writing ---------------------------------------------------------------------------


def create_open_hour(
    *,
    network: Network,
    host: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
) -> OpenHour:
    """Schedule an hour; the video link is made now from the network's pattern."""
    if ends_at <= starts_at:
        raise OpenHourError(_("The end must be after the start."))
    if ends_at <= timezone.now():
        raise OpenHourError(_("The consultation hour must end in the future."))
    if ends_at - starts_at > timedelta(hours=8):
        raise OpenHourError(_("An open consultation hour can last at most 8 hours."))
    return OpenHour.objects.create(
        network=network,
        host=host,
        provider_id=host.provider_id,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        video_url=video.new_video_url(network),
    )


def set_status(*, open_hour: OpenHour, status: str) -> OpenHour:
    """Open the waiting room's door, or close the hour (waiting entries leave)."""
    with transaction.atomic():
        OpenHour.objects.filter(pk=open_hour.pk).update(status=status)
        if status == OpenHourStatus.CLOSED:
            QueueEntry.objects.filter(
                open_hour=open_hour, status__in=[QueueStatus.WAITING, QueueStatus.CALLED]
            ).update(status=QueueStatus.DONE)
        announce(open_hour.pk)
    open_hour.refresh_from_db()
    return open_hour


def join(
    *,
    open_hour: OpenHour,
    name: str,
    company_name: str = "",
    email: str = "",
    topic: str = "",
    now: datetime | None = None,
) -> QueueEntry:
    """A company takes a place in the waiting room."""
    now = now or timezone.now()
    if open_hour.status == OpenHourStatus.CLOSED or open_hour.ends_at <= now:
        raise OpenHourError(_("This consultation hour is over."), status=409)
    with transaction.atomic():
        # The hour's row is the lock: the queue limit holds with parallel joins.
        OpenHour.objects.select_for_update().filter(pk=open_hour.pk).first()
        if waiting(open_hour).count() >= MAX_QUEUE:
            raise OpenHourError(_("The waiting room is full. Please try again later."), status=409)
        entry = QueueEntry.objects.create(
            network_id=open_hour.network_id,
            open_hour=open_hour,
            name=name.strip(),
            company_name=company_name.strip(),
            email=email.strip(),
            topic=topic.strip(),
        )
        announce(open_hour.pk)
    return entry


def leave(*, entry: QueueEntry) -> QueueEntry:
    with transaction.atomic():
        QueueEntry.objects.filter(pk=entry.pk, status=QueueStatus.WAITING).update(
            status=QueueStatus.LEFT
        )
        announce(entry.open_hour_id)
    entry.refresh_from_db()
    return entry


def call_next(*, open_hour: OpenHour) -> QueueEntry | None:
    """The one who called in before is done; the first waiting one is called in.

    A conditional update makes the call: two clicks at once never call two companies.
    """
    if open_hour.status == OpenHourStatus.CLOSED:
        raise OpenHourError(_("This consultation hour is over."), status=409)
    with transaction.atomic():
        OpenHour.objects.select_for_update().filter(pk=open_hour.pk).first()
        QueueEntry.objects.filter(open_hour=open_hour, status=QueueStatus.CALLED).update(
            status=QueueStatus.DONE
        )
        OpenHour.objects.filter(pk=open_hour.pk, status=OpenHourStatus.SCHEDULED).update(
            status=OpenHourStatus.OPEN
        )
        called = None
        for candidate in waiting(open_hour)[:5]:
            if QueueEntry.objects.filter(pk=candidate.pk, status=QueueStatus.WAITING).update(
                status=QueueStatus.CALLED, called_at=timezone.now()
            ):
                called = candidate
                break
        announce(open_hour.pk)
        if called is not None and called.email:
            entry_pk = called.pk
            transaction.on_commit(lambda: send_called_mail(entry_pk))
    if called is not None:
        called.refresh_from_db()
    open_hour.refresh_from_db()
    return called


def send_called_mail(entry_pk: int) -> None:
    """The company asked for an e-mail when it is its turn (through the outbox)."""
    from django.urls import reverse

    from anlaufstelle.lib.mail import absolute, send_templated

    with scopes_disabled():
        entry = QueueEntry.objects.select_related("open_hour__network").filter(pk=entry_pk).first()
    if entry is None or not entry.email:
        return
    hour = entry.open_hour
    path = reverse(
        "site:chat:queue_entry",
        kwargs={"network_slug": hour.network.slug, "entry_code": entry.code},
    )
    send_templated(
        "chat/email/called_subject.txt",
        "chat/email/called.txt",
        {"entry": entry, "hour": hour, "entry_url": absolute(path)},
        [entry.email],
        "de",
        network_id=hour.network_id,
    )


def purge_entries(now: datetime | None = None) -> int:
    """Data protection: waiting-room entries go 30 days after their hour ended."""
    now = now or timezone.now()
    with scopes_disabled():
        deleted, _rows = QueueEntry.objects.filter(
            open_hour__ends_at__lt=now - KEEP_ENTRIES
        ).delete()
    return deleted
