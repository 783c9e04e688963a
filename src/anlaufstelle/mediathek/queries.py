"""Read helpers for the public Mediathek; every query runs inside the network scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anlaufstelle.directory.models import Topic

from .models import Article, Episode, Image, MediaItem, Video

M = TypeVar("M", bound=MediaItem)

# URL value of the kind filter -> (model, label); German words, as the site's other URLs.
KIND_FILTERS: dict[str, tuple[type[MediaItem], Any]] = {
    "artikel": (Article, _("Articles")),
    "podcast": (Episode, _("Podcast")),
    "video": (Video, _("Videos")),
}
MAX_PER_KIND = 300


def published(model: type[M]) -> QuerySet[M]:
    return model.objects.filter(is_published=True, published_at__lte=timezone.now())


def listed(model: type[M]) -> QuerySet[M]:
    return (
        published(model)
        .select_related("provider")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position")))
    )


@dataclass
class MediaFilter:
    kind: str = ""
    topic: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> MediaFilter:
        kind = query.get("art", "")
        topic = query.get("thema", "")[:80]
        return cls(
            kind=kind if kind in KIND_FILTERS else "", topic=topic if topic.isascii() else ""
        )

    def items(self) -> list[MediaItem]:
        models = (
            [KIND_FILTERS[self.kind][0]] if self.kind else [m for m, _l in KIND_FILTERS.values()]
        )
        rows: list[MediaItem] = []
        for model in models:
            queryset = listed(model)
            if self.topic:
                queryset = queryset.filter(topics__slug=self.topic)
            rows += list(queryset.order_by("-published_at", "pk")[:MAX_PER_KIND])
        return sorted(rows, key=lambda row: row.published_at, reverse=True)


def topics_in_use() -> list[Topic]:
    used: set[int] = set()
    for model, _label in KIND_FILTERS.values():
        used.update(published(model).values_list("topics", flat=True))
    return list(Topic.objects.filter(pk__in=used - {None}))


def get_or_404(model: type[M], slug: str) -> M:
    row = listed(model).filter(slug=slug).first()
    if row is None:
        raise Http404
    return row


def get_image_or_404(code: str) -> Image:
    image = Image.objects.filter(code=code).first()
    if image is None or not image.file:
        raise Http404
    return image
