"""Every write of the direct chat, in a concern or a booking (threads.py says where a
message is stored: for a concern through the desk's own `add_message`, so the chat and
the concern's messages are one thread), files, read marks, presence.

The same functions serve the form (HTTP) and the socket (WebSocket consumer). After a
write commits, the thread's channel group hears about it; a channel layer that is down
costs the live update, never the message (the other side's page polls as a fallback).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import Actor, Concern, Message
from anlaufstelle.lib import ratelimit

from .access import COMPANY, STAFF, Party
from .models import Attachment, BookingMessage, ReadMark, new_attachment_code
from .threads import BookingThread, ConcernThread, Thread

log = logging.getLogger(__name__)

# Seconds a side counts as online after its socket's last sign of life (the page pings
# every 25 s); an offline side gets the desk's e-mail for a new message.
ONLINE_SECONDS = 70


class ChatError(Exception):
    """A refusal the user can act on; `message` is translated; `status` the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FileKind:
    content_type: str
    magic: tuple[bytes, ...]  # the file must start with one of these (empty: plain text)


# What a company and an adviser exchange: documents and photos. Nothing a browser would
# run (HTML, SVG, scripts). The type is decided by the name's ending AND the first bytes.
FILE_KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", (b"%PDF-",)),
    "png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)
    ),
    "odt": FileKind("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "txt": FileKind("text/plain", ()),
}


def max_bytes() -> int:
    return int(settings.CHAT_ATTACHMENT_MAX_BYTES)


def clean_name(name: str) -> str:
    """The file name to show: its last path part, printable, at most 120 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 119 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:120]
    return name or "datei"


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(shown name, content type) of an acceptable file, else ChatError in plain German."""
    allowed = ", ".join(sorted({k.upper() for k in FILE_KINDS if k != "jpeg"}))
    limit_mb = max_bytes() / (1024 * 1024)
    if upload.size is None or upload.size > max_bytes():
        raise ChatError(
            _("The file is too large: at most %(mb)s MB are allowed.") % {"mb": f"{limit_mb:g}"},
            status=413,
        )
    if upload.size == 0:
        raise ChatError(_("The file is empty."))
    name = clean_name(upload.name or "")
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    kind = FILE_KINDS.get(ext)
    head = upload.read(2048)
    upload.seek(0)
    if kind is None or (kind.magic and not head.startswith(kind.magic)):
        raise ChatError(
            _("This file type is not allowed. Allowed are: %(types)s.") % {"types": allowed},
            status=415,
        )
    if not kind.magic:  # plain text: must really be text
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character cut at 2048 bytes is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                raise ChatError(
                    _("This file type is not allowed. Allowed are: %(types)s.")
                    % {"types": allowed},
                    status=415,
                ) from None
        if b"\x00" in head:
            raise ChatError(
                _("This file type is not allowed. Allowed are: %(types)s.") % {"types": allowed},
                status=415,
            )
    return name, kind.content_type


def check_rate(party: Party) -> None:
    """Flooding: each side of each thread may send so many messages per window."""
    rates = ratelimit.parse_rates(settings.ANLAUFSTELLE_RATE_LIMITS.get("chat", ""))
    if not rates:
        return
    thread = party.thread
    # A concern's key stays "<pk>:<reader>" (as before bookings had a chat).
    prefix = "" if thread.kind == "concern" else f"{thread.kind}:"
    key = f"{prefix}{thread.pk}:{party.reader}"
    try:
        wait = ratelimit.retry_after("chat", key, rates, time.time())
    except Exception:  # the cache is down: serve rather than refuse
        log.warning("chat rate limit not checked: cache unavailable", exc_info=True)
        return
    if wait:
        raise ChatError(
            _("You are sending a lot of messages. Please wait %(seconds)s seconds.")
            % {"seconds": wait},
            status=429,
        )


def post_message(*, party: Party, body: str, upload: UploadedFile | None = None) -> Any:
    """A chat line in the thread (for a concern: the desk's message), with an optional file.

    The other side gets an e-mail only when it is not online in the chat.
    """
    thread = party.thread
    if thread.is_erased(refresh=True):
        raise ChatError(thread.erased_text(), status=404)
    body = (body or "").strip()
    # A form never carries NUL (lib.hostile_input refuses it); a socket frame might, and
    # PostgreSQL refuses to store it.
    if "\x00" in body:
        raise ChatError(_("The message could not be read."))
    name = content_type = ""
    if upload is not None:
        name, content_type = check_upload(upload)
        if not body:
            body = _("File: %(name)s") % {"name": name}
    check_rate(party)
    notify = not is_online(thread.group, party.other_side)
    storage = Attachment._meta.get_field("file").storage
    stored = ""
    if upload is not None:
        # Saved before the transaction, removed again if the message is not written.
        code = new_attachment_code()
        stored = storage.save(f"chat/{thread.network_id}/{code}", upload)
    try:
        with transaction.atomic():
            message = thread.write(party, body, notify)
            if upload is not None:
                Attachment.objects.create(
                    network_id=thread.network_id,
                    code=code,
                    file=stored,
                    name=name,
                    content_type=content_type,
                    size=upload.size or 0,
                    **{thread.message_field: message},
                )
            _mark(thread, party.reader, message.pk)
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    payload = message_payload(thread, message)
    group = thread.group
    transaction.on_commit(lambda: broadcast(group, {"type": "chat.message", "message": payload}))
    return message


def message_payload(thread: Thread, message: Any) -> dict[str, Any]:
    """What a consumer needs to show a message without asking the database again."""
    attachment = getattr(message, "attachment", None) if _has_attachment(message) else None
    return {
        "id": message.pk,
        "sender": message.sender,
        "author_id": message.author_id,
        "provider": thread.provider_of(message),
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "attachment": (
            {
                "code": attachment.code,
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
            }
            if attachment is not None
            else None
        ),
    }


def _has_attachment(message: Any) -> bool:
    try:
        return message.attachment is not None
    except Attachment.DoesNotExist:
        return False


def thread_messages(party: Party) -> QuerySet[Any]:
    """The whole thread, oldest first, as both sides see it."""
    return party.thread.messages()


def broadcast(group: str, event: dict[str, Any]) -> None:
    """Tell every open socket of the thread; a layer that is down costs only the live view."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        log.warning("chat broadcast failed", exc_info=True, extra={"group": group})


# --- read marks ------------------------------------------------------------------------


def _mark(thread: Thread, reader: str, up_to: int) -> bool:
    """Raise the reader's mark to `up_to` (never lower it); True when it moved."""
    mark, _created = ReadMark.objects.get_or_create(
        network_id=thread.network_id, reader=reader, **thread.marks()
    )
    return bool(
        ReadMark.objects.filter(pk=mark.pk, last_read__lt=up_to).update(
            last_read=up_to, updated_at=timezone.now()
        )
    )


def mark_read(*, party: Party, up_to: int | None = None) -> int:
    """The visitor has seen the thread up to message `up_to` (default: all of it)."""
    thread = party.thread
    latest = thread.messages().aggregate(m=Max("pk"))["m"] or 0
    up_to = latest if up_to is None else min(int(up_to), latest)
    if up_to > 0 and _mark(thread, party.reader, up_to):
        group = thread.group
        side = party.side
        transaction.on_commit(
            lambda: broadcast(group, {"type": "chat.read", "side": side, "up_to": up_to})
        )
    return up_to


def read_by_other_side(party: Party) -> int:
    """The highest message id the other side has read (any staff member counts for staff)."""
    marks = ReadMark.objects.filter(**party.thread.marks())
    # Company messages count as read once any staff member saw them.
    marks = marks.exclude(reader=COMPANY) if party.side == COMPANY else marks.filter(reader=COMPANY)
    return marks.aggregate(m=Max("last_read"))["m"] or 0


def unread_count(party: Party) -> int:
    """Messages from the other side that this reader has not seen yet."""
    mark = (
        ReadMark.objects.filter(reader=party.reader, **party.thread.marks())
        .values_list("last_read", flat=True)
        .first()
        or 0
    )
    messages = party.thread.messages().filter(pk__gt=mark)
    if party.side == COMPANY:
        return messages.exclude(sender=Actor.COMPANY).count()
    return messages.filter(sender=Actor.COMPANY).count()


def unread_overview(network: Any, user: Any) -> list[dict[str, Any]]:
    """Concerns of the staff member's view with company messages they have not read."""
    from django.db.models import Count, OuterRef, Q, Subquery

    from anlaufstelle.cases import queries as case_queries
    from anlaufstelle.networks.models import Role

    concerns = case_queries.network_concerns(network)
    if not (user.is_superuser or user.has_role(Role.COORDINATOR, Role.NAVIGATOR)):
        concerns = concerns.filter(referrals__provider_id=user.provider_id or 0).distinct()
    mark = ReadMark.objects.filter(concern=OuterRef("pk"), reader=f"user:{user.pk}").values(
        "last_read"
    )[:1]
    rows = (
        concerns.annotate(seen=Subquery(mark))
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__sender=Actor.COMPANY)
                & (Q(seen__isnull=True) | Q(messages__pk__gt=F("seen"))),
                distinct=True,
            ),
            last_at=Max("messages__created_at", filter=Q(messages__sender=Actor.COMPANY)),
        )
        .filter(unread__gt=0, anonymised_at__isnull=True)
        .order_by("-last_at")[:100]
    )
    return [{"concern": c, "unread": c.unread} for c in rows]


def unread_booking_overview(network: Any, user: Any) -> list[Any]:
    """Bookings the staff member may see (as in the calendar) with company messages they
    have not read, newest message first; each with `chat_unread`."""
    from django.db.models import Q

    from anlaufstelle.booking.models import Booking
    from anlaufstelle.networks.models import Role

    visible = Booking.objects.filter(network=network, anonymised_at__isnull=True)
    if not (user.is_superuser or user.has_role(Role.COORDINATOR, Role.NAVIGATOR)):
        own = Q(slot__schedule__expert=user)
        if user.provider_id:
            own |= Q(slot__schedule__provider_id=user.provider_id)
        visible = visible.filter(own)
    latest = (
        BookingMessage.objects.filter(booking__in=visible, sender=Actor.COMPANY)
        .values("booking_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")
        .values_list("booking_id", flat=True)[:100]
    )
    order = list(latest)
    by_pk = Booking.objects.select_related("slot__schedule").in_bulk(order)
    rows = [by_pk[pk] for pk in order if pk in by_pk]
    add_unread_to_bookings(user, rows)
    return [b for b in rows if getattr(b, "chat_unread", 0)]


def _unread_by(messages: QuerySet[Any], owner: str, reader: str) -> list[tuple[int, int]]:
    """(thread pk, messages after the reader's mark) for `messages` of many threads, in
    one query; `owner` names the thread column on both the messages and ReadMark."""
    from django.db.models import Count, OuterRef, Q, Subquery

    mark = ReadMark.objects.filter(**{owner: OuterRef(owner)}, reader=reader).values("last_read")[
        :1
    ]
    return list(
        messages.annotate(seen=Subquery(mark))
        .filter(Q(seen__isnull=True) | Q(pk__gt=F("seen")))
        .values(f"{owner}_id")
        .annotate(n=Count("pk"))
        .values_list(f"{owner}_id", "n")
    )


def add_unread_to_inbox(user: Any, rows: list[Any]) -> None:
    """The navigators' inbox: per concern the company messages this user has not read.

    One query for all rows (cases.queries.INBOX_ROW_EXTRAS calls it with the rows)."""
    by_pk = {row.concern.pk: row for row in rows}
    messages = Message.objects.filter(concern_id__in=list(by_pk), sender=Actor.COMPANY)
    for concern_pk, n in _unread_by(messages, "concern", f"user:{user.pk}"):
        by_pk[concern_pk].unread_messages = n


def add_unread_to_bookings(user: Any, bookings: list[Any]) -> None:
    """Per booking the messages from the other side this reader has not read, as
    `booking.chat_unread`: for a staff member (the calendar) the company's, for the
    company (`user` None, the confirmation page) the expert's side's.

    One query for all bookings (booking.queries.BOOKING_EXTRAS calls it)."""
    by_pk = {booking.pk: booking for booking in bookings}
    for booking in bookings:
        booking.chat_unread = 0
    if not by_pk:
        return
    messages = BookingMessage.objects.filter(booking_id__in=list(by_pk))
    if user is None:
        messages, reader = messages.exclude(sender=Actor.COMPANY), COMPANY
    else:
        messages, reader = messages.filter(sender=Actor.COMPANY), f"user:{user.pk}"
    for booking_pk, n in _unread_by(messages, "booking", reader):
        by_pk[booking_pk].chat_unread = n


# --- presence --------------------------------------------------------------------------


def _presence_key(group: str, side: str) -> str:
    return f"chat:online:{group}:{side}"


def mark_online(group: str, side: str) -> None:
    """`group` is the thread's channel group (`Thread.group`)."""
    try:
        cache.set(_presence_key(group, side), 1, timeout=ONLINE_SECONDS)
    except Exception:
        log.warning("chat presence not recorded: cache unavailable", exc_info=True)


def mark_offline(group: str, side: str) -> None:
    try:
        cache.delete(_presence_key(group, side))
    except Exception:
        log.warning("chat presence not cleared: cache unavailable", exc_info=True)


def is_online(group: str, side: str) -> bool:
    try:
        return bool(cache.get(_presence_key(group, side)))
    except Exception:  # unknown: better one e-mail too many than a missed message
        return False


# --- export and erasure ---------------------------------------------------------------------------


def _erase(thread: Thread, *, delete: QuerySet[Any] | None = None) -> None:
    """Delete the thread's files (rows now, files after the commit) and read marks, and
    `delete` (a booking's messages); then close its open sockets."""
    with scopes_disabled():
        attachments = list(Attachment.objects.filter(**thread.attachments()))
        ReadMark.objects.filter(**thread.marks()).delete()
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        if delete is not None:
            delete.delete()
    paths = [str(a.file.name) for a in attachments if a.file]
    storage = Attachment._meta.get_field("file").storage
    group = thread.group

    def remove_files() -> None:
        for path in paths:
            try:
                storage.delete(path)
            except OSError:
                log.warning("chat file not deleted", extra={"path": path})
        broadcast(group, {"type": "chat.erased"})

    transaction.on_commit(remove_files)


def erase_for_concern(sender: Any, concern: Concern, **kwargs: Any) -> None:
    """The concern is erased (request or retention): its files go, and open sockets close.
    Its messages stay blanked by the desk (cases.services.erase)."""
    _erase(ConcernThread(concern))


def export_for_booking(booking: Any) -> dict[str, Any]:
    """The booking's chat for its data export (booking.privacy.EXPORT_EXTRAS)."""
    with scopes_disabled():
        rows = list(
            BookingMessage.objects.filter(booking_id=booking.pk)
            .select_related("attachment")
            .order_by("pk")
        )
    return {
        "chat_messages": [
            {
                "sender": m.sender,
                "body": m.body,
                "sent": m.created_at.isoformat(),
                "file": m.attachment.name if _has_attachment(m) else None,
            }
            for m in rows
        ]
    }


def erase_for_booking(sender: Any, booking: Any, **kwargs: Any) -> None:
    """The booking is erased (request, concern erasure or retention): its chat messages,
    files and read marks are deleted, and open sockets close."""
    with scopes_disabled():
        messages = BookingMessage.objects.filter(booking_id=booking.pk)
        _erase(BookingThread(booking), delete=messages)


__all__ = ["COMPANY", "STAFF", "ChatError", "post_message"]
