from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "anlaufstelle.networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the tenancy system check)
