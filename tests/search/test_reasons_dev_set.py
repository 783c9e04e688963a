"""Over the 60 development questions (shared/eval/search_dev.jsonl, the questions only)
and the demo catalog: every part of every "Why:" line of the first ten results names
something that is really in the item — its own words, its topics, an abbreviation whose
group its title carries — and never a stop word."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids
from anlaufstelle.search import snapshots
from anlaufstelle.search.analysis import analyse
from anlaufstelle.search.engine import SearchOptions, place_words, search, strip_words
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.lexicon import fold
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.queries import topic_labels
from anlaufstelle.search.reasons import WORD_RE, hit_reasons, reason_stopwords

QUESTIONS = Path(__file__).parent / "data" / "dev_questions.jsonl"


@pytest.fixture
def demo_index(db, settings):
    settings.SEARCH_AUTO_INDEX = False
    snapshots.invalidate()
    call_command("load_demo", verbosity=0)
    rebuild_index(embed=False)
    yield
    snapshots.invalidate()


def _label_and_values(part: str) -> tuple[str, list[str]]:
    label, _, values = part.partition(": ")
    return label, [v.strip() for v in values.split(", ") if v.strip()]


def test_every_reason_names_something_in_the_item_and_no_stop_word(demo_index):
    stop = reason_stopwords()
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        labels = topic_labels()
        checked = named_words = 0
        for question in questions:
            network = networks[question["network"]]
            ids = visible_network_ids(network)
            result = search(
                question["query"],
                ids,
                own_network_id=network.pk,
                options=SearchOptions.for_mode("lexical"),
                limit=10,
            )
            docs = SearchDocument.objects.in_bulk([h.doc_id for h in result.hits])
            text = strip_words(question["query"], place_words(network.pk))
            for hit in result.hits:
                doc = docs[hit.doc_id]
                item_words = {fold(w) for w in WORD_RE.findall(f"{doc.title} {doc.body}")}
                topics = {labels[s] for s in doc.topics or [] if s in labels}
                title_terms = set(doc.title_terms.split())
                for part in hit_reasons(text=text, doc=doc, hit=hit, topic_labels=labels):
                    checked += 1
                    label, values = _label_and_values(part)
                    assert values, part
                    where = f"{question['id']} {doc.ref}: {part!r}"
                    if label == "Im Text":
                        for value in values:
                            named_words += 1
                            assert fold(value) in item_words, where
                            assert fold(value) not in stop, where
                    elif label == "Thema":
                        assert set(values) <= topics, where
                    elif label == "Abkürzung im Titel":
                        for value in values:
                            assert set(analyse(value).groups) & title_terms, where
                    else:
                        pytest.fail(f"unexpected reason {where}")
                    for word in re.findall(r"[\wÄÖÜäöüß]+", ", ".join(values)):
                        if label == "Im Text":
                            assert fold(word) not in stop, where
    assert checked > 300 and named_words > 100  # the check really ran over many reasons
