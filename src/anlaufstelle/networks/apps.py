from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "anlaufstelle.networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from django.apps import apps

        from . import checks  # noqa: F401  (registers the tenancy system check)

        # django-tasks-db names its app in plain English (not translatable); the back
        # office lists it among German apps. App names are no part of migrations.
        if apps.is_installed("django_tasks_db"):
            apps.get_app_config("django_tasks_database").verbose_name = _("Background tasks")
