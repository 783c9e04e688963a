"""Back office of the Mediathek: tenant-scoped; partner experts manage their provider's items.

Coordinators and navigators manage every item of their network. A partner expert sees,
adds and edits only the items of the provider they work for; the provider is set for
them and not on their form.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.admin_base import NetworkScopedAdmin, ProviderOwnedAdmin

from .models import Article, Episode, Image, Podcast, Video


class MediaItemAdmin(ProviderOwnedAdmin):
    search_fields = ("title",)
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
