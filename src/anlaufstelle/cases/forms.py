"""Forms of the desk; they validate input with the services' rules, services do the writing."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from anlaufstelle.directory.models import Provider

from . import services
from .models import Outcome, SizeClass, Urgency, WzSection

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
TEXTAREA = {"class": "kern-form-input__input"}
CHECK = {"class": "kern-form-check__checkbox"}


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ConcernForm(forms.Form):
    """The company's "Anliegen schildern" form (no account)."""

    text = forms.CharField(
        label=_("What is your concern?"),
        help_text=_("In your own words, e.g. who you are looking for and since when."),
        # The service checks the length with a clearer message than maxlength would give.
        widget=forms.Textarea(TEXTAREA | {"rows": 6}),
        error_messages={"required": _("Please describe your concern.")},
    )
    wz_section = forms.ChoiceField(
        label=_("Industry (optional)"),
        choices=_blank(WzSection.choices, _("Please choose")),
        required=False,
        widget=forms.Select(SELECT),
    )
    size_class = forms.ChoiceField(
        label=_("Number of employees (optional)"),
        choices=_blank(SizeClass.choices, _("Please choose")),
        required=False,
        widget=forms.Select(SELECT),
    )
    municipality = forms.CharField(
        label=_("Municipality (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(INPUT | {"autocomplete": "address-level2"}),
    )
    postcode = forms.RegexField(
        label=_("Postcode (optional)"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Please enter a postcode with five digits.")},
        widget=forms.TextInput(INPUT | {"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.Select(SELECT),
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(INPUT | {"autocomplete": "name"}),
    )
    company_name = forms.CharField(
        label=_("Company (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(INPUT | {"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
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
        error_messages={"required": _("Please agree to the processing of your data.")},
        widget=forms.CheckboxInput(CHECK),
    )
    share_consent = forms.BooleanField(required=False, widget=forms.CheckboxInput(CHECK))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, consent_text: str = "", share_text: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text
        self.fields["share_consent"].label = share_text
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_text(self) -> str:
        try:
            return services.check_text(self.cleaned_data["text"])
        except services.CaseError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_contact_name(self) -> str:
        value = self.cleaned_data["contact_name"]
        if services.HTML_TAG.search(value):
            raise forms.ValidationError(_("Please enter your name without HTML tags."))
        return value


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(TEXTAREA | {"rows": 4}),
        error_messages={"required": _("Please write a message.")},
    )

    def clean_body(self) -> str:
        try:
            return services.check_text(self.cleaned_data["body"], field="message")
        except services.CaseError as exc:
            raise forms.ValidationError(exc.message) from exc


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, widget=forms.Select(SELECT)
    )

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = staff


class ReferForm(forms.Form):
    providers: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Provider.objects.none(),
        widget=forms.CheckboxSelectMultiple(CHECK),
        error_messages={"required": _("Please choose at least one partner.")},
    )
    note = forms.CharField(
        label=_("Note for the partners"),
        required=False,
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(TEXTAREA | {"rows": 3}),
    )
    consent_confirmed = forms.BooleanField(
        label=_("The company agreed to pass its data on to these partners (e.g. on the phone)."),
        required=False,
        widget=forms.CheckboxInput(CHECK),
    )

    def __init__(self, *args: Any, providers: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["providers"]).queryset = providers


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=_blank(Outcome.choices, _("Please choose")),
        widget=forms.Select(SELECT),
        error_messages={"required": _("Please choose an outcome.")},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(TEXTAREA | {"rows": 3}),
        error_messages={"required": _("Please give a reason for declining.")},
    )


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(INPUT | {"type": "search"}),
    )
    dringlichkeit = forms.ChoiceField(
        label=_("Urgency"),
        choices=_blank(Urgency.choices, _("All")),
        required=False,
        widget=forms.Select(SELECT),
    )
    branche = forms.ChoiceField(
        label=_("Industry"),
        choices=_blank(WzSection.choices, _("All")),
        required=False,
        widget=forms.Select(SELECT),
    )
    unbearbeitet = forms.BooleanField(
        label=_("Only untouched for too long"), required=False, widget=forms.CheckboxInput(CHECK)
    )
