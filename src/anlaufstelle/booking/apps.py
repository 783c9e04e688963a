from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "anlaufstelle.booking"
    label = "booking"
    verbose_name = _("Appointments and rooms")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the video link pattern check)
