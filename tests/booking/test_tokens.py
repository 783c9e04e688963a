"""Signed cancel/move links: work once, expire, cannot be guessed or reused elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from anlaufstelle.booking import services, tokens

from .test_services import book


def test_a_link_opens_its_own_booking(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    tokens.check_token(booking, tokens.make_token(booking, "cancel"), "cancel")


def test_a_link_of_one_booking_does_not_open_another(schedule, in_feldberg):
    first, second = services.queries.free_slots([schedule], limit=2)
    a = book(schedule, first.starts_at)
    b = book(schedule, second.starts_at, email="b@example.org")
    with pytest.raises(tokens.InvalidLink):
        tokens.check_token(b, tokens.make_token(a, "cancel"), "cancel")


def test_a_view_link_does_not_cancel(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    with pytest.raises(tokens.InvalidLink):
        tokens.check_token(booking, tokens.make_token(booking, "view"), "cancel")


def test_a_link_works_once(schedule, in_feldberg):
    first, second = services.queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    move = tokens.make_token(booking, "move")
    tokens.check_token(booking, move, "move")
    services.move_booking(booking=booking, starts_at=second.starts_at)
    with pytest.raises(tokens.InvalidLink):
        tokens.check_token(booking, move, "move")


def test_a_link_expires(schedule, free_slot, settings):
    settings.ANLAUFSTELLE_BOOKING_LINK_MAX_AGE = 3600
    booking = book(schedule, free_slot.starts_at)
    token = tokens.make_token(booking, "cancel")
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later), pytest.raises(tokens.InvalidLink):
        tokens.check_token(booking, token, "cancel")


def test_a_forged_or_altered_link_is_refused(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    token = tokens.make_token(booking, "cancel")
    with pytest.raises(tokens.InvalidLink):
        tokens.check_token(
            booking, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "cancel"
        )
    with pytest.raises(tokens.InvalidLink):
        tokens.check_token(booking, "guess", "cancel")
