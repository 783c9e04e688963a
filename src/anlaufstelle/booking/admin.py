"""Back office: coordinators and navigators define consultation hours, rooms and closing days."""

from __future__ import annotations

from django.contrib import admin

from anlaufstelle.networks.admin_base import NetworkScopedAdmin

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
    """Inline rows inherit the parent's network (set in save_formset)."""

    extra = 0
    exclude = ("network",)


class WeeklyRuleInline(TenantInline):
    model = WeeklyRule


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
class ScheduleAdmin(ParentNetworkMixin, NetworkScopedAdmin):
    list_display = ("title", "provider", "format", "slot_minutes", "capacity", "is_active")
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
    list_display = ("network", "video_url_pattern")


@admin.register(Booking)
class BookingAdmin(NetworkScopedAdmin):
    """Read-only: bookings change only through the services (locks, counters, e-mails)."""

    list_display: tuple[str, ...] = ("code", "slot", "name", "company", "status")
    list_filter = ("status",)
    search_fields = ("code", "name", "company", "email")

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


@admin.register(FeedToken)
class FeedTokenAdmin(NetworkScopedAdmin):
    list_display = ("user", "created_at", "revoked_at")
    exclude = ("network", "token")


from . import admin_absences  # noqa: E402, F401 (registers the absences admin)
