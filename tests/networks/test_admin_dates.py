"""Dates at the ends of the calendar are a field error in every back-office form, not a 500."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.test import Client, RequestFactory
from django_scopes import scopes_disabled

from anlaufstelle.lib.calendar_fields import validate_calendar_date

pytestmark = pytest.mark.django_db


def absence_form(personas, start: str, end: str) -> dict:
    return {
        "expert": personas.feldberg.partner_expert.pk,
        "starts_at_0": start,
        "starts_at_1": "00:00",
        "ends_at_0": end,
        "ends_at_1": "23:30",
        "reason": "Urlaub",
    }


@pytest.mark.parametrize(
    ("start", "end"), [("01.01.0001", "02.01.0001"), ("30.12.9999", "31.12.9999")]
)
def test_an_absence_at_the_ends_of_the_calendar_is_a_german_field_error(personas, start, end):
    from anlaufstelle.booking.models import ExpertAbsence

    client = Client()
    client.force_login(personas.feldberg.coordinator)
    response = client.post("/admin/booking/expertabsence/add/", absence_form(personas, start, end))
    assert response.status_code == 200
    assert "Bitte geben Sie ein Datum zwischen 1900 und 2999 an." in response.content.decode()
    assert ExpertAbsence.objects.with_scopes_disabled().count() == 0


def test_an_ordinary_absence_is_still_saved(personas):
    from anlaufstelle.booking.models import ExpertAbsence

    client = Client()
    client.force_login(personas.feldberg.coordinator)
    response = client.post(
        "/admin/booking/expertabsence/add/", absence_form(personas, "01.07.2027", "14.07.2027")
    )
    assert response.status_code == 302
    assert ExpertAbsence.objects.with_scopes_disabled().count() == 1


def _date_fields(form_class: type[forms.BaseForm]) -> list[forms.Field]:
    return [
        field
        for field in form_class.base_fields.values()
        if isinstance(field, forms.DateField | forms.SplitDateTimeField)
    ]


def test_every_date_field_of_every_back_office_form_checks_the_calendar(personas):
    """Walks every registered admin and its inlines, so a new one is covered too."""
    request = RequestFactory().get("/admin/")
    request.user = personas.operator
    checked = 0
    with scopes_disabled():
        for model, model_admin in admin.site._registry.items():
            checked += _check_forms(request, model, model_admin)
    # The walk found the consultation hours', absences' and closing days' dates.
    assert checked >= 5


def _check_forms(request, model, model_admin) -> int:
    checked = 0
    form_classes = [model_admin.get_form(request)]
    form_classes += [
        inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
    ]
    for form_class in form_classes:
        for field in _date_fields(form_class):
            assert validate_calendar_date in field.validators, (model, field)
            checked += 1
    return checked
