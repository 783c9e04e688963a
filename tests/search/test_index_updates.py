from __future__ import annotations

from django.test import override_settings
from django_scopes import scopes_disabled

from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.models import SearchDocument

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_changing_an_offer_updates_its_document_through_the_task(
    search_world, settings, django_capture_on_commit_callbacks
):
    from anlaufstelle.directory.models import Offer

    settings.SEARCH_AUTO_INDEX = True
    settings.SEARCH_EMBEDDER = "none"
    from anlaufstelle.search.embedders import get_embedder

    get_embedder.cache_clear()
    try:
        with scopes_disabled():
            offer = Offer.objects.get(slug="hwk-ausbildungsberatung")
            with django_capture_on_commit_callbacks(execute=True):
                offer.summary = "Jetzt auch Beratung zur Zahnradfertigung für Lehrbetriebe."
                offer.save()
            doc = SearchDocument.objects.get(ref="offer:hwk-ausbildungsberatung")
        assert "Zahnradfertigung" in doc.body
        net = search_world.feldberg
        result = search(
            "Zahnradfertigung", search_world.ids(net), options=SearchOptions.for_mode("lexical")
        )
        assert [h.doc_id for h in result.hits][:1] == [doc.pk]

        with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
            offer.is_published = False
            offer.save()
        with scopes_disabled():
            assert not SearchDocument.objects.filter(ref="offer:hwk-ausbildungsberatung").exists()
    finally:
        get_embedder.cache_clear()


@override_settings(TASKS=IMMEDIATE)
def test_a_new_topic_of_an_offer_reaches_its_providers_document_too(
    search_world, settings, django_capture_on_commit_callbacks
):
    """A provider's document holds its offers' topics (its facets and its embedded text),
    so a change of an offer's topics alone updates the provider's row as well."""
    from anlaufstelle.directory.models import Offer, Topic

    settings.SEARCH_AUTO_INDEX = True
    settings.SEARCH_EMBEDDER = "none"
    from anlaufstelle.search.embedders import get_embedder

    get_embedder.cache_clear()
    try:
        with scopes_disabled():
            offer = Offer.objects.select_related("provider").get(slug="hwk-ausbildungsberatung")
            provider_ref = f"provider:{offer.provider.slug}"
            topic = Topic.objects.create(slug="nachfolge", label_de="Unternehmensnachfolge")
            with django_capture_on_commit_callbacks(execute=True):
                offer.topics.add(topic)
            doc = SearchDocument.objects.get(ref=provider_ref)
        assert "nachfolge" in doc.topics
        assert "Themen: " in doc.embed_text and "Unternehmensnachfolge" in doc.embed_text
    finally:
        get_embedder.cache_clear()
