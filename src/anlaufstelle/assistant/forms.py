"""Forms of the chat: booking a slot shown in the chat, the hand-over."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services

INPUT = {"class": "kern-form-input__input"}
CHECK = {"class": "kern-form-check__checkbox"}


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(INPUT | {"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages={
            "required": _("Please enter your e-mail address so that we can answer you."),
            "invalid": _("Please enter a valid e-mail address, e.g. name@firma.de."),
        },
        widget=forms.EmailInput(INPUT | {"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(INPUT | {"autocomplete": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        required=False,  # the services refuse without consent, with their own message
        widget=forms.CheckboxInput(CHECK),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.auto_id = f"{prefix_id}%s" if prefix_id else "id_%s"

    def clean_name(self) -> str:
        value: str = self.cleaned_data["name"]
        if services.case_services.HTML_TAG.search(value):
            raise forms.ValidationError(_("Please enter your name without HTML tags."))
        return value


class BookForm(ContactForm):
    termin = forms.CharField(
        max_length=60,
        error_messages={"required": _("Please choose one of the appointments shown.")},
    )

    def slot(self) -> tuple[str, str]:
        """(schedule code, slot key) of the chosen appointment."""
        code, _sep, key = self.cleaned_data["termin"].partition("|")
        return code, key


class HandoverForm(ContactForm):
    share_consent = forms.BooleanField(required=False, widget=forms.CheckboxInput(CHECK))
