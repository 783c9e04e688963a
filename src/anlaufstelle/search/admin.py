from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import EDITOR_ROLES, NetworkScopedAdmin, staff_user

from .models import SearchQueryLog, SynonymEntry


@admin.register(SynonymEntry)
class SynonymEntryAdmin(NetworkScopedAdmin):
    list_display = ("terms", "is_active", "network", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("terms",)


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(NetworkScopedAdmin):
    list_display = ("created_at", "query", "mode", "result_count", "clicked_rank", "network")
    list_filter = ("mode",)
    search_fields = ("query",)
    readonly_fields = (
        "code",
        "query",
        "mode",
        "result_count",
        "suggestion",
        "clicked_rank",
        "clicked_ref",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Companies' questions can hold names and circumstances: the navigators read them
        # to learn about demand; partner experts of other organisations have no need to.
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)
