"""Staff booking for a company: one list of free slots in time order across all hours,
each option naming its consultation hour; the phone field says when it is needed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import Format
from anlaufstelle.booking.queries import parse_slot_key

from .conftest import make_schedule

pytestmark = pytest.mark.django_db
OPTION = re.compile(r'<option value="([A-Z0-9]+):([0-9TZ]+)">([^<]+)</option>')


def staff_options(client) -> list[tuple[str, str, str]]:
    url = reverse("site:booking:calendar", kwargs={"network_slug": "feldberg"})
    return OPTION.findall(client.get(url).content.decode())


def test_the_slots_are_in_time_order_and_name_their_hour(client, feldberg):
    # The second hour's slots start a quarter of an hour later, so sorting by hour would
    # put all of one hour's slots first; sorting by time interleaves them.
    early = make_schedule(feldberg.network, feldberg.provider, title="Frühe Sprechstunde")
    late = make_schedule(
        feldberg.network,
        feldberg.provider,
        title="Späte Sprechstunde",
        fmt=Format.PHONE,
        buffer_minutes=0,
    )
    with scopes_disabled():
        late.rules.update(start_time="08:15")
    client.force_login(feldberg.navigator)
    options = staff_options(client)
    assert len(options) > 4
    starts = [parse_slot_key(key) for _code, key, _label in options]
    assert starts == sorted(starts)
    codes = [code for code, _key, _label in options]
    assert set(codes) == {early.code, late.code}
    # Interleaved, not one hour's slots after the other's. Which comes first, and
    # whether two of one hour follow each other (at the end of a day), depends on the
    # time of day the test runs (CI once ran it at 16:45 and a fixed pattern failed).
    switches = sum(1 for before, after in zip(codes, codes[1:], strict=False) if before != after)
    assert switches >= 3
    for code, _key, label in options[:4]:
        title = early.title if code == early.code else late.title
        assert title in label
    html = client.get(reverse("site:booking:calendar", kwargs={"network_slug": "feldberg"}))
    page = html.content.decode()
    assert "Telefon (nötig bei einem Telefontermin)" in page
    assert "Telefon (freiwillig)" not in page


def test_without_phone_hours_the_number_stays_optional(client, feldberg, schedule):
    client.force_login(feldberg.navigator)
    url = reverse("site:booking:calendar", kwargs={"network_slug": "feldberg"})
    assert "Telefon (freiwillig)" in client.get(url).content.decode()
