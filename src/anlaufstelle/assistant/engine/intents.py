"""What a message wants: rules first, then the similarity to a few exemplars per intent.

The rules are phrases of how people ask for a person, a booking, events, contact data or
a greeting, in German and English; they are precise but miss paraphrases. The exemplars
catch those: the message's E5 embedding (the search's own embedder, cached) is compared
with a handful of generic sentences per intent, and a non-support intent wins only with a
clear margin over the support exemplars. Everything else is a support question; whether
the network can answer it is decided later (search.answerability).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from anlaufstelle.search.embedders import get_embedder
from anlaufstelle.search.engine import embed_query
from anlaufstelle.search.lexicon import fold

FIND_SUPPORT = "find_support"
BOOK = "book_appointment"
EVENTS = "events"
CONTACT = "contact_info"
HANDOFF = "human_handoff"
GREETING = "greeting"
OUT_OF_SCOPE = "out_of_scope"
CLARIFY = "clarify"


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Long patterns stay on one line each (noqa E501): one phrase family per line.
HANDOFF_RX = _rx(
    r"\b(zur[üu]ckrufen|r[üu]ckruf|ruf(en)? (sie )?mich an|anrufen lassen)",
    r"\b(echte[nr]?|richtige[nr]?|menschliche[nr]?) (berater(in)?|person|mensch|mitarbeiter(in)?|ansprechpartner(in)?)",  # noqa: E501
    r"\bmit (einem|einer) (menschen|person|berater(in)?|mitarbeiter(in)?|navigator(in)?)\b.{0,20}\b(sprechen|reden|schreiben)",  # noqa: E501
    r"\bnicht mit (einem|dem) (bot|roboter|computer|chatbot)",
    r"\b(talk|speak|chat) (to|with) (a|an|someone|somebody|a real|the)\b.{0,12}\b(human|person|advisor|adviser|someone|somebody)",  # noqa: E501
    r"\b(call me( back)?|callback|real person|human being|not a bot)\b",
)
# A request to write or do something for the company: not what a directory can do.
TASK_RX = _rx(
    r"^\s*(bitte )?(schreib|formulier|erstell|verfass|[üu]bersetz|berechne|entwirf|korrigier)\w*\b",  # noqa: E501
    r"\b(schreib|formulier|erstell|verfass|entwirf)\w* (mir|uns) (bitte )?(eine?n?|das|die|den)\b",  # noqa: E501
    r"^\s*(please |can you |could you )?(write|draft|translate|compose|calculate|summari[sz]e|proofread)\b",  # noqa: E501
)
BOOK_RX = _rx(
    r"\b(termin|erstgespr[äa]ch|beratungstermin|beratungsgespr[äa]ch|gespr[äa]chstermin)\w*\b.{0,60}\b(machen|buchen|vereinbaren|bekommen|ausmachen|haben|kriegen|reservieren)",  # noqa: E501
    r"\b(buchen|vereinbaren|reservieren|ausmachen)\b",
    r"\bwie bekomme ich einen termin\b",
    r"\b(book|schedule|arrange)\b.{0,30}\b(meeting|appointment|call|consultation|slot)",
    r"\b(appointment)\b",
)
EVENTS_RX = _rx(
    # Compounds too ("Berufsmesse", "Unternehmertreffen"): the event word ends the noun.
    r"\w*(veranstaltung(en)?|messe|netzwerkabend|stammtisch|speed.?dating|workshops?|webinare?|infoabend|infotag)\b",  # noqa: E501
    r"\w+(?<!ange)(?<!be)messen\b|\w+(?<!be)(?<!an)treffen\b",
    r"\bwas ist\b.{0,40}\blos\b",
    r"\b(n[äa]chste[nrs]?|kommende[nrs]?)\b.{0,30}\b(treffen|termine)\b",
    # "demnächst etwas zu KI?": something coming up, not a plan of the company's.
    r"\b(demn[äa]chst|in n[äa]chster zeit|bald)\b.{0,15}\b(etwas|was|irgendwas)\b",
    r"\b(events?|meetups?|fairs?|upcoming)\b",
)
CONTACT_RX = _rx(
    r"\b([öo]ffnungszeit|sprechzeit|adresse|anschrift|telefonnummer|telefon|e-?mail-?adresse|webseite|internetseite|website|homepage|web-?adresse)\w*",  # noqa: E501
    r"\bwo (finde ich|sitzt|sitzen|ist|liegt)\b.{0,20}\b(euch|ihr|sie|b[üu]ro|lab|geschäftsstelle)\b",  # noqa: E501
    r"\bwann (habt ihr|haben sie|ist)\b.{0,20}\b(offen|ge[öo]ffnet|besetzt|erreichbar)",
    r"\b(bis|ab) wann\b.{0,40}\b(offen|ge[öo]ffnet|besetzt|erreichbar|auf)\b",
    r"\b(montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags|am wochenende)\b.{0,30}\b(offen|ge[öo]ffnet|besetzt|erreichbar)\b",  # noqa: E501
    r"\b(opening hours|address|phone number|e-?mail address|website|where are you located)\b",
)
GREETING_RX = _rx(
    r"^\s*(hallo|hi|hey|moin|servus|guten (morgen|tag|abend)|gr[üu][ßs] (gott|dich|euch)|hello|good (morning|afternoon|evening))\b[\s!,.?]*$",  # noqa: E501
    r"\bwas (kann|soll|darf) ich (hier|dich|sie|euch)\b.{0,30}\bfragen\b",
    r"\b(wer|was) bist du\b|\bwas kannst du\b|\bwof[üu]r ist (dieser|der|das) (chat|assistent|bot)\b",  # noqa: E501
    r"\bwhat (is|'s) this (chat|bot|assistant)\b|\bwhat can (i|you)\b.{0,20}\b(ask|do)\b|\bwho are you\b",  # noqa: E501
)
# Greeting words at the start of a longer message: removed before the rest is judged.
LEADING_GREETING_RX = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|guten (morgen|tag|abend)|hello)\b[\s!,.]*", re.IGNORECASE
)

# A handful of generic sentences per intent (not the evaluation's questions).
EXEMPLARS: dict[str, tuple[str, ...]] = {
    HANDOFF: (
        "Ich möchte mit einem Menschen sprechen.",
        "Kann mich bitte jemand anrufen?",
        "Verbinden Sie mich mit einer Beraterin.",
        "I would like to talk to a person.",
    ),
    GREETING: (
        "Hallo!",
        "Guten Tag, wie funktioniert dieser Chat?",
        "Was kann ich dich fragen?",
        "Hello, what can you do?",
    ),
    CONTACT: (
        "Wann habt ihr geöffnet?",
        "Wie ist die Adresse des Büros?",
        "Wie lautet die Telefonnummer?",
        "What are your opening hours?",
    ),
    EVENTS: (
        "Welche Veranstaltungen gibt es demnächst?",
        "Wann ist das nächste Treffen für Unternehmen?",
        "Are there any upcoming events for employers?",
    ),
    BOOK: (
        "Ich möchte einen Beratungstermin buchen.",
        "Kann ich einen Termin vereinbaren?",
        "I want to book an appointment.",
    ),
    OUT_OF_SCOPE: (
        "Wie wird das Wetter morgen?",
        "Wann fährt der nächste Zug?",
        "Hast du ein Rezept für Kuchen?",
        "Wer hat das Fußballspiel gewonnen?",
        "Wo kann ich günstig einen Fernseher kaufen?",
    ),
    FIND_SUPPORT: (
        "Gibt es eine Förderung, wenn wir jemanden einstellen?",
        "Wir suchen Auszubildende für unseren Betrieb.",
        "Wer berät uns zur Weiterbildung unserer Mitarbeitenden?",
        "Wir wollen eine Fachkraft aus dem Ausland einstellen.",
        "Welche Unterstützung gibt es für kleine Unternehmen bei der Personalsuche?",
        "Are there subsidies for training our employees?",
    ),
}
# A non-support exemplar must beat the best support exemplar by this cosine margin.
EXEMPLAR_MARGIN = 0.03
# The exemplar intents that set something in motion (a booking, a hand-over to the team)
# or answer about the chat itself need a word of what they are about: without one, a
# message near their exemplars is near them only in form ("Kann ich hier Pizza
# bestellen?" lies nearest to "Kann ich einen Termin vereinbaren?", then to "Kann mich
# bitte jemand anrufen?", then to "Was kann ich dich fragen?").
PERSON_RX = _rx(
    r"\b(mensch\w*|person\w*|jemand\w*|berater(in)?|mitarbeiter(in)?|ansprechpartner(in)?|kolleg\w*|team|lotse|lotsin|navigator(in)?)\b",  # noqa: E501
    r"\w*(anruf|rückruf|ruckruf|zur[üu]ckruf|telefonier|sprechen|reden|verbind|durchstell|weiterleit)\w*",  # noqa: E501
    r"\b(human|person|people|someone|somebody|anyone|anybody|colleagues?|advisers?|advisors?|staff|talk|speak|call|put me through)\b",  # noqa: E501
)
BOOKABLE_RX = _rx(
    r"\w*(termin|sprechstunde|sprechzeit|gespr[äa]ch|beratung|berater(in)?|coaching|treffen|slot)\w*",  # noqa: E501
    r"\b(vorbeikommen|vorbeischauen|besuchen|zeit f[üu]r (mich|uns))\b",
    r"\b(appointments?|meetings?|consultations?|calls?|slots?|advice|advisers?|advisors?)\b",
)
ABOUT_THE_CHAT_RX = _rx(
    r"\b(hallo|hi|hey|moin|servus|guten|morgen|abend|gr[üu](ß|ss)\w*|dank\w*|tsch[üu]ss|ciao)\b",  # noqa: E501
    r"\b(hello|good|morning|afternoon|evening|thanks?|bye|cheers)\b",
    r"\b(chat\w*|assistent\w*|bot|du|dich|dir|fragen|funktionier\w*|hilfe)\b",
    # "you" alone is in most English requests ("Could you put me through …"): only as
    # a question about the assistant.
    r"\b(what|who) (can|are) you\b|\bare you\b|\b(assistant|help|ask|works?)\b",
)
EVIDENCE_RX = {BOOK: BOOKABLE_RX, HANDOFF: PERSON_RX, GREETING: ABOUT_THE_CHAT_RX}


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    by: str  # "rule", "exemplar" or "default"
    similarity: float = 0.0


def strip_greeting(text: str) -> str:
    return LEADING_GREETING_RX.sub("", text, count=1).strip()


# "Wo ist der Werkraum?": where the site itself is (its name: ranking.site_words).
WHERE_RX = re.compile(r"\bwo (finde ich|sitzt|sitzen|ist|liegt)\b(.{0,30})", re.IGNORECASE)


def asks_where_the_site_is(text: str, site: frozenset[str]) -> bool:
    match = WHERE_RX.search(text) if site else None
    if match is None:
        return False
    return any(fold(w) in site for w in re.findall(r"[\wÄÖÜäöüß]+", match.group(2)))


def rule_intent(text: str, site: frozenset[str] = frozenset()) -> str | None:
    """The intent a rule recognises, most specific first; None when no rule fires.
    `site`: the folded words of the network's own name (ranking.site_words)."""
    if HANDOFF_RX.search(text):
        return HANDOFF
    if GREETING_RX.search(text):
        return GREETING
    if TASK_RX.search(text):
        return OUT_OF_SCOPE
    if BOOK_RX.search(text):
        return BOOK
    if CONTACT_RX.search(text) or asks_where_the_site_is(text, site):
        return CONTACT
    if EVENTS_RX.search(text):
        return EVENTS
    return None


@lru_cache(maxsize=4)
def _exemplar_matrix(model_id: str) -> tuple[tuple[str, ...], np.ndarray]:
    embedder = get_embedder()
    assert embedder is not None and embedder.model_id == model_id
    labels: list[str] = []
    texts: list[str] = []
    for intent, sentences in EXEMPLARS.items():
        labels += [intent] * len(sentences)
        texts += sentences
    return tuple(labels), np.asarray(embedder.embed_queries(texts), dtype=np.float32)


def exemplar_intent(text: str, margin: float = EXEMPLAR_MARGIN) -> IntentGuess:
    """The nearest exemplar's intent when it beats the support exemplars by `margin`.

    `text` is what gets embedded (the caller may pass the search's own query text so the
    vector comes from the search's cache)."""
    embedder = get_embedder()
    if embedder is None or not text.strip():
        return IntentGuess(FIND_SUPPORT, "default")
    labels, matrix = _exemplar_matrix(embedder.model_id)
    vector, _latent = embed_query(text)
    sims = matrix @ np.asarray(vector, dtype=np.float32)
    best: dict[str, float] = {}
    for label, sim in zip(labels, sims, strict=True):
        best[label] = max(best.get(label, -1.0), float(sim))
    support = best.get(FIND_SUPPORT, -1.0)
    for intent, evidence in EVIDENCE_RX.items():
        if not evidence.search(text):
            best.pop(intent, None)
    other, score = max(((k, v) for k, v in best.items() if k != FIND_SUPPORT), key=lambda kv: kv[1])
    if score >= support + margin:
        return IntentGuess(other, "exemplar", score)
    return IntentGuess(FIND_SUPPORT, "default", support)


def classify(
    text: str,
    margin: float = EXEMPLAR_MARGIN,
    embed_text: str = "",
    site: frozenset[str] = frozenset(),
) -> IntentGuess:
    """Rules on `text`; else the exemplars on `embed_text` (default: `text`)."""
    intent = rule_intent(text, site)
    if intent is not None:
        return IntentGuess(intent, "rule")
    return exemplar_intent(embed_text.strip() or text, margin)
