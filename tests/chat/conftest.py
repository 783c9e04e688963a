"""Chat fixtures: the desk's personas and concern, a company party and helpers."""

from __future__ import annotations

import pytest
from tests.cases.conftest import (  # noqa: F401 (fixtures)
    Desk,
    concern,
    desk,
    fast_and_offline,
    submit,
)

from anlaufstelle.cases import links


@pytest.fixture(autouse=True)
def chat_media(settings, tmp_path):
    """Files land in a temporary folder; the channel layer is the in-memory one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def company_path(case, rest: str = "") -> str:
    token = links.make_token(case)
    return f"/n/{case.network.slug}/anliegen/status/{case.code}/{token}/chat/{rest}"


def staff_path(case, rest: str = "") -> str:
    return f"/n/{case.network.slug}/anliegen/lotsen/{case.code}/chat/{rest}"


def refer_to(the_desk: Desk, case, provider) -> None:
    from anlaufstelle.cases import services
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(the_desk.network):
        services.refer(
            concern=case, providers=[provider], note="Bitte übernehmen", by=the_desk.navigator
        )


# --- the chat in a booking ---------------------------------------------------------------


def book(the_desk: Desk, *, email: str = "anja@hotel-am-see.example", schedule=None):
    """A booking of partner A's consultation hour (held by expert A), made by a company;
    a new hour unless `schedule` is given."""
    from tests.booking.conftest import booking_data, make_schedule

    from anlaufstelle.booking import queries, services
    from anlaufstelle.networks.scoping import network_scope

    if schedule is None:
        schedule = make_schedule(
            the_desk.network, the_desk.partner_a, expert=the_desk.expert_a, capacity=10
        )
    with network_scope(the_desk.network):
        slot = queries.free_slots([schedule], limit=1)[0]
        return services.book_slot(
            schedule=schedule, starts_at=slot.starts_at, **booking_data(email=email)
        )


@pytest.fixture
def appointment(desk):  # noqa: F811 (the imported fixture)
    return book(desk)


def view_token(booking) -> str:
    from anlaufstelle.booking import tokens

    return tokens.make_token(booking, "view")


def booking_company_path(booking, rest: str = "", token: str | None = None) -> str:
    token = token or view_token(booking)
    return f"/n/{booking.network.slug}/termine/termin/{booking.code}/{token}/chat/{rest}"


def booking_staff_path(booking, rest: str = "", network: str | None = None) -> str:
    slug = network or booking.network.slug
    return f"/n/{slug}/termine/kalender/{booking.code}/chat/{rest}"
