"""Forms of the chat and the waiting room; the services check and write."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import FILE_KINDS

INPUT = {"class": "kern-form-input__input"}
TEXTAREA = {"class": "kern-form-input__input"}
ACCEPT = ",".join(f".{ext}" for ext in FILE_KINDS)


class ChatForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(TEXTAREA | {"rows": 3}),
    )
    datei = forms.FileField(
        label=_("Attach a file (optional)"),
        help_text=_("PDF, PNG, JPG, DOCX, XLSX, ODT or TXT, at most %(mb)s MB."),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ACCEPT, "class": "kern-form-input__input"}
        ),
    )

    def __init__(self, *args: Any, max_mb: float = 5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["datei"].help_text = str(self.fields["datei"].help_text) % {"mb": f"{max_mb:g}"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("datei"):
            raise forms.ValidationError(_("Please write a message or attach a file."))
        return data


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(INPUT))
    company_name = forms.CharField(
        label=_("Company (optional)"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("Only if you want an e-mail when it is your turn."),
        widget=forms.EmailInput(INPUT),
    )
    topic = forms.CharField(
        label=_("Your question in a few words (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(INPUT),
    )


class OpenHourForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(INPUT))
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(TEXTAREA | {"rows": 3}),
    )
    starts_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(INPUT | {"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.TypedChoiceField(
        label=_("Duration"),
        coerce=int,
        choices=[(30, "30 min"), (60, "60 min"), (90, "90 min"), (120, "120 min")],
        initial=60,
        widget=forms.Select({"class": "kern-form-input__select"}),
    )

    def ends_at(self) -> datetime:
        start: datetime = self.cleaned_data["starts_at"]
        return start + timedelta(minutes=self.cleaned_data["minutes"])

    def clean_starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value
