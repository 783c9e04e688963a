from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern

from anlaufstelle.networks.admin_base import NetworkScopedAdmin

from .admin_import import CatalogImportLinkMixin, import_urls
from .models import Audience, Contact, Offer, Provider, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("label_de", "label_en", "slug", "position")


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ("label_de", "label_en", "slug", "position")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("slug", "function", "name", "email", "phone", "availability")


@admin.register(Provider)
class ProviderAdmin(CatalogImportLinkMixin, NetworkScopedAdmin):
    list_display = ("name", "kind", "region", "network", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("name", "slug")

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs, whose catch-all would take "import/".
        return [*import_urls(self), *super().get_urls()]


@admin.register(Contact)
class ContactAdmin(CatalogImportLinkMixin, NetworkScopedAdmin):
    list_display = ("function", "name", "provider")
    search_fields = ("function", "name")


@admin.register(Offer)
class OfferAdmin(CatalogImportLinkMixin, NetworkScopedAdmin):
    list_display = ("title", "provider", "kind", "network", "verified", "last_checked")
    list_filter = ("kind", "verified", "is_published", "topics")
    search_fields = ("title", "slug", "summary")
    filter_horizontal = ("topics", "audiences")
    list_select_related = ("provider", "network")
