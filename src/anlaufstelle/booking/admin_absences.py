"""Back office for a person's absences (holiday, illness) across all their consultation hours.

A partner expert enters and sees only their own absences; coordinators and navigators
those of every staff member of their network. Imported at the end of `booking/admin.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import NetworkScopedAdmin, staff_user
from anlaufstelle.networks.models import Role, User

from .models import ExpertAbsence


@admin.register(ExpertAbsence)
class ExpertAbsenceAdmin(NetworkScopedAdmin):
    list_display = ("expert", "starts_at", "ends_at", "reason")
    date_hierarchy = "starts_at"
    search_fields = ("expert__email", "expert__first_name", "expert__last_name", "reason")
    editor_roles = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)

    def _only_own(self, request: HttpRequest) -> bool:
        """Partner experts manage their own absences only, never a colleague's."""
        return not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("expert")
        if self._only_own(request):
            queryset = queryset.filter(expert=staff_user(request))
        return queryset

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        exclude = tuple(super().get_exclude(request, obj) or ())
        return (*exclude, "expert") if self._only_own(request) else exclude

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if not super()._owns(request, obj):
            return False
        if obj is not None and self._only_own(request):
            return getattr(obj, "expert_id", None) == staff_user(request).pk
        return True

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self._only_own(request):
            obj.expert = staff_user(request)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "expert" and not request.user.is_superuser:
            # Users are not scoped by django-scopes: limit the choice to the own network's
            # active staff explicitly (the base class would offer every account).
            network_id = staff_user(request).network_id
            kwargs["queryset"] = (
                User.objects.filter(network_id=network_id, is_active=True).order_by(
                    "last_name", "first_name", "email"
                )
                if network_id is not None
                else User.objects.none()
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
