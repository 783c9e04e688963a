"""The direct chat in a concern keeps no messages of its own: a chat line IS a
`cases.Message`, so the company's status page, the navigator's concern page and the chat
show one thread, and the concern's retention and erasure cover the chat. A booking has no
thread of its own, so its chat lines are `BookingMessage` rows here, deleted with the
booking's erasure. Beside the text this app keeps who read how far, files attached to a
message (of either thread), and the open consultation hours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import new_code
from anlaufstelle.networks.scoping import TenantModel


def new_attachment_code() -> str:
    return new_code(16)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is our random code only: the visitor's file name never reaches the
    # file system (no "../", no ".html" served from our folder).
    return f"chat/{instance.network_id}/{instance.code}"


def _one_of(first: str, second: str, name: str) -> models.CheckConstraint:
    """Exactly one of two nullable foreign keys is set."""
    return models.CheckConstraint(
        condition=(Q(**{f"{first}__isnull": False}) & Q(**{f"{second}__isnull": True}))
        | (Q(**{f"{first}__isnull": True}) & Q(**{f"{second}__isnull": False})),
        name=name,
    )


class BookingMessage(TenantModel):
    """A chat line in a booking (appointment) between the company and the expert's side.

    `sender` takes the desk's actor values: "company", "partner" (an expert of the
    provider) or "navigator" (the network's navigators and coordinators).
    """

    booking = models.ForeignKey("booking.Booking", on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(max_length=20)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("appointment message")
        verbose_name_plural = _("appointment messages")


class ReadMark(TenantModel):
    """How far one reader has read a thread (the highest message id seen): a concern's or a
    booking's, exactly one of them.

    `reader` is "company" for the company's side, "user:<pk>" for a staff member.
    """

    concern = models.ForeignKey(
        "cases.Concern", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reader = models.CharField(max_length=40)
    last_read = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [
            models.UniqueConstraint(fields=["concern", "reader"], name="chat_readmark_once"),
            models.UniqueConstraint(
                fields=["booking", "reader"], name="chat_readmark_booking_once"
            ),
            _one_of("concern", "booking", "chat_readmark_one_thread"),
        ]


class Attachment(TenantModel):
    """A file sent with a chat message (of a concern or of a booking, exactly one); type
    and size checked on upload (services)."""

    message = models.OneToOneField(
        "cases.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachment",
    )
    booking_message = models.OneToOneField(
        BookingMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachment",
    )
    code = models.CharField(max_length=20, unique=True, default=new_attachment_code)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [_one_of("message", "booking_message", "chat_attachment_one_thread")]


class OpenHourStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class OpenHour(TenantModel):
    """An open online consultation hour (offene Online-Sprechstunde) with a waiting room."""

    code = models.CharField(max_length=16, unique=True, default=new_code)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    provider = models.ForeignKey(
        "directory.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(
        max_length=12, choices=OpenHourStatus.choices, default=OpenHourStatus.SCHEDULED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("open consultation hour")
        verbose_name_plural = _("open consultation hours")

    def __str__(self) -> str:
        return self.title


class QueueStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called in")
    DONE = "done", _("Done")
    LEFT = "left", _("Left the queue")


class QueueEntry(TenantModel):
    """A company in the waiting room of an open consultation hour."""

    open_hour = models.ForeignKey(OpenHour, on_delete=models.CASCADE, related_name="queue")
    code = models.CharField(max_length=24, unique=True, default=new_attachment_code)
    name = models.CharField(_("name"), max_length=200)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    topic = models.CharField(_("your question in a few words"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=QueueStatus.choices, default=QueueStatus.WAITING
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    called_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("waiting room entry")
        verbose_name_plural = _("waiting room entries")
