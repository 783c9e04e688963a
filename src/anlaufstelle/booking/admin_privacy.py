"""Back-office actions for data-protection requests on appointments and reservations.

A company asks for its data or for its erasure: a coordinator or navigator searches the
list by e-mail address, selects the rows and exports them (JSON) or erases them after a
confirmation page. The rows come from the admin's scoped queryset, so nobody reaches
another network's rows (or, for partner experts, another provider's). See
`booking/privacy.py` for what erasing keeps.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.admin_base import EDITOR_ROLES, staff_user


class PrivacyActionsMixin:
    """Export and erase actions for BookingAdmin and ReservationAdmin (which list them in
    `actions`)."""

    exporter: Any = None  # privacy.export_booking or privacy.export_reservation
    eraser: Any = None  # privacy.erase_bookings or privacy.erase_reservations

    def has_privacy_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(*EDITOR_ROLES)

    @admin.action(description=_("Export selected (JSON, for a request for information)"))
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        if not self.has_privacy_permission(request):
            raise PermissionDenied
        exporter = type(self).exporter
        rows = [exporter(obj) for obj in queryset]
        body = json.dumps({"exported": timezone.now().isoformat(), "rows": rows}, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = self.model._meta.model_name  # type: ignore[attr-defined]
        response["Content-Disposition"] = f'attachment; filename="{name}-export.json"'
        return response

    @admin.action(description=_("Erase personal data of selected"))
    def erase_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        if not self.has_privacy_permission(request):
            raise PermissionDenied
        if request.POST.get("post") != "yes":
            opts = self.model._meta  # type: ignore[attr-defined]
            context = {
                **self.admin_site.each_context(request),  # type: ignore[attr-defined]
                "title": gettext("Erase personal data?"),
                "opts": opts,
                "objects": list(queryset),
                "action": "erase_selected",
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/booking/erase_confirmation.html", context)
        count = type(self).eraser(queryset)
        messages.success(
            request,
            ngettext(
                "The personal data of %(count)d entry was erased.",
                "The personal data of %(count)d entries was erased.",
                count,
            )
            % {"count": count},
        )
        return None

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        if not self.has_privacy_permission(request):
            actions.pop("export_selected", None)
            actions.pop("erase_selected", None)
        return actions
