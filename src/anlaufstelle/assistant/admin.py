"""Back office: the coordinator sets where the widget may be embedded; navigators and
coordinators read conversations (read-only, like the staff pages under /assistent/verwaltung/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import EDITOR_ROLES, NetworkScopedAdmin, staff_user
from anlaufstelle.networks.models import Role

from .models import AssistantSettings, Conversation, Turn


@admin.register(AssistantSettings)
class AssistantSettingsAdmin(NetworkScopedAdmin):
    editor_roles = (Role.COORDINATOR,)
    list_display = ("__str__", "allowed_origins")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class TurnInline(admin.TabularInline):
    model = Turn
    extra = 0
    fields = ("created_at", "role", "text", "intent")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)


@admin.register(Conversation)
class ConversationAdmin(NetworkScopedAdmin):
    """Read-only: what was said stays as it was said; retention deletes it."""

    list_display = ("code", "created_at", "last_activity_at", "embedded", "concern")
    fields = ("code", "created_at", "last_activity_at", "embedded", "language", "concern")
    readonly_fields = fields
    search_fields = ("code",)
    inlines = (TurnInline,)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("concern")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser
