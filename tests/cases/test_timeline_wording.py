"""Wording on the navigators' desk and the concern form (issue 9, item 19)."""

from __future__ import annotations

from django.utils import translation

from anlaufstelle.cases import services
from anlaufstelle.networks.scoping import network_scope

from .conftest import site


def test_a_navigator_who_takes_a_concern_is_named_once_in_the_timeline(client, desk, concern):
    navigator = desk.navigator
    navigator.first_name, navigator.last_name = "Lena", "Lotsin (Demo)"
    navigator.save()
    with network_scope(desk.network):
        services.assign(concern=concern, to=navigator, by=navigator)
    client.force_login(navigator)
    page = client.get(site(f"lotsen/{concern.code}/")).content.decode()
    assert "Zugewiesen: Lena Lotsin (Demo)" in page
    assert "(Lena Lotsin (Demo))" not in page


def test_the_timeline_names_who_assigned_a_concern_to_someone_else(client, desk, concern):
    desk.coordinator.first_name, desk.coordinator.last_name = "Karla", "Koordination"
    desk.coordinator.save()
    desk.navigator.first_name, desk.navigator.last_name = "Lena", "Lotsin"
    desk.navigator.save()
    with network_scope(desk.network):
        services.assign(concern=concern, to=desk.navigator, by=desk.coordinator)
    client.force_login(desk.navigator)
    page = client.get(site(f"lotsen/{concern.code}/")).content.decode()
    assert "Zugewiesen: Lena Lotsin" in page
    assert "(Karla Koordination)" in page


def test_the_concern_form_promises_suggestions_only_after_sending(client, desk):
    page = client.get(site("")).content.decode()
    assert "Nach dem Absenden sehen Sie passende Angebote" in page
    assert "sofort" not in page


def test_the_optional_company_field_of_the_booking_form_says_so():
    from anlaufstelle.booking.forms import ContactFieldsMixin

    field = ContactFieldsMixin().fields["company"]
    assert field.required is False
    with translation.override("de"):
        assert "(freiwillig)" in str(field.label)
