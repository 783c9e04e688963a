"""German text analysis shared by the index and the query side.

One pipeline turns text into index terms: tokenise, lower-case, match synonym and
abbreviation groups (on the folded surface words, so "Lehre" is not confused with
"Lehrer" as it would be on stems), drop stop words, Snowball-stem each word and add
the stems of its compound parts. The same function runs over documents and queries,
so both sides always agree; the query side additionally corrects typos against the
index vocabulary (see `typos.py`).

Every step can be switched off through `AnalysisOptions`, which is how the evaluation
measures what each step is worth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from .compounds import split_compound
from .lexicon import fold, load_stopwords, on_lexicon_change
from .synonyms import SynonymSet, builtin_synonyms

TOKEN_RE = re.compile(r"[0-9]+[a-zäöüß]*|[a-zäöüß]+(?:[-'][a-zäöüß]+)*", re.IGNORECASE)
# Words this short are never split, and parts shorter than this are never emitted.
MIN_COMPOUND_LENGTH = 8


@dataclass(frozen=True)
class AnalysisOptions:
    """Which steps of the pipeline run (all on for the lexical and hybrid modes)."""

    stem: bool = True
    compounds: bool = True
    synonyms: bool = True
    stopwords: bool = True
    typos: bool = True


PLAIN = AnalysisOptions(stem=False, compounds=False, synonyms=False, stopwords=False, typos=False)
FULL = AnalysisOptions()


@dataclass
class Analysed:
    """The index terms of one text, in order (duplicates kept: they are term frequency)."""

    terms: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # lower-case surface words, in order
    groups: list[str] = field(default_factory=list)  # synonym group tokens found

    def text(self) -> str:
        return " ".join(self.terms)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball German stem of a lower-case word (umlauts folded by the stemmer).

    Snowball strips comparative, superlative and -ung endings too, and after umlaut
    folding some content words then fall onto a function word: "nächster" → "nach",
    "Änderungen" → "ander", "sichern" → "sich", "schöne" → "schon". Such a stem (a stop
    word while the word is not) gets an "e" appended, so the word keeps Snowball's
    class ("nächste", "nächster", "nächsten" → "nache") but no longer meets the
    function word, nor — by a shared prefix — stems such as "nachfolg"; when that is a
    stop word as well ("andere"), the folded word itself is the term.
    """
    snowball = _stemmer().stemWord(word)
    stop = load_stopwords()
    if snowball not in stop:
        return snowball
    folded = fold(word)
    if folded in stop:
        return snowball
    renamed = snowball + "e"
    return renamed if renamed not in stop else folded


def tokenize(text: str) -> list[str]:
    """Lower-case words; hyphenated words give their parts and nothing else."""
    words: list[str] = []
    for match in TOKEN_RE.finditer(text):
        token = match.group(0).lower().replace("'", "")
        if "-" in token:
            words.extend(part for part in token.split("-") if part)
        else:
            words.append(token)
    return words


# Dictionary words that end a German word as a derivational suffix, not as a part of a
# compound: "Mannschaft" is no kind of "Schaft", "Wirtschaft" no kind of "Wirt".
SUFFIX_PARTS = frozenset({"schaft", "schaften"})


def compound_parts(folded: str) -> tuple[str, ...]:
    """The compound parts of a folded word (`split_compound`), with a derivational
    suffix joined back to the part before it ("mannschaft" → no parts,
    "jugendmeisterschaften" → none, "gesellschaftsvertrag" → gesellschaft, vertrag)."""
    parts = list(split_compound(folded))
    if len(parts) >= 2 and parts[-1] in SUFFIX_PARTS:
        parts[-2:] = [parts[-2] + parts[-1]]
    return tuple(parts) if len(parts) >= 2 else ()


@on_lexicon_change
@lru_cache(maxsize=100_000)
def word_terms(word: str, compounds: bool, stemming: bool) -> tuple[str, ...]:
    """Index terms of one surface word: its stem and the stems of its compound parts."""
    terms = [stem(word) if stemming else fold(word)]
    if compounds and len(word) >= MIN_COMPOUND_LENGTH:
        for part in compound_parts(fold(word)):
            term = stem(part) if stemming else part
            if term not in terms:
                terms.append(term)
    return tuple(terms)


def analyse(
    text: str,
    options: AnalysisOptions = FULL,
    synonyms: SynonymSet | None = None,
) -> Analysed:
    """Run the pipeline over `text`; `synonyms` defaults to the built-in groups."""
    words = tokenize(text)
    result = Analysed(words=words)
    stop = load_stopwords() if options.stopwords else frozenset()
    if options.synonyms:
        synonym_set = synonyms if synonyms is not None else builtin_synonyms()
        result.groups = synonym_set.groups_in([fold(w) for w in words])
    for word in words:
        if fold(word) in stop or (len(word) < 2 and not word.isdigit()):
            continue
        if not options.stem and not options.compounds:
            result.terms.append(fold(word))
            continue
        result.terms.extend(word_terms(word, options.compounds, options.stem))
    result.terms.extend(result.groups)
    return result


def analyse_many(texts: Iterable[str], options: AnalysisOptions = FULL) -> list[str]:
    """Analysed text of each input (helper for bulk indexing)."""
    return [analyse(t, options).text() for t in texts]


def unique(terms: Sequence[str]) -> list[str]:
    """Terms without repeats, first occurrence kept."""
    seen: set[str] = set()
    out = []
    for term in terms:
        if term not in seen:
            seen.add(term)
            out.append(term)
    return out
