"""Replaces Django's default admin site with the Anlaufstelle back office."""

from __future__ import annotations

from django.contrib.admin import options
from django.contrib.admin.apps import AdminConfig
from django.db import models

from anlaufstelle.lib.calendar_fields import CalendarDateField, CalendarSplitDateTimeField


class BackOfficeAdminConfig(AdminConfig):
    default_site = "anlaufstelle.networks.admin_site.BackOfficeSite"

    def ready(self) -> None:
        # One place for every admin and inline form, ours and third-party: dates outside
        # the computable calendar are a field error, never an overflow (a 500). Each
        # ModelAdmin copies these defaults when it is registered, so this runs before
        # autodiscovery (super().ready()).
        defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS
        defaults[models.DateTimeField] = {
            **defaults[models.DateTimeField],
            "form_class": CalendarSplitDateTimeField,
        }
        defaults[models.DateField] = {**defaults[models.DateField], "form_class": CalendarDateField}
        super().ready()
