"""Back office for a person's absences (holiday, illness) across all their consultation hours.

A partner expert enters and sees only their own absences; coordinators and navigators
those of every staff member of their network. Imported at the end of `booking/admin.py`.
"""

from __future__ import annotations

from django.contrib import admin

from .admin_experts import ExpertOwnedAdmin
from .models import ExpertAbsence


@admin.register(ExpertAbsence)
class ExpertAbsenceAdmin(ExpertOwnedAdmin):
    list_display = ("expert", "starts_at", "ends_at", "reason")
    date_hierarchy = "starts_at"
    search_fields = ("expert__email", "expert__first_name", "expert__last_name", "reason")
