"""Back office: the coordinator edits the desk settings of their network (consent texts,
retention, untouched threshold). Concerns themselves are worked in the desk, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import NetworkScopedAdmin
from anlaufstelle.networks.models import Role

from .models import NetworkCaseSettings


@admin.register(NetworkCaseSettings)
class NetworkCaseSettingsAdmin(NetworkScopedAdmin):
    editor_roles = (Role.COORDINATOR,)
    list_display = ("__str__", "retention_months", "untouched_days")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
