"""German labels for the third-party models the back office shows.

allauth's second factors and django-tasks-db's task results come with English labels
(partly not even translatable), and Django's groups list their permissions by English
names written at migrate time. Each is replaced here by an admin with German labels,
or unregistered where the project does not use it.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import SecondFactor

# Roles are a field of the staff member; Django's groups are not used, and their
# permission list is English (names are written once, at migrate time).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
# allauth's own admin shows English labels; SecondFactorAdmin below replaces it.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    """Operators see who has set up which second factor and can remove one (lost phone)."""

    list_display = ("staff_member", "kind", "created", "last_used")
    fields = ("staff_member", "kind", "created", "last_used")
    readonly_fields = fields
    search_fields = ("user__email",)
    ordering = ("user__email",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SecondFactor]:
        return super().get_queryset(request).select_related("user")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("staff member"), ordering="user__email")
    def staff_member(self, obj: SecondFactor) -> str:
        return str(obj.user)

    @admin.display(description=_("kind"))
    def kind(self, obj: SecondFactor) -> str:
        return obj.get_type_display()

    @admin.display(description=_("set up"), ordering="created_at")
    def created(self, obj: SecondFactor) -> Any:
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: SecondFactor) -> Any:
        return obj.last_used_at


def _task_result_title(self: DBTaskResult) -> str:
    return f"{self.task_name} ({self.get_status_display()})"


# The model has no __str__: the admin's headings would read "DBTaskResult object (<uuid>)".
# A method is no part of migrations, unlike a proxy or changed Meta options.
DBTaskResult.__str__ = _task_result_title  # type: ignore[method-assign, assignment]

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's view-only admin with German column and field labels."""

    list_display = (
        "id",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("task"), ordering="task_path")
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("error trace"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> Any:
        return super().display_run_after(obj)
