"""Every search hit says in one line why it fits: the query words it matched (as typed),
an abbreviation in its title, its topics; the same code words the concern suggestions."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search.engine import Hit
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.reasons import hit_reasons, item_words, matched_words, reason_line

SEARCH = "/n/feldberg/suche/"


def reasons_on_page(html: str) -> dict[str, str]:
    """Result title (without marks) -> its reason line."""
    pairs = re.findall(
        r'search-hit__title"><a[^>]*>(.*?)</a>.*?search-hit__reason"><strong>Warum:</strong> '
        r"(.*?)</p>",
        html,
        re.S,
    )
    return {re.sub(r"<[^>]+>", "", title): reason for title, reason in pairs}


def test_each_hit_on_the_search_page_says_why_it_fits(client, search_world):
    html = client.get(SEARCH, {"q": "Lehrling Handwerkskammer"}).content.decode()
    reasons = reasons_on_page(html)
    hits = re.findall(r'class="search-hit"', html)
    assert hits and len(reasons) == len(hits)
    line = reasons["Ausbildungsberatung der Handwerkskammer"]
    # The item's own words that answer the query's ("Lehrling" -> "Auszubildende", one
    # synonym group), as the item spells them: not an echo of the query.
    assert line.startswith("Im Text: Auszubildende, Handwerkskammer")


def test_the_matched_words_keep_their_spelling_and_skip_stop_words():
    doc_terms = {"koch", "saison", "syn_gastronomie"}
    assert matched_words("Finde keinen Koch für die Saison, was kann ich machen", doc_terms) == [
        "Koch",
        "Saison",
    ]
    # A synonym group counts: "Küche" belongs to the hospitality group.
    assert matched_words("Hilfe in der Küche", {"syn_gastronomie"}) == ["Küche"]


def test_an_abbreviation_in_the_title_and_the_topic_are_named(search_world):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    labels = {slug: slug.title() for slug in doc.topics or []}
    parts = hit_reasons(text="EGZ", doc=doc, hit=None, topic_labels=labels)
    assert parts[0] == "Abkürzung im Titel: EGZ"
    if doc.topics:
        assert parts[-1].startswith("Thema: ")


@pytest.mark.parametrize("voice", ["search", "company", "staff"])
def test_an_item_found_by_meaning_alone_names_its_topics_not_a_claim(search_world, voice):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    hit = Hit(doc_id=doc.pk, score=1.0, semantic_rank=1)
    labels = {slug: slug.title() for slug in doc.topics or []}
    line = reason_line(text="Quargel", doc=doc, hit=hit, topic_labels=labels, voice=voice)
    assert line == ("Thema: " + ", ".join(labels.values()) if labels else "")
    assert reason_line(text="Quargel", doc=doc, hit=hit, topic_labels={}, voice=voice) == ""


def test_the_words_part_is_the_items_own_for_every_reader(search_world):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    for voice in ("search", "company", "staff"):
        line = reason_line(text="Zuschüsse", doc=doc, hit=None, topic_labels={}, voice=voice)
        assert line == "Im Text: Zuschuss"
    with pytest.raises(ValueError):
        reason_line(text="Zuschuss", doc=doc, hit=None, topic_labels={}, voice="other")


def test_stop_words_english_function_words_and_vague_words_are_never_named(search_world):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    text = "seit einem Jahr for the Zuschuss wenn wir einstellen"
    assert item_words(text, doc) == ["Zuschuss", "einstellen"]
