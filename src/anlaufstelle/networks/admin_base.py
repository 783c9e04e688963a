"""Back-office base: a staff member only ever sees and changes their own network's rows.

Nationwide rows (the shared pool) are listed read-only. Operators (superusers) see all.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_scopes import scopes_disabled

from .models import Role, User

EDITOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member; the back office lets no anonymous request through."""
    return cast(User, request.user)


class NetworkScopedAdmin(admin.ModelAdmin):
    """ModelAdmin for TenantModel subclasses."""

    editor_roles: tuple[str, ...] = EDITOR_ROLES
    exclude: ClassVar[tuple[str, ...]] = ("network",)
    # Addresses typed without a scheme are web sites reached over HTTPS.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        if request.user.is_superuser:
            with scopes_disabled():
                return self.model.objects.with_scopes_disabled().all()
        # The admin site entered the staff member's scope (own network + nationwide).
        return super().get_queryset(request)

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        if request.user.is_superuser:
            return form_class
        network_id = staff_user(request).network_id

        class OwnNetworkForm(form_class):  # type: ignore[valid-type,misc]
            def _post_clean(self) -> None:
                # `network` is not a form field, so ModelForm would skip the per-network
                # unique constraints and a duplicate slug would end in an IntegrityError.
                self.instance.network_id = network_id
                super()._post_clean()
                try:
                    self.instance.validate_constraints(
                        exclude=self._get_validation_exclusions() - {"network"}
                    )
                except ValidationError as error:
                    self._update_errors(error)

        return OwnNetworkForm

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return () if request.user.is_superuser else self.exclude

    def _is_editor(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*self.editor_roles)

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if request.user.is_superuser:
            return True
        return obj is None or getattr(obj, "network_id", None) == staff_user(request).network_id

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*Role.values)

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
            obj.network = staff_user(request).network
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if not request.user.is_superuser and hasattr(related, "network"):
            kwargs["queryset"] = related.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProviderOwnedAdmin(NetworkScopedAdmin):
    """Rows with a `provider`: coordinators and navigators manage all of their network's,
    a partner expert only (and adds only) those of the provider they work for."""

    editor_roles = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)

    def _only_own(self, request: HttpRequest) -> bool:
        return not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("provider")
        if self._only_own(request):
            provider_id = staff_user(request).provider_id
            queryset = queryset.filter(provider_id=provider_id) if provider_id else queryset.none()
        return queryset

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        exclude = tuple(super().get_exclude(request, obj) or ())
        return (*exclude, "provider") if self._only_own(request) else exclude

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if not super()._owns(request, obj):
            return False
        if obj is not None and self._only_own(request):
            provider_id = staff_user(request).provider_id
            return provider_id is not None and getattr(obj, "provider_id", None) == provider_id
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self._only_own(request) and staff_user(request).provider_id is None:
            return False
        return super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self._only_own(request):
            obj.provider_id = staff_user(request).provider_id
        super().save_model(request, obj, form, change)
