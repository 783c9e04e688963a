"""A booking request that names no subject ("Termin buchen") gets the consultation hours
one can book here and a question for the subject — not whatever mentions "buchen"."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.assistant.engine import respond, texts
from anlaufstelle.search.indexing import rebuild_index
from booking.conftest import make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(feldberg, schedule, personas):
    # Another network's consultation hour must not be offered on Feldberg's site.
    other = personas.stuttgart
    with scopes_disabled():
        make_schedule(other.network, other.provider).offers.add(other.offer)
    rebuild_index(embed=False)
    return feldberg


@pytest.mark.parametrize(
    "message",
    [
        "Termin buchen",
        "Ich möchte gerne einen Beratungstermin vereinbaren.",
        "I'd like to book an appointment",
    ],
)
def test_a_request_without_a_subject_lists_the_bookable_hours_and_asks(indexed, message):
    reply = respond(network=indexed.network, message=message)
    assert reply.intent == "book_appointment"
    assert reply.booking_targets == [f"offer:{indexed.offer.slug}"]
    assert [s.ref for s in reply.sources] == reply.booking_targets
    assert indexed.offer.title in reply.text
    assert texts.BOOK_ASK_SUBJECT in reply.text


def test_a_request_with_a_subject_is_searched(indexed):
    reply = respond(
        network=indexed.network, message="Ich möchte einen Termin zur Ausbildung buchen"
    )
    assert reply.intent == "book_appointment"
    assert texts.BOOK_ASK_SUBJECT not in reply.text
    assert reply.text.startswith(texts.BOOK_INTRO)
    # The search's own reasons, and the consultation hour of the offer it found.
    assert all(source.reason for source in reply.sources)
    assert reply.booking_targets == [f"offer:{indexed.offer.slug}"]


def test_an_offer_with_the_same_slug_in_another_network_is_not_listed(feldberg, personas):
    """Offer slugs are unique per network only: a consultation hour of the nationwide
    offer does not make Feldberg's offer of the same slug bookable."""
    from anlaufstelle.directory.models import Offer

    bund_offer = personas.bund_offer
    with scopes_disabled():
        Offer.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            slug=bund_offer.slug,
            title="Feldberger Namensvetter",
            summary="Ein Angebot ohne Sprechstunde.",
            kind=bund_offer.kind,
            region="mv-seenplatte",
        )
        make_schedule(feldberg.network, feldberg.provider).offers.add(bund_offer)
    rebuild_index(embed=False)
    reply = respond(network=feldberg.network, message="Termin buchen")
    titles = [source.title for source in reply.sources]
    assert bund_offer.title in titles
    assert "Feldberger Namensvetter" not in titles
