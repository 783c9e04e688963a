from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediathekConfig(AppConfig):
    name = "anlaufstelle.mediathek"
    label = "mediathek"
    verbose_name = _("Mediathek")

    def ready(self) -> None:
        from . import search  # registers articles, episodes and videos with the search

        search.register()
