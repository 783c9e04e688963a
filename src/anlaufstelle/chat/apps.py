from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "anlaufstelle.chat"
    label = "chat"
    verbose_name = _("Direct chat")

    def ready(self) -> None:
        from anlaufstelle.booking.privacy import EXPORT_EXTRAS
        from anlaufstelle.booking.queries import BOOKING_EXTRAS
        from anlaufstelle.booking.signals import booking_erased
        from anlaufstelle.cases.queries import INBOX_ROW_EXTRAS
        from anlaufstelle.cases.signals import concern_erased

        from . import services

        concern_erased.connect(services.erase_for_concern, dispatch_uid="chat-erase")
        booking_erased.connect(services.erase_for_booking, dispatch_uid="chat-erase-booking")
        if services.add_unread_to_inbox not in INBOX_ROW_EXTRAS:
            INBOX_ROW_EXTRAS.append(services.add_unread_to_inbox)
        if services.add_unread_to_bookings not in BOOKING_EXTRAS:
            BOOKING_EXTRAS.append(services.add_unread_to_bookings)
        if services.export_for_booking not in EXPORT_EXTRAS:
            EXPORT_EXTRAS.append(services.export_for_booking)
