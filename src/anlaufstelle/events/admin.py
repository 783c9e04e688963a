"""Back office of the events: tenant-scoped; partner experts manage their provider's events.

Coordinators and navigators manage every event and series of their network; a partner
expert sees, adds and edits only the events of the provider they work for (the provider
is set for them). Registrations are handled on the organisers' pages
(/n/<slug>/veranstaltungen/verwaltung/); the back office lists them read-only for
requests for information and erasure (export and erase actions, as for appointments).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anlaufstelle.booking.admin_privacy import PrivacyActionsMixin
from anlaufstelle.networks.admin_base import NetworkScopedAdmin, ProviderOwnedAdmin, staff_user
from anlaufstelle.networks.models import Role

from . import privacy, services
from .models import Event, EventSeries, EventType, Registration


@admin.register(Event)
class EventAdmin(ProviderOwnedAdmin):
    list_display = ("title", "starts_at", "format", "status", "provider", "confirmed_count")
    list_filter = ("status", "format", "event_type")
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}  # noqa: RUF012
    filter_horizontal = ("topics",)
    readonly_fields = ("confirmed_count",)


@admin.register(EventType)
class EventTypeAdmin(NetworkScopedAdmin):
    """Kinds of events (e.g. "Löwenpitch") with the roles and questions they ask."""

    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(EventSeries)
class EventSeriesAdmin(NetworkScopedAdmin):
    list_display = ("title", "rule", "provider")
    search_fields = ("title",)
    actions = ("make_occurrences",)

    @admin.action(description=_("Create the next six dates"))
    def make_occurrences(self, request: HttpRequest, queryset: QuerySet[EventSeries]) -> None:
        created = sum(len(services.create_occurrences(series)) for series in queryset)
        self.message_user(
            request,
            _("Dates created: %(count)d") % {"count": created},
            messages.SUCCESS,
        )


@admin.register(Registration)
class RegistrationAdmin(PrivacyActionsMixin, NetworkScopedAdmin):
    """Read-only; partner experts see the registrations of their provider's events."""

    list_display = ("event", "name", "company", "email", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "company", "email", "event__title", "code")
    actions = ("export_selected", "erase_selected")
    exporter: Any = staticmethod(privacy.export_registration)
    eraser: Any = staticmethod(privacy.erase_selected)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("event")
        if not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT:
            provider_id = staff_user(request).provider_id
            if provider_id is None:
                return queryset.none()
            queryset = queryset.filter(event__provider_id=provider_id)
        return queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # companies register on the site; staff never type them in

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
