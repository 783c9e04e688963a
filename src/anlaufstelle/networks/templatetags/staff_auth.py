"""Template helpers of the staff sign-in pages: the second-factor policy, KERN widgets."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from anlaufstelle.networks.auth import second_factor_required as _second_factor_required

register = template.Library()


@register.simple_tag
def second_factor_required() -> bool:
    return _second_factor_required()


@register.filter
def kern_widget(field: BoundField) -> str:
    """The field's widget with KERN's class (allauth's forms carry none of their own)."""
    if field.widget_type == "checkbox":
        css = "kern-form-check__checkbox"
    elif field.widget_type == "select":
        css = "kern-form-input__select"
    else:
        css = "kern-form-input__input"
    return field.as_widget(attrs={"class": css})
