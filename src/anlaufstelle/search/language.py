"""Is a query German? The lexical analysis is German (stems, compounds, synonyms);
for a question in English its terms match little but names ("Germany", "Feldberg"),
so the hybrid ranking leans on the multilingual embedding for such questions.

A question counts as foreign when it has at least two English function words and
more of them than German ones: cheap, no model, and no false alarms on German
questions that contain an English loanword ("Homeoffice", "Recruiting").
"""

from __future__ import annotations

import re

from .lexicon import fold, load_stopwords

WORD_RE = re.compile(r"[a-zäöüß']+")

ENGLISH_FUNCTION_WORDS = frozenset(
    {
        "a",
        "about",
        "after",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "get",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "near",
        "not",
        "of",
        "on",
        "or",
        "our",
        "out",
        "over",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "i'm",
        "i've",
        "we'd",
        "we're",
        "we've",
        "it's",
        "don't",
    }
)


def looks_foreign(text: str) -> bool:
    """True when the text reads as English rather than German.

    Words that are function words in both languages ("in", "was", "will") count for
    neither side.
    """
    german = load_stopwords()
    english = native = 0
    for word in WORD_RE.findall(text.lower()):
        is_english = word in ENGLISH_FUNCTION_WORDS
        is_german = fold(word.replace("'", "")) in german
        if is_english and not is_german:
            english += 1
        elif is_german and not is_english:
            native += 1
    return english >= 2 and english > native
