"""What a chat is written in: a concern or a booking. Everything else of the chat (who may
enter, sending, files, read marks, presence, sockets, pages) is the same for both and
works on a `Thread`; a thread knows only what differs:

- where its messages are stored (the concern's `cases.Message`, the booking's
  `chat.BookingMessage`) and how a new one is written and announced by e-mail;
- which column of `ReadMark` and `Attachment` points at it;
- its addresses (pages, socket, files) for each side, and its name in labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import Actor, Concern

if TYPE_CHECKING:
    from anlaufstelle.booking.models import Booking

    from .access import Party


def group_name(kind: str, pk: int) -> str:
    """The channel group of one thread: `chat.concern.<pk>` or `chat.booking.<pk>`."""
    return f"chat.{kind}.{pk}"


class Thread:
    """One conversation; subclasses say where it lives."""

    # Also the column of ReadMark (and of the message) naming the thread.
    kind: ClassVar[str]
    message_field: ClassVar[str]  # Attachment's column naming the message

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def code(self) -> str:
        return str(self.obj.code)

    @property
    def network_id(self) -> int:
        return int(self.obj.network_id)

    @property
    def network(self) -> Any:
        return self.obj.network

    @property
    def group(self) -> str:
        return group_name(self.kind, self.pk)

    def marks(self) -> dict[str, Any]:
        """ReadMark filter for this thread."""
        return {self.kind: self.obj}

    def attachments(self) -> dict[str, Any]:
        """Attachment filter for this thread (through the message)."""
        return {f"{self.message_field}__{self.kind}": self.obj}

    # --- what differs --------------------------------------------------------------

    def is_erased(self, refresh: bool = False) -> bool:
        """Erased (anonymised) on request or by retention: the chat is closed."""
        if refresh:
            self.obj.refresh_from_db(fields=["anonymised_at", "status", "token_version"])
        return self.obj.anonymised_at is not None

    def erased_text(self) -> str:
        raise NotImplementedError

    def messages(self) -> QuerySet[Any]:
        raise NotImplementedError

    def write(self, party: Party, body: str, notify: bool) -> Model:
        """Store one message (inside the caller's transaction); e-mail if `notify`."""
        raise NotImplementedError

    def company_label(self) -> str:
        raise NotImplementedError

    def provider_of(self, message: Any) -> str:
        raise NotImplementedError

    # --- addresses: the URL names are "<prefix>", "<prefix>_thread", "<prefix>_file" --

    url_prefix: ClassVar[str] = ""  # "" for a concern, "booking_" for a booking

    def _route(self, party: Party) -> tuple[str, dict[str, str]]:
        kwargs = {"network_slug": self.obj.network.slug, "code": self.code}
        if party.user is None:
            return f"site:chat:{self.url_prefix}company", {**kwargs, "token": party.token}
        return f"site:chat:{self.url_prefix}staff", kwargs

    def urls(self, party: Party) -> dict[str, str]:
        name, kwargs = self._route(party)
        return {
            "page": reverse(name, kwargs=kwargs),
            "thread": reverse(f"{name}_thread", kwargs=kwargs),
            "back": self.back_url(party, kwargs),
            "socket": self.socket_url(party),
        }

    def file_url(self, party: Party, file_code: str) -> str:
        name, kwargs = self._route(party)
        return reverse(f"{name}_file", kwargs={**kwargs, "file_code": file_code})

    def back_url(self, party: Party, kwargs: dict[str, str]) -> str:
        raise NotImplementedError

    def socket_url(self, party: Party) -> str:
        raise NotImplementedError


class ConcernThread(Thread):
    """The concern's own messages: the chat and the desk show one thread."""

    kind = "concern"
    message_field = "message"

    obj: Concern

    def erased_text(self) -> str:
        return _("This concern has been erased.")

    def messages(self) -> QuerySet[Any]:
        from anlaufstelle.cases.models import Message

        return Message.objects.filter(concern=self.obj).select_related(
            "attachment", "referral__provider"
        )

    def write(self, party: Party, body: str, notify: bool) -> Model:
        from anlaufstelle.cases import services as case_services

        from .services import ChatError

        try:
            return case_services.add_message(
                concern=self.obj,
                body=body,
                sender=party.sender,
                by=party.user,
                referral=party.referral,
                notify=notify,
            )
        except case_services.CaseError as exc:
            raise ChatError(exc.message) from exc

    def company_label(self) -> str:
        return str(self.obj.company_name or _("Company"))

    def provider_of(self, message: Any) -> str:
        if message.sender == Actor.PARTNER and message.referral_id:
            with scopes_disabled():
                return message.referral.provider.name if message.referral else ""
        return ""

    def back_url(self, party: Party, kwargs: dict[str, str]) -> str:
        if party.user is None:
            return reverse("site:cases:status", kwargs=kwargs)
        back = "site:cases:partner_concern" if party.referral else "site:cases:concern"
        return reverse(back, kwargs=kwargs)

    def socket_url(self, party: Party) -> str:
        base = f"/ws/n/{self.obj.network.slug}/anliegen"
        if party.user is None:
            return f"{base}/status/{self.code}/{party.token}/chat/"
        return f"{base}/team/{self.code}/chat/"


class BookingThread(Thread):
    """A booked appointment: the company and the expert's side before (and after) it."""

    kind = "booking"
    message_field = "booking_message"
    url_prefix = "booking_"

    obj: Booking

    def erased_text(self) -> str:
        return _("This appointment has been erased.")

    def messages(self) -> QuerySet[Any]:
        from .models import BookingMessage

        return BookingMessage.objects.filter(booking=self.obj).select_related("attachment")

    def write(self, party: Party, body: str, notify: bool) -> Model:
        from django.db import transaction

        from anlaufstelle.cases import services as case_services

        from .models import BookingMessage
        from .services import ChatError

        try:
            body = case_services.check_text(body, field="message", maximum=MAX_MESSAGE)
        except case_services.CaseError as exc:
            raise ChatError(exc.message) from exc
        message = BookingMessage.objects.create(
            network_id=self.network_id,
            booking=self.obj,
            sender=party.sender,
            author=party.user,
            body=body,
        )
        if notify:
            from . import tasks

            pk = message.pk
            transaction.on_commit(lambda: tasks.notify_booking_message.enqueue(pk))
        return message

    def company_label(self) -> str:
        return str(self.obj.company or self.obj.name or _("Company"))

    def provider_of(self, message: Any) -> str:
        if message.sender != Actor.PARTNER:
            return ""
        with scopes_disabled():
            return str(self.obj.slot.schedule.provider.name)

    def back_url(self, party: Party, kwargs: dict[str, str]) -> str:
        if party.user is None:
            return reverse("site:booking:view", kwargs=kwargs)
        return _calendar_day(self.obj)

    def socket_url(self, party: Party) -> str:
        base = f"/ws/n/{self.obj.network.slug}/termine"
        if party.user is None:
            return f"{base}/termin/{self.code}/{party.token}/chat/"
        return f"{base}/kalender/{self.code}/chat/"


# As long as a concern's message (cases.services.MAX_MESSAGE).
MAX_MESSAGE = 5000


def _calendar_day(booking: Booking) -> str:
    from django.utils import timezone

    day = timezone.localtime(booking.slot.starts_at).date()
    calendar = reverse("site:booking:calendar", kwargs={"network_slug": booking.network.slug})
    return f"{calendar}?tag={day.isoformat()}&ansicht=tag"
