"""Back-office base: a staff member only ever sees and changes their own network's rows.

Nationwide rows (the shared pool) are listed read-only. Operators (superusers) see all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_scopes import scopes_disabled

from .models import Role

EDITOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


class NetworkScopedAdmin(admin.ModelAdmin):
    """ModelAdmin for TenantModel subclasses."""

    editor_roles: tuple[str, ...] = EDITOR_ROLES
    exclude: tuple[str, ...] = ("network",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        if request.user.is_superuser:
            with scopes_disabled():
                return self.model.objects.with_scopes_disabled().all()
        # The middleware entered the scope of request.user.network (own + nationwide).
        return super().get_queryset(request)

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return () if request.user.is_superuser else self.exclude

    def _is_editor(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or request.user.has_role(*self.editor_roles)

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if request.user.is_superuser:
            return True
        return obj is None or obj.network_id == request.user.network_id

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or request.user.has_role(*Role.values)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_editor(request) and self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_editor(request) and self._owns(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.network = request.user.network
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if not request.user.is_superuser and hasattr(related, "network"):
            kwargs["queryset"] = related.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
