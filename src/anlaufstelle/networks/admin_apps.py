"""Replaces Django's default admin site with the Anlaufstelle back office."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    default_site = "anlaufstelle.networks.admin_site.BackOfficeSite"
