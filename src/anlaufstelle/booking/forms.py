"""Forms of the public booking pages; they validate input, services do the writing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib import params
from anlaufstelle.lib.dates import format_when

from .models import Format
from .queries import FreeSlot, parse_slot_key
from .services import PHONE_REQUIRED
from .slots import BERLIN

INPUT = {"class": "kern-form-input__input"}


class PersonFields(forms.Form):
    """Name, company and e-mail of a person who books or registers (booking, events)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(INPUT | {"autocomplete": "name"}),
    )
    company = forms.CharField(
        label=_("Company (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(INPUT | {"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(INPUT | {"autocomplete": "email"})
    )


class ContactFieldsMixin(PersonFields):
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(INPUT | {"autocomplete": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my details are processed to arrange this appointment."),
        error_messages={"required": _("Please agree to the processing of your data.")},
        widget=forms.CheckboxInput({"class": "kern-form-check__checkbox"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, phone_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if phone_required:
            self.require_phone()

    def require_phone(self) -> None:
        """A phone appointment: the expert calls this number."""
        field = self.fields["phone"]
        field.required = True
        field.label = _("Phone (we call you on this number)")
        field.error_messages["required"] = PHONE_REQUIRED


class BookingForm(ContactFieldsMixin):
    concern = forms.CharField(
        label=_("What is your concern? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(INPUT | {"rows": 4}),
    )

    field_order = ["name", "company", "email", "phone", "concern", "consent"]


class ReservationForm(ContactFieldsMixin):
    # A date input reads only ISO dates; the locale's "04.12.2026" would leave it empty.
    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(INPUT | {"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(INPUT | {"type": "time", "step": 900})
    )
    end = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(INPUT | {"type": "time", "step": 900})
    )
    purpose = forms.CharField(
        label=_("Purpose (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(INPUT | {"rows": 3}),
    )

    field_order = ["day", "start", "end", "name", "company", "email", "phone", "purpose", "consent"]

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        # 0001-01-01 or 9999-12-31 would overflow on the way to UTC.
        if not params.date_in_range(day):
            raise forms.ValidationError(_("Please choose a date between 1900 and 2999."))
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        # Form.clean() hands back cleaned_data; the stubs only say "or None".
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data

    def range(self) -> tuple[datetime, datetime]:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start"]
        end: time = self.cleaned_data["end"]
        return datetime.combine(day, start, tzinfo=BERLIN), datetime.combine(
            day, end, tzinfo=BERLIN
        )


class CancelForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the company (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(INPUT | {"rows": 3}),
    )


class StaffBookingForm(ContactFieldsMixin):
    """Staff book a free slot on a company's behalf, e.g. while on the phone with it.

    The slot is a "<schedule code>:<slot key>" value; whether it is still free is the
    service's decision, so a slot taken meanwhile gets the service's clear message.
    """

    slot = forms.CharField(label=_("Appointment"), widget=forms.Select(INPUT))
    concern = forms.CharField(
        label=_("Concern (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(INPUT | {"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_(
            "The company agreed on the phone that its details are processed for this appointment."
        ),
        error_messages={"required": _("Please confirm that the company agreed.")},
        widget=forms.CheckboxInput({"class": "kern-form-check__checkbox"}),
    )

    field_order = ["slot", "name", "company", "email", "phone", "concern", "consent"]

    def __init__(self, *args, free: list[FreeSlot], schedule_codes: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule_codes = schedule_codes
        # One list in time order (the next free appointment first, whoever holds it),
        # each option naming its consultation hour and format.
        self.phone_codes = {s.schedule.code for s in free if s.schedule.format == Format.PHONE}
        choices: list[tuple[str, Any]] = [("", _("Please choose"))]
        for slot in sorted(free, key=lambda s: (s.starts_at, s.schedule.title)):
            when = format_when(slot.starts_at, "weekday_abbr_datetime", tz=BERLIN)
            label = f"{when} – {slot.schedule.title} ({slot.schedule.get_format_display()})"
            choices.append((f"{slot.schedule.code}:{slot.key}", label))
        self.fields["slot"].widget.choices = choices
        self.fields["name"].label = _("Name of the contact person")
        if self.phone_codes:
            # Not "optional" when a phone appointment may be chosen (checked in clean()).
            self.fields["phone"].label = _("Phone (needed for a phone appointment)")

    def clean_slot(self) -> tuple[str, datetime]:
        code, _sep, key = self.cleaned_data["slot"].partition(":")
        starts_at = parse_slot_key(key)
        if code not in self.schedule_codes or starts_at is None:
            raise forms.ValidationError(_("Please choose an appointment."))
        return code, starts_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        slot = cleaned.get("slot")
        if slot and slot[0] in self.phone_codes and not cleaned.get("phone", "").strip():
            self.add_error("phone", PHONE_REQUIRED)
        return cleaned
