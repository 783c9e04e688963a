"""Rows a partner expert owns in the back office: their consultation hours and absences.

A partner expert (e.g. the employer service of the Agentur für Arbeit) sets up and edits
their own rows; the owner field (and, for consultation hours, the provider) is theirs by
construction and not on the form. Coordinators and navigators manage every row of their
network and choose the owner among their network's active staff.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import NetworkScopedAdmin, staff_user
from anlaufstelle.networks.models import Role, User


class ExpertOwnedAdmin(NetworkScopedAdmin):
    owner_field = "expert"
    # Further fields a partner expert does not choose: field name -> attribute of the user.
    owner_defaults: dict[str, str] = {}
    editor_roles = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)

    def _only_own(self, request: HttpRequest) -> bool:
        """Partner experts manage their own rows only, never a colleague's."""
        return not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related(self.owner_field)
        if self._only_own(request):
            queryset = queryset.filter(**{self.owner_field: staff_user(request)})
        return queryset

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        exclude = tuple(super().get_exclude(request, obj) or ())
        if self._only_own(request):
            return (*exclude, self.owner_field, *self.owner_defaults)
        return exclude

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if not super()._owns(request, obj):
            return False
        if obj is not None and self._only_own(request):
            return getattr(obj, f"{self.owner_field}_id", None) == staff_user(request).pk
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self._only_own(request) and any(
            getattr(staff_user(request), f"{attr}_id", None) is None
            for attr in self.owner_defaults.values()
        ):
            return False  # e.g. an expert not yet attached to a provider
        return super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self._only_own(request):
            user = staff_user(request)
            setattr(obj, self.owner_field, user)
            for field, attr in self.owner_defaults.items():
                setattr(obj, field, getattr(user, attr))
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == self.owner_field and not request.user.is_superuser:
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
