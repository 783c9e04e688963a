from django.contrib import admin

from anlaufstelle.networks.admin_base import NetworkScopedAdmin
from anlaufstelle.networks.models import Role

from .models import LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(NetworkScopedAdmin):
    editor_roles = (Role.COORDINATOR,)
    list_display = ("title", "kind", "network", "updated_at")
