"""Dictionary-based splitting of German compounds (Fachkräfteeinwanderung → two parts).

A word is split into the fewest parts that are all known words (German dictionary or
corpus), each at least `MIN_PART` letters, allowing the linking elements (Fugen) "s",
"es", "n", "en" and "e" between parts. Among splits with equally few parts the one with
the longest shortest part wins — "arbeitsmarkt" becomes arbeit(s)+markt, not a split
that leaves a three-letter scrap. Function words are never parts, so "unternehmen" is
not split into "unter" + "nehmen". A dictionary word is not split into a part that is
rarer than the word itself (frequencies of the German dictionary): "einstellen" is a verb
of its own, not einst + Ellen, while "Berufsschule" (rarer than "Beruf" and "Schule")
still splits. The whole word is always kept as well.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

from .lexicon import MIN_PART, fold, german_words, is_known_word, load_stopwords, on_lexicon_change

FUGEN = ("", "s", "es", "n", "en", "e")
MAX_PARTS = 4


# pyspellchecker's counts start at 50: most rare words (and most compound parts:
# "Lohn", "Zuschuss") have exactly that, so only the words above it are stored.
FREQUENCY_FLOOR = 50


@lru_cache(maxsize=1)
def _frequent_words() -> dict[str, int]:
    """Folded dictionary words more frequent than the floor, with their counts."""
    try:
        ref = resources.files("spellchecker") / "resources" / "de.json.gz"
        with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            data: dict[str, int] = json.load(fh)
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - dependency missing
        return {}
    counts: dict[str, int] = {}
    for word, n in data.items():
        if len(word) >= MIN_PART and word.isalpha():
            key = fold(word)
            counts[key] = counts.get(key, 0) + n
    return {w: n for w, n in counts.items() if n > FREQUENCY_FLOOR}


def frequency(word: str) -> int:
    """Dictionary frequency of a folded word; 0 for a word only our corpus knows."""
    found = _frequent_words().get(word)
    if found is not None:
        return found
    return FREQUENCY_FLOOR if word in german_words() else 0


def _is_part(word: str) -> bool:
    return len(word) >= MIN_PART and word not in load_stopwords() and is_known_word(word)


@on_lexicon_change
@lru_cache(maxsize=100_000)
def _best(word: str, depth: int) -> tuple[str, ...] | None:
    """Best split of `word` into known parts (the word itself counts as one part)."""
    if _is_part(word):
        return (word,)
    if depth >= MAX_PARTS:
        return None
    best: tuple[str, ...] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head, rest = word[:cut], word[cut:]
        for fuge in FUGEN:
            if fuge and not rest.startswith(fuge):
                continue
            tail = rest[len(fuge) :]
            if len(tail) < MIN_PART or not _is_part(head):
                continue
            tail_parts = _best(tail, depth + 1)
            if tail_parts is None:
                continue
            candidate = (head, *tail_parts)
            if best is None or _rank(candidate) > _rank(best):
                best = candidate
    return best


def _rank(parts: tuple[str, ...]) -> tuple[int, int, int]:
    return (-len(parts), min(len(p) for p in parts), len(parts[-1]))


@on_lexicon_change
@lru_cache(maxsize=100_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Parts of a folded compound, or () when it is not a compound of known words.

    A known word is split too (Berufsschule → beruf, schule) when it is made of known
    parts: the search should find "Schule" in it.
    """
    best: tuple[str, ...] | None = None
    whole = frequency(word)
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head, rest = word[:cut], word[cut:]
        if not _is_part(head):
            continue
        for fuge in FUGEN:
            if fuge and not rest.startswith(fuge):
                continue
            tail = rest[len(fuge) :]
            if len(tail) < MIN_PART:
                continue
            tail_parts = _best(tail, 2)
            if tail_parts is None:
                continue
            candidate = (head, *tail_parts)
            if min(frequency(p) for p in candidate) < whole:
                continue  # a word in its own right, not made of these parts
            if best is None or _rank(candidate) > _rank(best):
                best = candidate
    return best or ()
