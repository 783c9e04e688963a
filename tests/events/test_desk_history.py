"""A company's event registrations show up in its history on the navigators' desk."""

from __future__ import annotations

import pytest
from django.test import Client

from anlaufstelle.events import services
from cases.conftest import submit

from .conftest import person

pytestmark = pytest.mark.django_db


def test_the_concern_page_lists_the_companys_registrations(feldberg, event, settings):
    settings.ANLAUFSTELLE_CASE_AUTO_ASSIGN = False
    services.register(event=event, **person(1, email="anja@hotel-am-see.example"))
    concern = submit(feldberg.network, email="ANJA@hotel-am-see.example")
    navigator = Client()
    navigator.force_login(feldberg.navigator)
    page = navigator.get(f"/n/feldberg/anliegen/lotsen/{concern.code}/").content.decode()
    assert "Sprechtag Ausbildung (Bestätigt)" in page
    assert "Veranstaltung " in page
