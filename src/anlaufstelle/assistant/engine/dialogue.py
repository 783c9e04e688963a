"""One turn of the dialogue: recognise the intent, retrieve, decide, compose.

The reply's text is built from the engine's fixed sentences (texts.py) and the fields
of the cited rows (title, provider name, the search's reason line) or of the network
(address, opening hours, e-mail, phone). Nothing the company writes is copied into the
text except the words the reason line shows as matching, so instructions in a message
cannot change what is named or cited: sources are always rows the network's own search
returned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids
from anlaufstelle.search.answerability import (
    DEFAULT_THRESHOLDS,
    GROUP_PREFIX,
    Answerability,
    Thresholds,
    judge,
)
from anlaufstelle.search.engine import (
    SearchOptions,
    SearchResult,
    embedding_text,
    place_words,
    search,
    strip_words,
)
from anlaufstelle.search.intent import asks_for_advice
from anlaufstelle.search.lexicon import fold, load_stopwords
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.queries import result_url, topic_labels
from anlaufstelle.search.reasons import reason_line

from . import Reply, Source, ranking, texts
from . import intents as it

# The part of a message that is read; longer messages get a request to shorten.
MAX_CHARS = 1000
MAX_SOURCES = 3
# A second or third source is cited when its score reaches this share of the first's.
MIN_RELATIVE_SCORE = 0.45
CITED_KINDS = ("offer", "provider", "event")
# The Mediathek's articles, episodes and videos: cited to read or listen further, after
# the offers, when there is room (they explain; they are not the support itself).
# Threads of the exchange count once an expert's reply is their accepted answer (the
# community app indexes those as "answered_thread"; other threads are never cited).
FURTHER_KINDS = ("article", "episode", "video", "answered_thread")
# What an events question prefers among the cited rows: event rows, event offers (fairs).
EVENT_KINDS = frozenset({"event", "veranstaltung"})
# Context kept for the next turn after a clarifying question.
MAX_CONTEXT_CHARS = 400
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD_RE = re.compile(r"[\wÄÖÜäöüß]+")
# Words of a message that say nothing about the need itself.
GENERIC_WORDS = frozenset(
    fold(w)
    for w in [
        "frage",
        "fragen",
        "problem",
        "probleme",
        "thema",
        "anliegen",
        "hilfe",
        "helfen",
        "info",
        "infos",
        "information",
        "informationen",
        "hätte",
        "hab",
        "habe",
        "bitte",
        "eigentlich",
        "mal",
        "kurz",
        "question",
        "questions",
        "help",
        "problem",
        "problems",
        "issue",
        "topic",
        "something",
    ]
)
# The words of a booking request itself: a request of only these (and generic words)
# names no subject ("Termin buchen", "Ich möchte einen Beratungstermin vereinbaren").
BOOKING_WORDS = frozenset(
    fold(w)
    for w in [
        "termin",
        "termine",
        "beratungstermin",
        "gesprächstermin",
        "erstgespräch",
        "beratungsgespräch",
        "gespräch",
        "beratung",
        "sprechstunde",
        "sprechstunden",
        "buchen",
        "vereinbaren",
        "reservieren",
        "ausmachen",
        "machen",
        "bekommen",
        "kriegen",
        "gern",
        "gerne",
        "würde",
        "möchte",
        "möchten",
        "hätte",
        "appointment",
        "book",
        "meeting",
        "consultation",
        "schedule",
        "arrange",
        "like",
        "want",
        "would",
        "please",
        "make",
        "get",
        "to",
        "an",
    ]
)
NEED_RE = re.compile(
    r"\b(gibt es|suchen|such|brauchen|brauche|wollen|will|möchten|möchte|wie|wer|wo|was|"
    r"welche|kann|können|need|looking|want|how|who|where|what|which|can)\b",
    re.IGNORECASE,
)
PRONOUN_RE = re.compile(r"\b(ich|wir|uns|unser\w*|i|we|our)\b", re.IGNORECASE)
# Contact vocabulary removed before deciding whether a contact question names someone.
CONTACT_WORDS = frozenset(
    fold(w)
    for w in [
        "webseite",
        "internetseite",
        "website",
        "homepage",
        "webadresse",
        "adresse",
        "anschrift",
        "telefon",
        "telefonnummer",
        "nummer",
        "email",
        "mail",
        "e-mail",
        "öffnungszeiten",
        "sprechzeiten",
        "geöffnet",
        "offen",
        "lautet",
        "habt",
        "ihr",
        "euch",
        "erreichen",
        "erreichbar",
        "besetzt",
        "montags",
        "dienstags",
        "mittwochs",
        "donnerstags",
        "freitags",
        "samstags",
        "sonntags",
        "kontakt",
        "kontaktdaten",
        "opening",
        "hours",
        "address",
        "phone",
        "number",
        "located",
    ]
)


@dataclass(frozen=True)
class EngineOptions:
    """The engine's tunable numbers (evaluate_assistant --cv chooses among them)."""

    exemplar_margin: float = it.EXEMPLAR_MARGIN
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    weights: ranking.RankWeights = ranking.DEFAULT_WEIGHTS


DEFAULT_OPTIONS = EngineOptions()


@dataclass
class Retrieval:
    query: str
    result: SearchResult
    docs: dict[int, SearchDocument]
    verdict: Answerability
    network: Network | None = None
    weights: ranking.RankWeights = ranking.DEFAULT_WEIGHTS


def clean(message: str, limit: int = 4 * MAX_CHARS) -> str:
    """The message without control characters and runs of white space; only its first
    `limit` characters are looked at (a megabyte of text costs nothing then)."""
    text = unicodedata.normalize("NFC", (message or "")[:limit])
    text = CONTROL_RE.sub(" ", text)
    return " ".join(text.split())


def _state(state: dict[str, Any] | None) -> dict[str, Any]:
    """Only the keys the engine writes, with the right types (the state comes back from
    the browser)."""
    state = state if isinstance(state, dict) else {}
    context = state.get("context")
    turns = state.get("turns")
    return {
        "context": clean(context, MAX_CONTEXT_CHARS) if isinstance(context, str) else "",
        "turns": turns if isinstance(turns, int) and 0 <= turns < 10_000 else 0,
    }


def content_words(text: str) -> list[str]:
    stop = load_stopwords()
    return [w for w in (fold(x) for x in WORD_RE.findall(text)) if w not in stop and len(w) > 1]


def calendar_online() -> bool:
    """Whether the network's events are rows of their own (the events app)."""
    from django.apps import apps

    return apps.is_installed("anlaufstelle.events")


def is_vague(text: str) -> bool:
    """Too little to answer well: only generic words, or a short statement about the
    company without a question or a need ("Wir haben Probleme mit dem Personal.")."""
    words = [w for w in content_words(text) if w not in GENERIC_WORDS]
    if not words:
        return True
    statement = "?" not in text and not NEED_RE.search(text) and PRONOUN_RE.search(text)
    return bool(statement) and len(words) <= 4


def search_text(network: Network, text: str) -> str:
    """The text the search gets: the network's place words dropped (as the search itself
    would), but the site's own name kept when the message names it ("im Werkraum"): then
    the question is about the lab's own things, and the word must find them."""
    site = ranking.site_words(network)
    if not ranking.names_site(text, site):
        return strip_words(text, place_words(network.pk))
    return strip_words(text, place_words(network.pk) - site)


SEARCH_OPTIONS = SearchOptions.for_mode("hybrid", drop_place_words=False)


def embedded_text(network: Network, text: str) -> str:
    """The text the search will embed for `text` (search_text plus the expansion the
    search adds before embedding, e.g. an acronym's long form): the search's own
    function, so the intent's vector and the search's are one cached model call."""
    return embedding_text(search_text(network, text), network.pk, SEARCH_OPTIONS)


def retrieve(
    network: Network, query: str, intent: str = "", options: EngineOptions = DEFAULT_OPTIONS
) -> Retrieval:
    ids = visible_network_ids(network)
    # Place words are dropped here (search_text), so the search keeps what is left.
    result = search(
        search_text(network, query),
        ids,
        own_network_id=network.pk,
        options=SEARCH_OPTIONS,
        limit=30,
    )
    verdict = judge(query, result, ids, intent=intent, thresholds=options.thresholds)
    with scopes_disabled():
        docs = SearchDocument.objects.in_bulk([h.doc_id for h in result.hits])
    return Retrieval(query, result, docs, verdict, network, options.weights)


def search_sees_its_field(network: Network, text: str, options: EngineOptions) -> bool:
    """Whether the search answers `text` from the field's own vocabulary.

    An exemplar's similarity is a weak signal: a colloquial "finde keinen koch für die
    saison" lies nearest to "Hast du ein Rezept für Kuchen?". The search's judgement
    (search.answerability, the same as the results page's) overrules it when the message
    has words of the field and the index matches them — a word of the field itself, or
    only an occupation or sector word (a synonym group) in a question that asks for help
    ("was kann ich machen"): "Wie koche ich Spargel?" names an occupation's verb, no need."""
    verdict = retrieve(network, text, options=options).verdict
    if not (verdict.answerable and verdict.reason == "domain"):
        return False
    field_words = [w for w in verdict.signals.domain_words if not w.startswith(GROUP_PREFIX)]
    return bool(field_words) or asks_for_advice(text)


def pick(
    retrieval: Retrieval,
    kinds: tuple[str, ...] = CITED_KINDS,
    prefer: frozenset[str] = frozenset(),
) -> list[SearchDocument]:
    """The best rows of the wanted kinds after the assistant's re-ordering (ranking.py):
    the first, and the next ones close to it. `prefer`: row or offer kinds that the
    intent asks for (events: event rows and event offers)."""
    chosen: list[SearchDocument] = []
    ranked = ranking.rerank(
        retrieval,
        kinds,
        message=retrieval.query,
        network=retrieval.network,
        weights=retrieval.weights,
        prefer=prefer,
    )
    if not ranked:
        return chosen
    top = ranked[0][1]
    for doc, value in ranked:
        if value < MIN_RELATIVE_SCORE * top:
            break
        chosen.append(doc)
        if len(chosen) >= MAX_SOURCES:
            break
    return chosen


def with_further_reading(retrieval: Retrieval, docs: list[SearchDocument]) -> list[SearchDocument]:
    """`docs`, plus the best Mediathek item if there is room and it scores close to them."""
    if not docs or len(docs) >= MAX_SOURCES:
        return docs
    scores = {h.doc_id: h.score for h in retrieval.result.hits}
    floor = MIN_RELATIVE_SCORE * max(scores.get(d.pk, 0.0) for d in docs)
    further = [d for d in pick(retrieval, FURTHER_KINDS) if scores.get(d.pk, 0.0) >= floor]
    return docs + further[:1]


def sources_for(network: Network, retrieval: Retrieval, docs: list[SearchDocument]) -> list[Source]:
    hits = {h.doc_id: h for h in retrieval.result.hits}
    labels = topic_labels()
    with translation.override("de"):
        return [
            Source(
                ref=doc.ref,
                title=doc.title,
                url=result_url(network, doc),
                reason=reason_line(
                    text=retrieval.query,
                    doc=doc,
                    hit=hits.get(doc.pk),
                    topic_labels=labels,
                    voice="company",
                ),
            )
            for doc in docs
        ]


def listing(docs: list[SearchDocument], sources: list[Source]) -> str:
    lines = []
    for number, (doc, source) in enumerate(zip(docs, sources, strict=True), start=1):
        by = f" ({doc.provider_name})" if doc.provider_name and doc.kind != "provider" else ""
        line = f"{number}. {doc.title}{by}"
        if source.reason:
            line += f" – {source.reason}"
        lines.append(line)
    return "\n".join(lines)


def bookable_refs(docs: list[SearchDocument], network_ids: list[int]) -> list[str]:
    from anlaufstelle.booking.queries import bookable_schedules, schedules_for_provider

    refs = []
    with scopes_disabled():
        for doc in docs:
            if doc.kind == "offer":
                # Slugs are unique per network only: the offer of this row's network.
                schedules = bookable_schedules().filter(
                    offers__slug=doc.slug, offers__network_id=doc.network_id
                )
            elif doc.kind == "provider":
                schedules = schedules_for_provider(doc.slug)
            else:
                continue
            if schedules.filter(network_id__in=network_ids).exists():
                refs.append(doc.ref)
    return refs


def names_no_subject(text: str) -> bool:
    """A booking request without a subject: nothing to search for."""
    return not [w for w in content_words(text) if w not in GENERIC_WORDS | BOOKING_WORDS]


def bookable_offers(network: Network) -> list[SearchDocument]:
    """Offers with an active consultation hour in the visible networks: the network's own
    first, then by title (at most MAX_SOURCES)."""
    from anlaufstelle.booking.models import Schedule

    ids = visible_network_ids(network)
    with scopes_disabled():
        # (network, slug) pairs: offer slugs are unique per network only.
        pairs = set(
            Schedule.objects.filter(is_active=True, network_id__in=ids)
            .exclude(offers=None)
            .values_list("offers__network_id", "offers__slug")
        )
        rows = SearchDocument.objects.filter(
            kind="offer", slug__in={slug for _, slug in pairs}, network_id__in=ids
        )
        docs = [d for d in rows if (d.network_id, d.slug) in pairs]
    docs.sort(key=lambda d: (d.network_id != network.pk, d.title))
    return docs[:MAX_SOURCES]


class Turn:
    """The composition of one reply (keeps `respond` short)."""

    def __init__(self, network: Network, state: dict[str, Any], options: EngineOptions) -> None:
        self.network = network
        self.options = options
        self.name = network.display_name
        self.state = state

    def reply(self, intent: str, text: str, **kwargs: Any) -> Reply:
        state = {"context": kwargs.pop("context", ""), "turns": self.state["turns"] + 1}
        return Reply(intent=intent, text=text, state=state, **kwargs)

    def greeting(self) -> Reply:
        return self.reply(it.GREETING, texts.GREETING.format(network=self.name))

    def handoff(self) -> Reply:
        return self.reply(it.HANDOFF, texts.HANDOFF.format(network=self.name), offer_handoff=True)

    def out_of_scope(self) -> Reply:
        return self.reply(it.OUT_OF_SCOPE, texts.OUT_OF_SCOPE.format(network=self.name))

    def clarify(self, text: str, retrieval: Retrieval | None) -> Reply:
        options = list(texts.CLARIFY_DEFAULT_OPTIONS)
        if retrieval is not None and retrieval.verdict.answerable:
            labels = topic_labels()
            seen: list[str] = []
            for doc in pick(retrieval, ("offer",)) + [
                retrieval.docs[h.doc_id]
                for h in retrieval.result.hits[:10]
                if h.doc_id in retrieval.docs
            ]:
                for slug in doc.topics or []:
                    if slug in labels and labels[slug] not in seen:
                        seen.append(labels[slug])
            if len(seen) >= 2:
                options = seen[:3]
        joined = ", ".join(options[:-1]) + " oder " + options[-1]
        return self.reply(
            it.CLARIFY,
            texts.CLARIFY.format(options=joined),
            clarify_options=options,
            context=text[:MAX_CONTEXT_CHARS],
        )

    def support(self, query: str, prefix: str = "") -> Reply:
        retrieval = retrieve(self.network, query, options=self.options)
        if not retrieval.verdict.answerable:
            if not retrieval.verdict.signals.domain_words:
                return self.out_of_scope()
            return self.reply(
                it.FIND_SUPPORT, texts.NO_MATCH.format(network=self.name), offer_handoff=True
            )
        docs = with_further_reading(retrieval, pick(retrieval))
        sources = sources_for(self.network, retrieval, docs)
        text = prefix + texts.SUPPORT_INTRO.format(network=self.name) + "\n"
        text += listing(docs, sources)
        targets = bookable_refs(docs, visible_network_ids(self.network))
        if targets:
            titles = [s.title for s in sources if s.ref in targets]
            text += "\n" + texts.BOOK_SLOTS.format(titles=", ".join(titles))
        return self.reply(it.FIND_SUPPORT, text, sources=sources, booking_targets=targets)

    def book(self, query: str, prefix: str = "") -> Reply:
        if names_no_subject(query):
            # "Termin buchen": the consultation hours one can book here, and a question
            # for the subject (a search for the words of the request found whatever
            # mentions "buchen").
            docs = bookable_offers(self.network)
            if docs:
                sources = [
                    Source(ref=d.ref, title=d.title, url=result_url(self.network, d), reason="")
                    for d in docs
                ]
                text = prefix + texts.BOOK_ANY.format(network=self.name) + "\n"
                text += listing(docs, sources) + "\n" + texts.BOOK_ASK_SUBJECT
                return self.reply(
                    it.BOOK, text, sources=sources, booking_targets=[d.ref for d in docs]
                )
        retrieval = retrieve(self.network, query, options=self.options)
        if not retrieval.verdict.answerable:
            return self.reply(
                it.BOOK, prefix + texts.NO_MATCH.format(network=self.name), offer_handoff=True
            )
        docs = pick(retrieval, ("offer", "provider", "event"))
        sources = sources_for(self.network, retrieval, docs)
        targets = bookable_refs(docs, visible_network_ids(self.network))
        text = prefix + texts.BOOK_INTRO + "\n" + listing(docs, sources) + "\n"
        if targets:
            titles = [s.title for s in sources if s.ref in targets]
            text += texts.BOOK_SLOTS.format(titles=", ".join(titles))
        else:
            text += texts.BOOK_NO_SLOTS
        return self.reply(it.BOOK, text, sources=sources, booking_targets=targets)

    def events(self, query: str, prefix: str = "") -> Reply:
        """The best rows with at least one event among them when one fits (fairs and
        network meetings are often offers too); without an events calendar the honest
        word that none is online."""
        online = calendar_online()
        retrieval = retrieve(self.network, query, options=self.options)
        if not retrieval.verdict.answerable:
            none = texts.EVENTS_NONE if online else texts.EVENTS_NONE_NO_CALENDAR
            return self.reply(
                it.EVENTS, prefix + none.format(network=self.name), offer_handoff=True
            )
        docs = pick(retrieval, prefer=EVENT_KINDS)
        events = pick(retrieval, ("event",))
        if events and all(d.kind != "event" for d in docs):
            docs = [*docs[: MAX_SOURCES - 1], events[0]]
        if any(d.kind == "event" for d in docs):
            intro = texts.EVENTS_FOUND
        else:
            intro = texts.EVENTS_OFFERS if online else texts.EVENTS_OFFERS_NO_CALENDAR
        sources = sources_for(self.network, retrieval, docs)
        text = prefix + intro.format(network=self.name) + "\n" + listing(docs, sources)
        return self.reply(it.EVENTS, text, sources=sources)

    def contact(self, query: str, prefix: str = "") -> Reply:
        own = {fold(w) for w in WORD_RE.findall(f"{self.network.name} {self.network.place}")}
        named = [w for w in content_words(query) if w not in CONTACT_WORDS and w not in own]
        if named:
            retrieval = retrieve(self.network, query, options=self.options)
            docs = pick(retrieval, ("provider",)) if retrieval.verdict.answerable else []
            # The site's own provider row: the network's contact data say more (hours).
            if docs and docs[0].slug != self.network.host_provider_slug:
                return self._provider_contact(retrieval, docs[:1], prefix)
        lines = []
        n = self.network
        for template, value in (
            (texts.ADDRESS, n.address),
            (texts.OPENING_HOURS, n.opening_hours),
            (texts.EMAIL, n.contact_email),
            (texts.PHONE, n.contact_phone),
        ):
            if value.strip():
                lines.append(template.format(value=" ".join(value.split())))
        if not lines:
            return self.reply(
                it.CONTACT,
                prefix + texts.CONTACT_NETWORK_NONE.format(network=self.name),
                offer_handoff=True,
            )
        text = prefix + texts.CONTACT_NETWORK.format(network=self.name) + "\n" + "\n".join(lines)
        return self.reply(it.CONTACT, text)

    def _provider_contact(
        self, retrieval: Retrieval, docs: list[SearchDocument], prefix: str
    ) -> Reply:
        from anlaufstelle.directory.models import Provider

        sources = sources_for(self.network, retrieval, docs)
        lines = [prefix + texts.CONTACT_SOURCES]
        with scopes_disabled():
            providers = {
                p.slug: p
                for p in Provider.objects.filter(
                    network_id__in=visible_network_ids(self.network),
                    slug__in=[d.slug for d in docs],
                    is_published=True,
                )
            }
        for doc in docs:
            lines.append(doc.title)
            provider = providers.get(doc.slug)
            if provider is None:
                continue
            for template, value in (
                (texts.WEBSITE, provider.website),
                (texts.ADDRESS, provider.address),
                (texts.EMAIL, provider.email),
                (texts.PHONE, provider.phone),
            ):
                if value.strip():
                    lines.append(template.format(value=" ".join(value.split())))
        targets = bookable_refs(docs, visible_network_ids(self.network))
        return self.reply(it.CONTACT, "\n".join(lines), sources=sources, booking_targets=targets)


def respond(
    *,
    network: Network,
    message: str,
    state: dict[str, Any] | None,
    language: str,
    options: EngineOptions = DEFAULT_OPTIONS,
) -> Reply:
    current = _state(state)
    turn = Turn(network, current, options)
    text = clean(message)
    if not text:
        return turn.reply(it.CLARIFY, texts.EMPTY, context=current["context"])
    prefix = ""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        prefix = texts.TOO_LONG + "\n"
    body = it.strip_greeting(text)
    if not body:
        return turn.greeting()
    # The search embeds the message as search_text gives it, plus its expansion
    # (acronyms): embedding the same text here lets the search reuse the cached vector
    # (one model call per turn).
    guess = it.classify(
        body, options.exemplar_margin, embedded_text(network, body), ranking.site_words(network)
    )
    if guess.intent == it.HANDOFF:
        return turn.handoff()
    if guess.intent == it.GREETING:
        return turn.greeting()
    if guess.intent == it.OUT_OF_SCOPE and not (
        guess.by == "exemplar" and search_sees_its_field(network, body, options)
    ):
        return turn.out_of_scope()
    # A clarification asked last turn: its context joins this answer.
    query = f"{current['context']} {body}".strip() if current["context"] else body
    if guess.intent == it.CONTACT:
        return turn.contact(body, prefix)
    if guess.intent == it.EVENTS:
        return turn.events(query, prefix)
    if guess.intent == it.BOOK:
        return turn.book(query, prefix)
    if not current["context"] and is_vague(body):
        retrieval = retrieve(network, body, options=options)
        return turn.clarify(body, retrieval)
    return turn.support(query, prefix)
