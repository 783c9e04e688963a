"""Forms of the events pages; they validate input, services do the writing."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anlaufstelle.booking.forms import PersonFields

from .models import ANSWER_MAX_LENGTH, Event, EventFormat

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}


class RegistrationForm(PersonFields):
    consent = forms.BooleanField(
        label=_("I agree that my details are processed to organise this event."),
        error_messages={"required": _("Please agree to the processing of your data.")},
        widget=forms.CheckboxInput({"class": "kern-form-check__checkbox"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.questions = event.parsed_questions()
        roles = event.role_list()
        if roles:
            self.fields["role"] = forms.ChoiceField(
                label=_("How do you take part?"),
                choices=[(r, r) for r in roles],
                widget=forms.RadioSelect({"class": "kern-form-check__radio"}),
                error_messages={"required": _("Please choose how you take part.")},
            )
            self.fields["listed_publicly"] = forms.BooleanField(
                label=_("After the event, we may be named on the event page (%(role)s only).")
                % {"role": roles[0]},
                required=False,
                widget=forms.CheckboxInput({"class": "kern-form-check__checkbox"}),
            )
        for index, question in enumerate(self.questions):
            label = question.text
            if question.role:
                label = _("%(question)s (only for: %(role)s)") % {
                    "question": label,
                    "role": question.role,
                }
            if question.required:
                label = _("%(question)s (required)") % {"question": label}
            attrs = INPUT | {"rows": 2}
            if question.required and not question.role:
                attrs["aria-required"] = "true"
            self.fields[f"frage_{index}"] = forms.CharField(
                label=label,
                # A role's required question is checked in clean(): only for that role.
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs),
                error_messages={
                    "max_length": _("An answer may be at most %(limit_value)d characters long.")
                },
            )
        order = ["name", "company", "email", "role"]
        order += [f"frage_{i}" for i in range(len(self.questions))]
        self.order_fields([*order, "listed_publicly", "consent"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role", "")
        for index, question in enumerate(self.questions):
            name = f"frage_{index}"
            if name in self.errors or not question.required or question.role not in ("", role):
                continue
            if question.role and not role:
                continue  # no role chosen yet: that error is shown already
            if not (data.get(name) or "").strip():
                self.add_error(name, _("Please answer this question."))
        return data

    def answers(self) -> dict[str, str]:
        return {
            q.key: self.cleaned_data.get(f"frage_{i}", "") for i, q in enumerate(self.questions)
        }


class EventFilterForm(forms.Form):
    thema = forms.SlugField(required=False, max_length=80)
    format = forms.ChoiceField(required=False, choices=[("", ""), *EventFormat.choices])
    anbieter = forms.SlugField(required=False, max_length=120)
    monat = forms.RegexField(required=False, regex=r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$")


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150, widget=forms.TextInput(INPUT))
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(INPUT | {"rows": 8})
    )
