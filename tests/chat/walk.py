"""Real rows for the route walks (tests/test_hostile_input.py): a concern's chat with a
file, a booking's chat with a file (the walk's booking), and an open consultation hour
with one company waiting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled


def hostile_walk_values(
    network: Any, concern: Any, host: Any, settings: Any
) -> dict[str, dict[str, str]]:
    import tempfile

    from anlaufstelle.booking import tokens
    from anlaufstelle.booking.models import Booking
    from anlaufstelle.cases import links
    from anlaufstelle.cases.models import Message
    from anlaufstelle.chat import openhours
    from anlaufstelle.chat.models import Attachment, BookingMessage

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="anl-chat-walk-")
    with scopes_disabled():
        message = Message.objects.create(
            network=network, concern=concern, sender="company", body="Mit Datei"
        )
        attachment = Attachment(
            network=network, message=message, name="a.pdf", content_type="application/pdf", size=9
        )
        attachment.file.save(attachment.code, ContentFile(b"%PDF-1.4\n"), save=False)
        attachment.save()
        now = timezone.now()
        hour = openhours.create_open_hour(
            network=network,
            host=host,
            title="Offene Sprechstunde",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        )
        entry = openhours.join(open_hour=hour, name="Anja Muster")
        booking = Booking.objects.filter(network=network).order_by("pk").first()
        booking_values: dict[str, dict[str, str]] = {}
        if booking is not None:
            line = BookingMessage.objects.create(
                network=network, booking=booking, sender="company", body="Mit Datei"
            )
            booking_file = Attachment(
                network=network,
                booking_message=line,
                name="b.pdf",
                content_type="application/pdf",
                size=9,
            )
            booking_file.file.save(booking_file.code, ContentFile(b"%PDF-1.4\n"), save=False)
            booking_file.save()
            linked = {"code": booking.code, "token": tokens.make_token(booking, "view")}
            booking_values = {
                "site:chat:booking_company": linked,
                "site:chat:booking_company_thread": linked,
                "site:chat:booking_company_file": {**linked, "file_code": booking_file.code},
                "site:chat:booking_staff": {"code": booking.code},
                "site:chat:booking_staff_thread": {"code": booking.code},
                "site:chat:booking_staff_file": {
                    "code": booking.code,
                    "file_code": booking_file.code,
                },
            }
    company = {"code": concern.code, "token": links.make_token(concern)}
    return {
        "site:chat:company": company,
        "site:chat:company_thread": company,
        "site:chat:company_file": {**company, "file_code": attachment.code},
        "site:chat:staff": {"code": concern.code},
        "site:chat:staff_from_partner": {"code": concern.code},
        "site:chat:staff_thread": {"code": concern.code},
        "site:chat:staff_file": {"code": concern.code, "file_code": attachment.code},
        "site:chat:open_hour": {"code": hour.code},
        "site:chat:host": {"code": hour.code},
        "site:chat:host_queue": {"code": hour.code},
        "site:chat:queue_entry": {"entry_code": entry.code},
        "site:chat:queue_state": {"entry_code": entry.code},
        **booking_values,
    }
