from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_base import staff_user
from .models import Network, Role, User


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "bundesland", "is_nationwide", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Network]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=staff_user(request).network_id)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(Role.COORDINATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return staff_user(request).has_role(Role.COORDINATOR) and (
            obj is None or obj.pk == staff_user(request).network_id
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        return ("slug", "is_nationwide", "is_active", "region", "hostnames")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "network", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Network"), {"fields": ("network", "role", "provider")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2", "role", "provider")}),)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            fieldsets = super().get_fieldsets(request, obj)
            if obj is not None:
                return (*fieldsets, (_("Operator"), {"fields": ("is_superuser",)}))
            return fieldsets
        if obj is None:
            return self.add_fieldsets
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        # A coordinator's staff always belong to the coordinator's network.
        return ("network",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request).select_related("network")
        if request.user.is_superuser:
            return qs
        return qs.filter(network_id=staff_user(request).network_id, is_superuser=False)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(Role.COORDINATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def _owns(self, request: HttpRequest, obj: Any) -> bool:
        if request.user.is_superuser or obj is None:
            return True
        return obj.network_id == staff_user(request).network_id and not obj.is_superuser

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            # Coordinators can only create staff of their own network, never operators.
            obj.network_id = staff_user(request).network_id
            obj.is_superuser = False
            obj.is_staff = True
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "provider" and not request.user.is_superuser:
            from anlaufstelle.directory.models import Provider

            kwargs["queryset"] = Provider.objects.filter(network=staff_user(request).network)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
