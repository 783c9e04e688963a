"""Background tasks of the chat (django-tasks): they take primary keys and enter the row's
network scope, like the desk's (cases/tasks.py)."""

from __future__ import annotations

from django_scopes import scopes_disabled
from django_tasks import task

from anlaufstelle.networks.scoping import network_scope

from . import emails
from .models import BookingMessage


@task()
def notify_booking_message(message_id: int) -> None:
    """E-mail the other side of a booking's chat about a new message (it was offline)."""
    with scopes_disabled():
        message = (
            BookingMessage.objects.select_related(
                "booking__network",
                "booking__slot__schedule__provider",
                "booking__slot__schedule__expert",
            )
            .filter(pk=message_id)
            .first()
        )
    if message is None or message.booking.anonymised_at is not None:
        return
    with network_scope(message.booking.network):
        emails.send_booking_message(message)
