"""What kind of answer a question asks for (query understanding, no model).

A company that asks "was können wir tun?", "wer hilft uns?" or "where do we even
start?" wants someone to advise it or to take the matter in hand — an advice service
(Beratung) or a service for companies (Arbeitgeber-Service, Welcome Center) — more than
a particular subsidy, unless it asks for money as well ("gibt es einen Zuschuss?").
The cue is how the question is asked, never what it is about, so it holds for any
topic: the phrases are the everyday German and English ways to ask for help.
"""

from __future__ import annotations

import re

from .lexicon import fold

# Folded (umlauts and ß folded, lower case) phrases that ask for advice or help.
ADVICE_RE = re.compile(
    r"\bwas (kann|konnen|konnte|konnten|muss|mussen|soll|sollen|sollte|sollten) "
    r"(ich|wir|man)( da| denn| jetzt| noch| dagegen)? (tun|machen|unternehmen)\b"
    r"|\bwas (tun|machen)\s*\?"
    r"|\bwas (muss|mussen|sollte|sollten) (ich|wir|man) (vorher |dabei |zuerst )?"
    r"(klaren|beachten|wissen)\b"
    r"|\bwer (hilft|berat|unterstutzt|kummert sich|ist zustandig"
    r"|kann (mir |uns )?(helfen|beraten))\b"
    r"|\ban wen (kann|konnen|soll|sollen|wende|wenden)\b"
    r"|\b(wohin|wo) (kann|konnen|soll|sollen) (ich|wir|man) (mich |uns )?(wenden|hin)\b"
    r"|\bwie (gehe|gehen) (ich|wir|man) (da |dabei )?vor\b"
    r"|\b(wie|wo) (fange|fangen) (ich|wir|man) (da |damit )?an\b"
    r"|\bwie lauft (das|so etwas|sowas)( ab)?\b"
    r"|\bansprechpartner\w*"
    r"|\bwhere (do|should|can) (we|i) (even )?(start|begin|turn)\b"
    r"|\bwhat (can|should) (we|i) do\b"
    r"|\bwho (can|could) help\b"
    r"|\bwho (do|should) (we|i) (ask|contact|turn to)\b"
    r"|\bhow do (we|i) (go about|start|begin)\b"
)

# Words of a question that asks for money: stems or their beginnings (folded).
MONEY_PREFIXES = (
    "zuschuss", "zuschuess", "forder", "finanz", "geld", "kosten", "bezahl", "zahlt",
    "lohnkost", "pramie", "erstatt", "subvention", "beihilf", "gratis", "umsonst",
    "fund", "grant", "subsid", "pay", "cost",
)  # fmt: skip


def asks_for_advice(query: str) -> bool:
    """Whether the question asks for advice or help rather than for one thing."""
    return bool(ADVICE_RE.search(fold(query)))


def asks_for_money(query: str) -> bool:
    """Whether the question asks for money (a subsidy, who pays, what it costs)."""
    return any(word.startswith(MONEY_PREFIXES) for word in re.findall(r"\w+", fold(query)))


def wants_advice(query: str) -> bool:
    """Advice or help asked for, and no money: the answer is a service, not a grant."""
    return asks_for_advice(query) and not asks_for_money(query)
