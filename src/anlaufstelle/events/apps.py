from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventsConfig(AppConfig):
    name = "anlaufstelle.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from anlaufstelle.search import registry

        from . import search_source
        from .models import Event

        registry.register_source(
            "event",
            items=search_source.all_items,
            item_for=search_source.item_for,
            url=search_source.result_url,
            label=pgettext_lazy("search result type", "Event"),
            date=search_source.result_date,
        )
        registry.watch(Event, "event", m2m=[Event.topics.through])

        from anlaufstelle.directory import catalog_import

        from .catalog import import_raw_events

        if import_raw_events not in catalog_import.EVENT_IMPORTERS:
            catalog_import.EVENT_IMPORTERS.append(import_raw_events)
