"""Back office of the exchange: categories and settings for every staff role to read;
members, threads, posts and reports only for coordinators and navigators."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from anlaufstelle.networks.admin_base import EDITOR_ROLES, NetworkScopedAdmin, staff_user

from .models import Category, CommunitySettings, Member, Post, Report, Thread


class EditorsOnlyAdmin(NetworkScopedAdmin):
    """Members' data and moderation: partner experts do not see these lists."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)


@admin.register(CommunitySettings)
class CommunitySettingsAdmin(NetworkScopedAdmin):
    list_display = ("__str__", "require_approval")


@admin.register(Category)
class CategoryAdmin(NetworkScopedAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012


@admin.register(Member)
class MemberAdmin(EditorsOnlyAdmin):
    list_display = ("display_name", "company", "email", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("display_name", "company", "email")
    readonly_fields = ("user", "email_verified_at", "created_at", "approved_at")
    filter_horizontal = ("topics",)


@admin.register(Thread)
class ThreadAdmin(EditorsOnlyAdmin):
    list_display = ("title", "category", "author", "last_activity_at", "is_hidden", "is_locked")
    list_filter = ("is_hidden", "is_locked")
    search_fields = ("title",)
    readonly_fields = ("author", "accepted_post", "reply_count")


@admin.register(Post)
class PostAdmin(EditorsOnlyAdmin):
    list_display = ("__str__", "author", "created_at", "is_hidden")
    list_filter = ("is_hidden",)
    readonly_fields = ("thread", "author", "quoted", "is_opening")


@admin.register(Report)
class ReportAdmin(EditorsOnlyAdmin):
    list_display = ("post", "reporter", "reason", "created_at", "resolved_at")
    readonly_fields = ("post", "reporter")
