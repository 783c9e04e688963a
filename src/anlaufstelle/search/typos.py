"""Typo tolerance: correct query words that are no word at all to the closest index word.

A query word is left alone when the index contains it or when it is a German word (the
lexicon) — a correct word that our catalog does not use is not a typo. A word that splits
into known parts is left alone too, unless the index has a word of the same length one
swap or one wrong letter away: many typos split by chance ("kotsenfreie" → Kots + freie,
"technikrein" → Technik + rein), while a real compound rarely lies one such edit from an
index word (its inflected forms differ in length). Otherwise the candidates are the
index words within Damerau-Levenshtein distance 1 (words of up to 7 letters) or 2
(longer words), found through a delete-neighbourhood index (symmetric delete) and
verified exactly; the most frequent wins. The corrected words give the "Meinten Sie …?" suggestion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .compounds import split_compound
from .lexicon import fold, is_known_word, load_stopwords

MIN_TYPO_LENGTH = 4


def max_distance(word: str) -> int:
    return 1 if len(word) <= 7 else 2


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (transpositions count 1), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class Vocabulary:
    """The folded words of a set of documents with their frequencies."""

    def __init__(self, surface_counts: Counter[str]) -> None:
        self.counts: Counter[str] = Counter()
        self.surface: dict[str, str] = {}
        for word, n in surface_counts.most_common():
            folded = fold(word)
            self.counts[folded] += n
            self.surface.setdefault(folded, word)
        counts = self.counts
        self._deletes: dict[str, list[str]] = {}
        for word in counts:
            if len(word) >= MIN_TYPO_LENGTH:
                for d in _deletes(word):
                    self._deletes.setdefault(d, []).append(word)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Vocabulary:
        return cls(Counter(w.lower() for w in words))

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def _no_word(self, word: str) -> bool:
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return False
        return not (word in self.counts or word in load_stopwords() or is_known_word(word))

    def swaps(self, word: str) -> set[str]:
        """Index words of the same length one substitution or transposition away."""
        found = set()
        for d in _deletes(word):
            for candidate in self._deletes.get(d, ()):
                if len(candidate) == len(word) and distance(word, candidate, 1) == 1:
                    found.add(candidate)
        return found

    def needs_correction(self, word: str) -> bool:
        if not self._no_word(word):
            return False
        return not split_compound(word) or bool(self.swaps(word))

    def candidates(self, word: str) -> set[str]:
        found: set[str] = set()
        found.update(self._deletes.get(word, ()))  # one letter too many
        for d in _deletes(word):
            if d in self.counts:  # one letter missing
                found.add(d)
            found.update(self._deletes.get(d, ()))  # substitution / transposition
            if max_distance(word) > 1:
                for dd in _deletes(d):
                    if dd in self.counts:
                        found.add(dd)
                    found.update(self._deletes.get(dd, ()))
        return found

    def correct(self, word: str) -> str | None:
        """The best index word for a misspelt folded `word`, or None."""
        if not self._no_word(word):
            return None
        if split_compound(word):  # only the close same-length words (see the module doc)
            limit, pool = 1, self.swaps(word)
        else:
            limit, pool = max_distance(word), self.candidates(word)
        best: tuple[int, int, str] | None = None
        for candidate in pool:
            dist = distance(word, candidate, limit)
            if dist > limit:
                continue
            key = (dist, -self.counts[candidate], candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None
