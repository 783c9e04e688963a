"""Every search hit says in one line why it fits: the query words it matched (as typed),
an abbreviation in its title, its topics; the same code words the concern suggestions."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search.engine import Hit
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.reasons import hit_reasons, matched_words, reason_line

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
    # The words as the visitor typed them, not lower-cased or folded.
    assert line.startswith("Passt zu: Lehrling, Handwerkskammer")


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


@pytest.mark.parametrize(
    ("voice", "expected"),
    [
        ("search", "Inhaltlich ähnlich wie Ihre Suche"),
        ("company", "Inhaltlich ähnlich wie Ihre Beschreibung"),
        ("staff", "Inhaltlich ähnlich wie die Beschreibung des Betriebs"),
    ],
)
def test_without_a_matching_word_the_semantic_neighbour_says_so(search_world, voice, expected):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    hit = Hit(doc_id=doc.pk, score=1.0, semantic_rank=1)
    line = reason_line(text="Quargel", doc=doc, hit=hit, topic_labels={}, voice=voice)
    assert line == expected
    # Without a semantic signal there is nothing to claim.
    assert reason_line(text="Quargel", doc=doc, hit=None, topic_labels={}, voice=voice) == ""


def test_the_wording_follows_the_reader(search_world):
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:eingliederungszuschuss")
    text = "Eingliederungszuschuss"
    assert reason_line(text=text, doc=doc, hit=None, topic_labels={}, voice="company") == (
        "Passt zu Ihren Worten: Eingliederungszuschuss"
    )
    assert reason_line(text=text, doc=doc, hit=None, topic_labels={}, voice="staff") == (
        "Passt zu den Worten des Betriebs: Eingliederungszuschuss"
    )
    with pytest.raises(ValueError):
        reason_line(text=text, doc=doc, hit=None, topic_labels={}, voice="other")
