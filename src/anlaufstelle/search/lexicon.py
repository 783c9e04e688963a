"""Word lists: umlaut folding, stop words and the German lexicon used for compounds.

The lexicon is the German frequency dictionary shipped inside the `pyspellchecker`
package (MIT licence, about 340,000 word forms, 1 MB compressed, no runtime download)
plus the words of our own corpus (every indexed row's title and body; the table
`SearchCorpusWord` holds them, maintained by every index write, and
`snapshots.ensure_lexicon` loads them into each process) — so the catalog's own terms
(Einstiegsqualifizierung, Welcome Center, …) split and correct even where the general
dictionary lacks them. docs/decisions/0003-search.md compares it with the alternatives
we measured.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol, TypeVar

DATA_DIR = Path(__file__).resolve().parent / "data"
FOLD_TABLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e"})
# Shortest part a compound may be split into ("Lohn", "Kita", "Azubi").
MIN_PART = 4

_corpus_words: set[str] = set()  # folded
_corpus_lock = threading.Lock()


def fold(word: str) -> str:
    """Lower-case with umlauts and ß folded: Fachkräfte, fachkrafte → fachkrafte."""
    return word.lower().translate(FOLD_TABLE)


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    lines = (DATA_DIR / "stopwords_de.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


@lru_cache(maxsize=1)
def german_words() -> frozenset[str]:
    """The folded German dictionary words of at least MIN_PART letters."""
    try:
        ref = resources.files("spellchecker") / "resources" / "de.json.gz"
        with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - dependency missing
        data = {}
    return frozenset(fold(w) for w in data if len(w) >= MIN_PART and w.isalpha())


class _Cached(Protocol):
    def cache_clear(self) -> None: ...


CachedT = TypeVar("CachedT", bound=_Cached)

_cache_clearers: list[_Cached] = []


def on_lexicon_change(clear: CachedT) -> CachedT:
    """Register a cached function whose cache depends on the lexicon (decorator; the
    function keeps its type, so callers still see its signature)."""
    _cache_clearers.append(clear)
    return clear


# Longest word kept in the corpus lexicon (the length of SearchCorpusWord.word).
MAX_CORPUS_WORD = 255


def lexicon_words(words: Iterable[str]) -> set[str]:
    """The folded words of `words` that the corpus lexicon keeps."""
    folded = (fold(w) for w in words if len(w) >= MIN_PART and w.isalpha())
    return {w for w in folded if len(w) <= MAX_CORPUS_WORD}


def set_corpus_words(words: Iterable[str]) -> bool:
    """Make `words` (the indexed corpus's words) part of the lexicon; True if it changed."""
    new = lexicon_words(words)
    global _corpus_words
    with _corpus_lock:
        if new == _corpus_words:
            return False
        _corpus_words = new
        for cached in _cache_clearers:
            cached.cache_clear()
    return True


def add_corpus_words(words: Iterable[str]) -> None:
    """Add words without dropping the known ones (indexing a new document)."""
    set_corpus_words(set(_corpus_words) | set(words))


def corpus_words() -> set[str]:
    return _corpus_words


def is_known_word(folded: str) -> bool:
    """A real word: in the German dictionary or in the indexed corpus."""
    return folded in german_words() or folded in _corpus_words
