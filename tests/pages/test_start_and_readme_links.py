"""The start page `/` links every network's legal pages; the README's addresses exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_start_page_links_imprint_and_privacy_of_every_network(client, personas):
    page = client.get("/").content.decode()
    for slug in ("feldberg", "stuttgart"):
        assert f'href="/n/{slug}/seite/impressum/"' in page
        assert f'href="/n/{slug}/seite/datenschutz/"' in page
        assert client.get(f"/n/{slug}/seite/impressum/").status_code == 200


def test_every_address_the_readme_names_exists(client, personas):
    paths = set(re.findall(r"`(/[^`\s<>]*)`", README.read_text(encoding="utf-8")))
    assert "/api/v1/docs" in paths
    for path in sorted(paths):
        response = client.get(path)
        assert response.status_code != 404, path
