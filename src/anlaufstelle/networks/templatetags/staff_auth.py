"""Template access to the staff authentication policy (login page note)."""

from __future__ import annotations

from django import template

from anlaufstelle.networks.auth import second_factor_required as _second_factor_required

register = template.Library()


@register.simple_tag
def second_factor_required() -> bool:
    return _second_factor_required()
