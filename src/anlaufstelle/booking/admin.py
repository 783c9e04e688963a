"""Back office: coordinators and navigators define consultation hours, rooms and closing days;
partner experts set up and edit their own consultation hours and absences.

Who sees which appointments and reservations (docs/booking.md, "Back office"):
coordinators and navigators all of their network's; a partner expert only the
appointments of their own consultation hours and of their provider's, and no room
reservations (rooms are the lab's, approved by its coordinators and navigators, as on the
site's reservations page); operators everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.admin_base import EDITOR_ROLES, NetworkScopedAdmin, staff_user
from anlaufstelle.networks.models import Role

from . import privacy
from .admin_experts import ExpertOwnedAdmin
from .admin_privacy import PrivacyActionsMixin
from .models import (
    Absence,
    Booking,
    BookingSettings,
    ClosingDay,
    ExtraDate,
    FeedToken,
    OpeningHours,
    Reservation,
    Resource,
    Schedule,
    WeeklyRule,
)


class TenantInline(admin.TabularInline):
    """Inline rows inherit the parent's network (set in save_formset) and the parent's
    permissions: whoever may change a consultation hour may change its rules (staff have
    no Django model permissions; the admins decide by role and network)."""

    extra = 0
    exclude = ("network",)

    def _parent_admin(self) -> Any:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(self._parent_admin().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        parent = self._parent_admin()
        if obj is None:
            return bool(parent.has_add_permission(request))
        return bool(parent.has_change_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request, obj)


class WeeklyRuleInline(TenantInline):
    model = WeeklyRule
    template = "admin/booking/weeklyrule_inline.html"
    # How the recurrences a partner describes map onto the fields.
    description = _(
        "Every week: weekday, from, until. Every second Thursday: weekday Thursday, "
        "'every n-th week' 2 and as 'first date' a Thursday with the consultation hour. "
        "Once a month, e.g. the first Monday: weekday Monday and 'weeks of the month' 1 "
        "(2,4 for the second and fourth, -1 for the last). Public holidays of the "
        "network's state and its closing days never get slots."
    )


class ExtraDateInline(TenantInline):
    model = ExtraDate


class AbsenceInline(TenantInline):
    model = Absence


class OpeningHoursInline(TenantInline):
    model = OpeningHours


class ParentNetworkMixin:
    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.network_id = form.instance.network_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Schedule)
class ScheduleAdmin(ParentNetworkMixin, ExpertOwnedAdmin):
    # A partner expert's consultation hours are theirs and their organisation's.
    owner_defaults = {"provider": "provider"}
    list_display = (
        "title",
        "provider",
        "expert",
        "format",
        "slot_minutes",
        "capacity",
        "is_active",
    )
    list_filter = ("format", "is_active")
    search_fields = ("title", "provider__name")
    filter_horizontal = ("topics", "offers")
    inlines = [WeeklyRuleInline, ExtraDateInline, AbsenceInline]


@admin.register(Resource)
class ResourceAdmin(ParentNetworkMixin, NetworkScopedAdmin):
    list_display = ("name", "kind", "capacity", "requires_approval", "is_active")
    inlines = [OpeningHoursInline]


@admin.register(ClosingDay)
class ClosingDayAdmin(NetworkScopedAdmin):
    list_display = ("date", "name")


@admin.register(BookingSettings)
class BookingSettingsAdmin(NetworkScopedAdmin):
    # Data-protection and security settings (retention, the video link on public pages):
    # the coordinator's, as the concern settings are; the others read them.
    editor_roles = (Role.COORDINATOR,)
    list_display = ("__str__", "video_url_pattern", "retention_days")


def is_partner_expert(request: HttpRequest) -> bool:
    return not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT


@admin.register(Booking)
class BookingAdmin(PrivacyActionsMixin, NetworkScopedAdmin):
    """Read-only: bookings change only through the services (locks, counters, e-mails).

    Coordinators and navigators may export and erase them on a data-protection request.
    """

    list_display: tuple[str, ...] = ("code", "slot", "name", "company", "status")
    list_filter = ("status",)
    search_fields = ("code", "name", "company", "email")
    actions = ("export_selected", "erase_selected")
    exporter: Any = staticmethod(privacy.export_booking)
    eraser: Any = staticmethod(privacy.erase_bookings)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("slot__schedule__provider")
        if is_partner_expert(request):
            # Their own consultation hours and their organisation's, as in the calendar.
            user = staff_user(request)
            mine = Q(slot__schedule__expert_id=user.pk)
            if user.provider_id is not None:
                mine |= Q(slot__schedule__provider_id=user.provider_id)
            queryset = queryset.filter(mine)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reservation)
class ReservationAdmin(BookingAdmin):
    list_display = ("code", "resource", "starts_at", "ends_at", "name", "status")
    search_fields = ("code", "name", "company", "email")
    exporter: Any = staticmethod(privacy.export_reservation)
    eraser: Any = staticmethod(privacy.erase_reservations)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = NetworkScopedAdmin.get_queryset(self, request).select_related("resource")
        # Partner experts have no access at all (below); nothing listed even if asked.
        return queryset.none() if is_partner_expert(request) else queryset

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)


@admin.register(FeedToken)
class FeedTokenAdmin(NetworkScopedAdmin):
    list_display = ("user", "created_at", "revoked_at")
    exclude = ("network", "token")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("user")
        # A partner expert sees only their own calendar feeds, not their colleagues'.
        if is_partner_expert(request):
            queryset = queryset.filter(user_id=staff_user(request).pk)
        return queryset


from . import admin_absences  # noqa: E402, F401 (registers the absences admin)
