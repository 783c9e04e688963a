"""`{{ doc|result_date }}`: the date a registered source gives its result (or None)."""

from __future__ import annotations

from django import template

from anlaufstelle.search import registry
from anlaufstelle.search.models import SearchDocument

register = template.Library()


@register.filter
def result_date(doc: SearchDocument) -> registry.ResultDate | None:
    return registry.result_date(doc)
