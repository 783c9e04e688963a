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
