"""Why a result fits, in one line: shared by the search page, the JSON API, the assistant
and the concern suggestions.

Every part names something that is in the item: an abbreviation of the query in its
title ("Abkürzung im Titel: EGZ"); the item's own words that answer the query's words
("Im Text: Gastgewerbe, Saisonkräfte" for "Koch für die Saison": stems, compound parts
and the built-in synonym groups match, the item's spelling is shown — never an echo of
the query); the item's audiences that fit the company's profile (worded by the caller);
up to two of its topics. Stop words (German and English), vague words and words found in
a quarter of the network's rows are never named. An item found by meaning alone gets its
topics only. `voice` says who reads it: the company ("search", "company") or the
navigators about a company's concern ("staff"); it words the audience part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.utils.translation import gettext as _

from .analysis import analyse, word_terms
from .engine import ACRONYM_RE, Hit
from .language import ENGLISH_FUNCTION_WORDS
from .lexicon import fold, load_stopwords, on_lexicon_change
from .models import SearchDocument

VOICES = ("search", "company", "staff")
MAX_WORDS = 4
MAX_TOPICS = 2
# The words of a long text that are compared (a concern can be long).
MAX_TEXT_CHARS = 500
SEPARATOR = " · "
WORD_RE = re.compile(r"[\wÄÖÜäöüß]+(?:-[\wÄÖÜäöüß]+)*")


# Function words of English questions (the German ones are the search's stop words).
ENGLISH_STOPWORDS = ENGLISH_FUNCTION_WORDS | frozenset({"near", "need", "get", "want"})
# German words that are no stop words for the search but say nothing about what an item
# is about: a reason never names them.
VAGUE_WORDS = frozenset(
    fold(w)
    for w in [
        "seit",
        "ab",
        "bisher",
        "bereits",
        "neu",
        "neue",
        "neuen",
        "neuer",
        "neues",
        "gern",
        "gerne",
        "bald",
        "heute",
        "morgen",
        "sowie",
        "jahr",
        "jahre",
        "jahren",
        "jahres",
        "monat",
        "monate",
        "monaten",
        "bzw",
        "ggf",
        "etc",
        "z",
        "b",
        "dabei",
        "daher",
        "dafür",
        "damit",
        "davon",
        "dazu",
        "hierzu",
        "hierbei",
    ]
)
# A word of the item whose every matching term is in more than this share of the
# network's rows carries no meaning for a reason (applies from `MEANING_MIN_ROWS` rows).
COMMON_SHARE = 0.25
MEANING_MIN_ROWS = 100


def reason_stopwords() -> frozenset[str]:
    """The folded words a reason never names."""
    return load_stopwords() | ENGLISH_STOPWORDS | VAGUE_WORDS


@on_lexicon_change
@lru_cache(maxsize=50_000)
def word_keys(word: str) -> frozenset[str]:
    """The analysed terms of one word: stem, compound parts, built-in synonym groups."""
    return frozenset(word_terms(word.lower(), True, True)) | frozenset(analyse(word).groups)


def _meaningful(word: str, stop: frozenset[str]) -> bool:
    key = fold(word)
    if key in stop or word.isdigit():
        return False
    # An abbreviation ("EGZ", "EQ") is short but meaningful; other short words are not.
    return len(word) >= 3 or bool(ACRONYM_RE.match(word))


def query_words(text: str) -> list[tuple[str, frozenset[str]]]:
    """The meaningful words of the query (or concern) with their analysed terms."""
    stop = reason_stopwords()
    out: list[tuple[str, frozenset[str]]] = []
    seen: set[str] = set()
    for word in WORD_RE.findall(text[:MAX_TEXT_CHARS]):
        key = fold(word)
        if key in seen or not _meaningful(word, stop):
            continue
        seen.add(key)
        out.append((word, word_keys(word)))
    return out


def _common_terms(doc: SearchDocument) -> frozenset[str]:
    from . import snapshots

    snap = snapshots.snapshot(doc.network_id)
    rows = snap.stamp[0]
    if rows < MEANING_MIN_ROWS:
        return frozenset()
    return frozenset(t for t, n in snap.term_df.items() if n > COMMON_SHARE * rows)


def item_words(
    text: str, doc: SearchDocument, limit: int = MAX_WORDS, common: frozenset[str] | None = None
) -> list[str]:
    """The item's own words (title first, then body, as the item spells them) that match
    the query's words — one per query word, in the order of the query: what in the item
    answers the question, not an echo of it. Stop words, vague words and words common to
    a large part of the network's rows are never named."""
    wanted = query_words(text)
    if not wanted:
        return []
    all_wanted = frozenset().union(*(terms for _, terms in wanted))
    common = _common_terms(doc) if common is None else common
    stop = reason_stopwords()
    candidates: list[tuple[str, frozenset[str], str]] = []
    seen: set[str] = set()
    for word in WORD_RE.findall(doc.title) + WORD_RE.findall(doc.body):
        key = fold(word)
        if key in seen:
            continue
        seen.add(key)
        if not _meaningful(word, stop):
            continue
        hit = word_keys(word) & all_wanted
        if hit and not hit <= common:
            stem = word_terms(word.lower(), True, True)[0]
            candidates.append((word, hit - common, stem))
    named: list[str] = []
    for _word, terms in wanted:
        # The same word first (same stem), then one sharing a compound part, then a word
        # of the same synonym group.
        own = frozenset(t for t in terms if not t.startswith("syn_"))
        for tier in range(3):
            found = next(
                (
                    w
                    for w, hit, stem in candidates
                    if w not in named
                    and (
                        (stem in own and stem in hit)
                        if tier == 0
                        else bool(hit & (own if tier == 1 else terms))
                    )
                ),
                None,
            )
            if found:
                named.append(found)
                break
        if len(named) >= limit:
            break
    return named


def matched_words(text: str, doc_terms: set[str], limit: int = MAX_WORDS) -> list[str]:
    """The words of `text` whose analysed terms (stems, compound parts, built-in synonym
    groups) the item carries, in their original spelling, first occurrence first."""
    named = []
    for word, terms in query_words(text):
        if terms & doc_terms:
            named.append(word)
            if len(named) >= limit:
                break
    return named


def _words_reason(words: list[str]) -> str:
    return _("In the text: %(words)s") % {"words": ", ".join(words)}


def _acronyms_in_title(text: str, title_terms: set[str]) -> list[str]:
    from .synonyms import builtin_synonyms

    found = []
    for word in WORD_RE.findall(text[:MAX_TEXT_CHARS]):
        if (
            ACRONYM_RE.match(word)
            and word not in found
            and set(builtin_synonyms().groups_in([fold(word)])) & title_terms
        ):
            found.append(word)
    return found


def topic_reason(slugs: Iterable[str], labels: Mapping[str, str]) -> str:
    names = [labels[s] for s in slugs if s in labels][:MAX_TOPICS]
    return _("Topic: %(topics)s") % {"topics": ", ".join(names)} if names else ""


def audience_reason(labels: list[str], *, for_sector: bool, voice: str) -> str:
    """Audiences of the item that fit the company; `for_sector` when they are its sector."""
    if not labels:
        return ""
    joined = ", ".join(labels)
    if for_sector:
        if voice == "staff":
            return _("For companies like this one: %(audiences)s") % {"audiences": joined}
        return _("For companies like yours: %(audiences)s") % {"audiences": joined}
    return _("Meant for: %(audiences)s") % {"audiences": joined}


def hit_reasons(
    *,
    text: str,
    doc: SearchDocument,
    hit: Hit | None,
    topic_labels: Mapping[str, str],
    voice: str = "search",
    audience: str = "",
) -> list[str]:
    """The parts of a hit's reason line, most telling first (join with `SEPARATOR`).

    `audience` is an audience reason already worded by the caller (it knows the profile).
    """
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}; one of {', '.join(VOICES)}")
    title_terms = set(doc.title_terms.split())
    reasons: list[str] = []
    acronyms = _acronyms_in_title(text, title_terms)
    words = item_words(text, doc)
    if acronyms:
        reasons.append(_("Abbreviation in the title: %(words)s") % {"words": ", ".join(acronyms)})
        words = [w for w in words if w not in acronyms]
    if words:
        reasons.append(_words_reason(words))
    if audience:
        reasons.append(audience)
    topic = topic_reason(doc.topics or [], topic_labels)
    if topic:
        reasons.append(topic)
    return reasons


def reason_line(**kwargs: object) -> str:
    """`hit_reasons` joined into the one line a result shows."""
    return SEPARATOR.join(hit_reasons(**kwargs))  # type: ignore[arg-type]
