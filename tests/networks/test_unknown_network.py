"""An unknown network slug answers 404 on every page under it, also for signed-in staff
(before, staff views ran with no network and failed with a server error)."""

from __future__ import annotations

import pytest

PATHS = [
    "/n/gibtsnicht/",
    "/n/gibtsnicht/angebote/",
    "/n/gibtsnicht/suche/?q=Azubi",
    "/n/gibtsnicht/termine/",
    "/n/gibtsnicht/termine/kalender/",
    "/n/gibtsnicht/anliegen/",
    "/n/gibtsnicht/anliegen/lotsen/",
    "/n/gibtsnicht/anliegen/partner/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_every_page_of_an_unknown_network_is_not_found(client, personas, path):
    assert client.get(path).status_code == 404
    client.force_login(personas.feldberg.navigator)
    assert client.get(path).status_code == 404
