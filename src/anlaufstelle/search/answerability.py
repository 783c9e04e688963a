"""Can the network answer this question? One judgement from several signals.

Embedding similarity alone cannot tell an off-topic question from an in-domain one
(unrelated German texts score cosine 0.76–0.81 with multilingual-e5-small, in-domain
matches from 0.79 up), so the decision combines:

- domain vocabulary: words of the query that belong to the field (companies, staff,
  training, funding, hiring …, German and English stems, compound parts included), and
  the built-in synonym groups the query matches (occupations, sectors, programmes) —
  unless the question is a private errand (buying, ordering, a recipe);
- lexical evidence after analysis: the share of the analysed query terms the visible
  collection contains, and how many rows the lexical search matched at all;
- the semantic score: the best cosine and its margin over the median of the candidates;
- the intent, when the caller knows it (a request the assistant recognised as out of
  scope is never answerable).

`assess` is a pure function of the query, the search's ranked result (with its scores)
and the document frequencies of the query terms; `judge` looks those frequencies up for
the visible networks. The search page, the JSON API and the assistant all call `judge`
on the same hybrid result: the page and the API show "no good match" (the navigators'
form and the topic tiles) instead of a list, the assistant answers out of scope or
offers the hand-over. It does not change the ranking. The signals are read from the
first `SIGNAL_DEPTH` hits only, so a caller that asks for more results gets the same
verdict.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from . import snapshots
from .analysis import word_terms
from .engine import SearchResult
from .lexicon import fold, load_stopwords

# The signals come from this many of the best hits (the assistant asks for 30, the
# search page for 60: both must get the same verdict).
SIGNAL_DEPTH = 30

# Folded stems of the field's words; a query word or analysed term starting with one counts.
DOMAIN_PREFIXES = (
    # German
    "betrieb", "firma", "firmen", "unternehm", "mitarbeit", "beschaftig", "angestellt",
    "personal", "belegschaft", "azubi", "auszubild", "ausbild", "lehrling", "lehrstell",
    "praktik", "fachkraft", "fachkrafte", "bewerb", "einstell", "kundig", "forder",
    "zuschuss", "zuschuss", "weiterbild", "fortbild", "qualifiz", "umschul", "arbeitgeb",
    "arbeitnehm", "arbeitsplatz", "arbeitslos", "arbeitsagentur", "arbeitskraft",
    "jobcenter", "job", "kammer", "ihk", "hwk", "berat", "anerkenn", "visum", "aufenthalt",
    "grunder", "grundung", "existenzgr", "nachfolg", "inklusion", "behinder",
    "schwerbehind", "gesundheitsmanag", "handwerk", "gewerb", "chef", "team", "stellenanz",
    "recruit", "karriere", "beruf", "studium", "hochschul", "schulabg", "gefluchtet",
    "zuwander", "integration", "fachkrafteverf", "lohn", "gehalt", "arbeitsz",
    "kundigung", "gekundigt", "mannschaft", "fluktuation", "mitarbeiterbind", "ubergabe",
    # the lab's own formats: what a company books or attends here
    "sprechstund", "coaching", "workshop", "seminar", "webinar",
    # English
    "employ", "hire", "hiring", "recruit", "compan", "staff", "apprentic", "trainee",
    "training", "subsid", "fund", "grant", "business", "employer", "worker", "skilled",
    "workforce", "vacanc", "internship", "qualif", "advice", "counsel", "career", "refugee",
    "retire", "successor", "succession", "takeover", "consultation", "webinar",
)  # fmt: skip
# Compound endings of the field ("Bürokraft", "Pflegekräfte", "Fachkräftesicherung").
DOMAIN_SUFFIXES = ("kraft", "krafte", "betrieb", "betriebe", "beruf", "berufe", "forderung")
WORD_RE = re.compile(r"[\wÄÖÜäöüß]+")
GROUP_PREFIX = "syn_"  # the analysis's token of a built-in synonym group (synonyms.py)
# Words of a private errand (shopping, ordering, cooking at home), folded.
ERRAND_PREFIXES = (
    "kauf",
    "gekauft",
    "bestell",
    "rezept",
    "ticket",
    "lieferdienst",
    "gunstig",
    "billig",
)


@dataclass(frozen=True)
class Thresholds:
    # With a domain word: answerable on any lexical match or this cosine.
    domain_cosine: float = 0.80
    # Without one: the collection must know most terms, match many rows lexically and be
    # semantically close — or the cosine alone must be high.
    known_share: float = 0.5
    lexical_rows: int = 10
    plain_cosine: float = 0.83
    strong_cosine: float = 0.87


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Signals:
    content_words: int
    domain_words: tuple[str, ...]
    known_share: float
    lexical_rows: int
    top_cosine: float
    cosine_margin: float
    foreign: bool
    # Query words that are compounds (they have parts) and that visible rows contain as
    # a whole ("Bildungszeit"): specific evidence, though it matches few rows — the
    # query no longer matches the rows of its parts (engine.drop_known_compound_parts).
    known_compounds: int = 0


@dataclass(frozen=True)
class Answerability:
    answerable: bool
    reason: str  # which rule decided (for the evaluation and the logs)
    signals: Signals


def is_domain_word(folded: str) -> bool:
    return folded.startswith(DOMAIN_PREFIXES) or (
        len(folded) > 8 and folded.endswith(DOMAIN_SUFFIXES)
    )


def signals(query: str, result: SearchResult, term_df: Mapping[str, int] | None) -> Signals:
    stop = load_stopwords()
    words = [fold(w) for w in WORD_RE.findall(query)]
    content = [w for w in words if w not in stop and len(w) > 1]
    domain = tuple(dict.fromkeys(w for w in content if is_domain_word(w)))
    if not domain:
        domain = tuple(dict.fromkeys(t for t in result.analysis.terms if is_domain_word(t)))
    # The built-in synonym groups are the field's curated vocabulary too (occupations,
    # sectors, programmes: "Koch" -> hospitality, "Saison" -> tourism); the analysis
    # marks a matched group with its token.
    # Not for a private errand, though ("Rezept für schwäbische Küche", "Hotel günstig
    # kaufen"): there the sector word names what the visitor wants to consume.
    if not any(w.startswith(ERRAND_PREFIXES) for w in content):
        domain += tuple(
            t for t in dict.fromkeys(result.analysis.terms) if t.startswith(GROUP_PREFIX)
        )
    terms = result.analysis.terms
    hits = result.hits[:SIGNAL_DEPTH]
    known = 0.0
    if terms and term_df is not None:
        known = sum(1 for t in terms if term_df.get(t, 0) > 0) / len(terms)
    compounds = 0
    if term_df is not None:
        wholes = {
            word_terms(w, True, True)[0] for w in content if len(word_terms(w, True, True)) > 1
        }
        compounds = sum(1 for t in wholes if term_df.get(t, 0) > 0)
    cosines = [h.cosine for h in hits if h.cosine is not None]
    top = max(cosines) if cosines else 0.0
    margin = top - statistics.median(cosines) if cosines else 0.0
    return Signals(
        content_words=len(content),
        domain_words=domain,
        known_share=round(known, 4),
        lexical_rows=sum(1 for h in hits if h.lexical_rank is not None),
        top_cosine=round(top, 4),
        cosine_margin=round(margin, 4),
        foreign=result.analysis.foreign,
        known_compounds=compounds,
    )


def assess(
    query: str,
    result: SearchResult,
    *,
    term_df: Mapping[str, int] | None = None,
    intent: str = "",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Answerability:
    """Whether the ranked `result` answers `query` (see the module docstring).

    `term_df` maps the analysed query terms to the number of visible rows that contain
    them (snapshots.document_frequencies); without it the lexical share counts as 0.
    """
    sig = signals(query, result, term_df)
    if intent == "out_of_scope":
        return Answerability(False, "intent", sig)
    if not result.hits or sig.content_words == 0:
        return Answerability(False, "empty", sig)
    if sig.domain_words and (sig.lexical_rows > 0 or sig.top_cosine >= thresholds.domain_cosine):
        return Answerability(True, "domain", sig)
    if sig.top_cosine >= thresholds.strong_cosine:
        return Answerability(True, "semantic", sig)
    if (
        sig.known_share >= thresholds.known_share
        and (sig.lexical_rows >= thresholds.lexical_rows or sig.known_compounds > 0)
        and sig.top_cosine >= thresholds.plain_cosine
    ):
        return Answerability(True, "lexical", sig)
    return Answerability(False, "weak", sig)


def judge(
    query: str,
    result: SearchResult,
    network_ids: list[int],
    *,
    intent: str = "",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Answerability:
    """`assess` with the document frequencies of the query's terms over `network_ids`
    (the networks the search ran over): the one call of the page, the API and the
    assistant."""
    term_df, _rows = snapshots.document_frequencies(network_ids, result.analysis.terms)
    return assess(query, result, term_df=term_df, intent=intent, thresholds=thresholds)
