from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "anlaufstelle.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import checks, metrics, task_context  # noqa: F401 (checks registers itself)

        # The request id travels with enqueued tasks; bookings are counted on commit.
        task_context.connect()
        metrics.connect()
