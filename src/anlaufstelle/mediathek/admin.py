"""Back office of the Mediathek: tenant-scoped; partner experts manage their provider's items.

Coordinators and navigators manage every item of their network. A partner expert sees,
adds and edits only the items of the provider they work for; the provider is set for
them and not on their form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.admin_base import NetworkScopedAdmin, staff_user
from anlaufstelle.networks.models import Role

from .models import Article, Episode, Image, Podcast, Video


class ProviderOwnedAdmin(NetworkScopedAdmin):
    editor_roles = (Role.COORDINATOR, Role.NAVIGATOR, Role.PARTNER_EXPERT)
    search_fields = ("title",)

    def _only_own(self, request: HttpRequest) -> bool:
        return not request.user.is_superuser and staff_user(request).role == Role.PARTNER_EXPERT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("provider")
        if self._only_own(request):
            provider_id = staff_user(request).provider_id
            queryset = queryset.filter(provider_id=provider_id) if provider_id else queryset.none()
        return queryset

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        exclude = tuple(super().get_exclude(request, obj) or ())
        return (*exclude, "provider") if self._only_own(request) else exclude

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if not super()._owns(request, obj):
            return False
        if obj is not None and self._only_own(request):
            provider_id = staff_user(request).provider_id
            return provider_id is not None and getattr(obj, "provider_id", None) == provider_id
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self._only_own(request) and staff_user(request).provider_id is None:
            return False
        return super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self._only_own(request):
            obj.provider_id = staff_user(request).provider_id
        super().save_model(request, obj, form, change)


class MediaItemAdmin(ProviderOwnedAdmin):
    list_display: tuple[str, ...] = ("title", "provider", "is_published", "published_at", "is_demo")
    list_filter = ("is_published", "is_demo")
    prepopulated_fields = {"slug": ("title",)}  # noqa: RUF012
    filter_horizontal = ("topics",)


@admin.register(Article)
class ArticleAdmin(MediaItemAdmin):
    pass


@admin.register(Episode)
class EpisodeAdmin(MediaItemAdmin):
    list_display = ("title", "number", "duration_label", "is_published", "published_at", "is_demo")
    readonly_fields = ("duration_label", "audio_type", "audio_size")

    @admin.display(description=_("duration"))
    def duration_label(self, obj: Episode) -> str:
        return obj.duration_display if obj.duration_seconds else "–"


@admin.register(Video)
class VideoAdmin(MediaItemAdmin):
    list_display = ("title", "is_recording", "is_published", "published_at", "is_demo")


@admin.register(Image)
class ImageAdmin(ProviderOwnedAdmin):
    list_display = ("title", "alt_text", "provider", "code")
    readonly_fields = ("address",)

    @admin.display(description=_("address for texts"))
    def address(self, obj: Image) -> str:
        return obj.src() if obj.pk else "–"


@admin.register(Podcast)
class PodcastAdmin(NetworkScopedAdmin):
    list_display = ("title", "author")
