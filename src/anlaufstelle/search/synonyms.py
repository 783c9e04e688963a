"""Synonym and abbreviation groups (Azubi = Auszubildende = Lehrling, HWK = Handwerkskammer).

A group is a set of members; a member is a word, a phrase of words in sequence, or a
prefix ending in "*". When a text contains any member, the analysis emits one token for
the whole group (``syn_<first member>``), on the document side and on the query side
alike, so "Lehrling" in a question meets "Auszubildende" in an offer with one shared
term whose BM25 weight is that of the concept, not of one spelling.

The built-in groups live in data/synonyms_de.txt. A network's own groups
(`SynonymEntry`) apply at query time only: nationwide rows are shared by every network
and cannot carry one network's vocabulary in their index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import DATA_DIR, fold

SPLIT_RE = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Member:
    words: tuple[str, ...]  # folded words; the last one may be a prefix
    prefix: bool

    def matches_at(self, words: Sequence[str], i: int) -> bool:
        n = len(self.words)
        if i + n > len(words):
            return False
        for k in range(n - 1):
            if words[i + k] != self.words[k]:
                return False
        last = words[i + n - 1]
        if self.prefix:
            return last.startswith(self.words[-1])
        return last == self.words[-1]


@dataclass(frozen=True)
class Group:
    token: str
    members: tuple[Member, ...]
    labels: tuple[str, ...]  # the members as written, for display and query expansion


def group_token(label: str) -> str:
    return "syn_" + re.sub(r"[^a-z0-9]", "", fold(label))


def parse_member(raw: str) -> Member | None:
    raw = raw.strip()
    prefix = raw.endswith("*")
    words = tuple(fold(w) for w in SPLIT_RE.split(raw.rstrip("*")) if w)
    if not words:
        return None
    return Member(words=words, prefix=prefix)


def parse_group(line: str) -> Group | None:
    labels = tuple(m.strip() for m in line.split(",") if m.strip())
    members = tuple(m for m in (parse_member(label) for label in labels) if m)
    if len(members) < 2:
        return None
    return Group(token=group_token(labels[0]), members=members, labels=labels)


class SynonymSet:
    """A set of groups with a first-word index for matching."""

    def __init__(self, groups: Iterable[Group]) -> None:
        self.groups = list(groups)
        self._by_first: dict[str, list[tuple[Member, Group]]] = {}
        self._prefixes: list[tuple[Member, Group]] = []
        for group in self.groups:
            for member in group.members:
                if member.prefix and len(member.words) == 1:
                    self._prefixes.append((member, group))
                else:
                    self._by_first.setdefault(member.words[0], []).append((member, group))

    def matches(self, words: Sequence[str]) -> list[tuple[int, Group]]:
        """(position, group) for every member occurrence in the folded `words`."""
        found = []
        for i, word in enumerate(words):
            for member, group in self._by_first.get(word, ()):
                if member.matches_at(words, i):
                    found.append((i, group))
            for member, group in self._prefixes:
                if word.startswith(member.words[0]):
                    found.append((i, group))
        return found

    def groups_in(self, words: Sequence[str]) -> list[str]:
        """Group tokens for the folded `words`, once per occurrence (term frequency)."""
        seen: set[tuple[int, str]] = set()
        tokens = []
        for i, group in self.matches(words):
            if (i, group.token) not in seen:
                seen.add((i, group.token))
                tokens.append(group.token)
        return tokens


@lru_cache(maxsize=1)
def builtin_groups() -> tuple[Group, ...]:
    text = (DATA_DIR / "synonyms_de.txt").read_text(encoding="utf-8")
    groups = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            group = parse_group(line)
            if group:
                groups.append(group)
    return tuple(groups)


@lru_cache(maxsize=1)
def builtin_synonyms() -> SynonymSet:
    return SynonymSet(builtin_groups())
