"""The `plain` baseline leaves out German stop words (like a portal's German analyser):
a stop word alone no longer makes nearly every row a candidate."""

from __future__ import annotations

from django_scopes import scopes_disabled

from anlaufstelle.search.backends import _clean
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.models import SearchDocument


def test_plain_terms_drop_stop_words_unless_there_is_nothing_else():
    assert _clean(["für", "die", "Langzeitarbeitslose"], plain=True) == ["langzeitarbeitslose"]
    assert _clean(["für", "die"], plain=True) == ["für", "die"]
    assert _clean(["für", "die", "zuschuss"]) == ["für", "die", "zuschuss"]  # lexical: as is


def test_a_plain_search_matches_the_content_words_only(search_world):
    ids = search_world.ids(search_world.feldberg)
    result = search("für die Langzeitarbeitslose", ids, options=SearchOptions.for_mode("plain"))
    with scopes_disabled():
        refs = set(
            SearchDocument.objects.filter(pk__in=[h.doc_id for h in result.hits]).values_list(
                "ref", flat=True
            )
        )
    assert refs == {"offer:eingliederungszuschuss"}
