from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anlaufstelle.directory.models import Topic

from .models import Category, Digest

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
TEXTAREA = {"class": "kern-form-input__input", "rows": "8"}
MAX_BODY = 10000


def _is_small_id(value: object) -> bool:
    # A number beyond the database's integer range would raise OverflowError (a 500 on
    # SQLite) inside Django's own look-up, so such values never reach the query.
    text = str(value)
    return text.isdigit() and len(text) <= 12


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _is_small_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if not all(_is_small_id(v) for v in value):
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": ""},
            )
        return super()._check_values(value)  # type: ignore[misc]


def _topics() -> forms.ModelMultipleChoiceField:
    return IdMultipleChoiceField(
        label=_("Topics of interest"),
        queryset=Topic.objects.order_by("label_de"),
        required=False,
        widget=forms.CheckboxSelectMultiple({"class": "kern-form-check__checkbox"}),
    )


class ProfileFields(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(INPUT)
    )
    company = forms.CharField(
        label=_("Company"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )
    branche = forms.CharField(
        label=_("Industry"), max_length=120, required=False, widget=forms.TextInput(INPUT)
    )
    gemeinde = forms.CharField(
        label=_("Municipality"), max_length=120, required=False, widget=forms.TextInput(INPUT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topics()


class JoinForm(ProfileFields):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput({**INPUT, "autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the code of conduct and the privacy notice."),
        widget=forms.CheckboxInput({"class": "kern-form-check__checkbox"}),
        error_messages={
            "required": _(
                "Please confirm that you have read the code of conduct and the privacy notice."
            )
        },
    )

    field_order = ["email", "display_name", "company", "branche", "gemeinde", "topics", "consent"]


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput({**INPUT, "autocomplete": "email"}),
    )


class ProfileForm(ProfileFields):
    digest = forms.ChoiceField(
        label=_("E-mail about mentions and replies"),
        choices=Digest.choices,
        widget=forms.Select(SELECT),
    )


class ThreadForm(forms.Form):
    category = IdChoiceField(
        label=_("Category"), queryset=Category.objects.none(), widget=forms.Select(SELECT)
    )
    title = forms.CharField(label=_("Title"), max_length=160, widget=forms.TextInput(INPUT))
    body = forms.CharField(
        label=_("Your post"), max_length=MAX_BODY, widget=forms.Textarea(TEXTAREA)
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(TEXTAREA)
    )
    quoted = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the navigators look at this post?"),
        max_length=500,
        widget=forms.TextInput(INPUT),
    )


class MoveForm(forms.Form):
    category = IdChoiceField(
        label=_("Move to"), queryset=Category.objects.none(), widget=forms.Select(SELECT)
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
