from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommunityConfig(AppConfig):
    name = "anlaufstelle.community"
    label = "community"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        from anlaufstelle.search import registry

        from . import search_source
        from .models import Thread

        # One document per visible thread; its kind says whether an expert answered it
        # (only those are cited by the assistant). Both kinds share reference and page.
        for kind, label in (
            (search_source.KIND, pgettext_lazy("search result type", "Forum post")),
            (search_source.ANSWERED_KIND, pgettext_lazy("search result type", "Expert answer")),
        ):
            registry.register_source(
                kind,
                items=search_source.all_items if kind == search_source.KIND else _nothing,
                item_for=search_source.item_for,
                url=search_source.result_url,
                label=label,
            )
        registry.watch(Thread, search_source.KIND, ref=search_source.thread_ref)


def _nothing() -> list:
    # all_items() of the first kind already yields both kinds of documents.
    return []
