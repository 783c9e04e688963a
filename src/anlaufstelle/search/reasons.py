"""Why a result fits, in one line: shared by the search page and the concern suggestions.

Computed from the hit's own signals only: the query words that matched the item's
analysed terms (in the spelling the visitor typed), the semantic similarity when no word
matched, an abbreviation of the query in the item's title, the audiences that fit the
company's profile, and the item's topics. `voice` says who reads it: the company on its
own search ("search": "Passt zu: …"), the company about its concern ("company": "Passt zu
Ihren Worten: …") or the navigators about a company's concern ("staff": "Passt zu den
Worten des Betriebs: …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from .analysis import analyse, word_terms
from .engine import ACRONYM_RE, Hit
from .lexicon import fold, load_stopwords
from .models import SearchDocument

VOICES = ("search", "company", "staff")
MAX_WORDS = 4
MAX_TOPICS = 2
# The words of a long text that are compared (a concern can be long).
MAX_TEXT_CHARS = 500
SEPARATOR = " · "
WORD_RE = re.compile(r"[\wÄÖÜäöüß]+(?:-[\wÄÖÜäöüß]+)*")


def matched_words(text: str, doc_terms: set[str], limit: int = MAX_WORDS) -> list[str]:
    """The words of `text` whose analysed terms (stems, compound parts, built-in synonym
    groups) the item carries, in their original spelling, first occurrence first."""
    stop = load_stopwords()
    words: list[str] = []
    seen: set[str] = set()
    for word in WORD_RE.findall(text[:MAX_TEXT_CHARS]):
        key = fold(word)
        if len(word) < 2 or key in stop or key in seen:
            continue
        seen.add(key)
        # An abbreviation ("EGZ", "EQ") is short but meaningful; other short words are not.
        if len(word) < 3 and not ACRONYM_RE.match(word):
            continue
        terms = set(word_terms(word.lower(), True, True)) | set(analyse(word).groups)
        if terms & doc_terms:
            words.append(word)
            if len(words) >= limit:
                break
    return words


def _words_reason(words: list[str], voice: str) -> str:
    joined = ", ".join(words)
    if voice == "staff":
        return _("Matches the company's words: %(words)s") % {"words": joined}
    if voice == "company":
        return _("Matches your words: %(words)s") % {"words": joined}
    return _("Matches: %(words)s") % {"words": joined}


def _similar_reason(voice: str) -> str:
    if voice == "staff":
        return _("Similar in meaning to the company's description")
    if voice == "company":
        return _("Similar in meaning to your description")
    return _("Similar in meaning to your search")


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
    words = matched_words(text, title_terms | set(doc.body_terms.split()))
    if acronyms:
        reasons.append(_("Abbreviation in the title: %(words)s") % {"words": ", ".join(acronyms)})
        words = [w for w in words if w not in acronyms]
    if words:
        reasons.append(_words_reason(words, voice))
    elif not acronyms and hit is not None and hit.semantic_rank is not None:
        reasons.append(_similar_reason(voice))
    if audience:
        reasons.append(audience)
    topic = topic_reason(doc.topics or [], topic_labels)
    if topic:
        reasons.append(topic)
    return reasons


def reason_line(**kwargs: object) -> str:
    """`hit_reasons` joined into the one line a result shows."""
    return SEPARATOR.join(hit_reasons(**kwargs))  # type: ignore[arg-type]
