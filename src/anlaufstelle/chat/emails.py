"""E-mails of the chat: "you have a new message" for a booking's chat, sent through the
mail outbox when the other side was not online. They carry no message text (an e-mail
travels further than the page): only who wrote and the link to the chat.

A concern's chat needs none of its own: its messages are the desk's and the desk
notifies (cases.services.add_message).
"""

from __future__ import annotations

from django.urls import reverse

from anlaufstelle.booking import tokens
from anlaufstelle.cases.models import Actor
from anlaufstelle.lib.mail import absolute, send_templated

from .models import BookingMessage


def send_booking_message(message: BookingMessage) -> None:
    booking = message.booking
    schedule = booking.slot.schedule
    slug = booking.network.slug
    context = {"booking": booking, "schedule": schedule, "from_company": False}
    if message.sender == Actor.COMPANY:
        to = schedule.expert_email
        if not to:
            return
        context["from_company"] = True
        context["url"] = absolute(
            reverse("site:chat:booking_staff", kwargs={"network_slug": slug, "code": booking.code})
        )
        language = "de"
    else:
        if not booking.email:
            return
        to = booking.email
        token = tokens.make_token(booking, "view")
        context["url"] = absolute(
            reverse(
                "site:chat:booking_company",
                kwargs={"network_slug": slug, "code": booking.code, "token": token},
            )
        )
        language = booking.language or "de"
    send_templated(
        "chat/email/booking_message_subject.txt",
        "chat/email/booking_message.txt",
        context,
        [to],
        language,
        network_id=booking.network_id,
    )
