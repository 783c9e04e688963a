"""Public Mediathek pages, the podcast feed and the files (with byte ranges)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from anlaufstelle.directory.queries import site_network
from anlaufstelle.lib.security_headers import allow_frame_source

from . import queries
from .feed import build_feed
from .models import Article, Episode, Podcast, Video
from .serving import file_response

# Model -> (URL name of its page, label on the list).
KIND_PAGES = {
    Article: ("article", _("Article")),
    Episode: ("episode", _("Podcast episode")),
    Video: ("video", _("Video")),
}


@require_safe
def media_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    media_filter = queries.MediaFilter.from_query(request.GET)
    items = media_filter.items()
    for row in items:
        kind = KIND_PAGES[type(row)]
        row.page_url = reverse(f"site:mediathek:{kind[0]}", args=[network.slug, row.slug])  # type: ignore[attr-defined]
        row.kind_label = kind[1]  # type: ignore[attr-defined]
    context = {
        "items": items,
        "filter": media_filter,
        "kinds": [(value, label) for value, (_m, label) in queries.KIND_FILTERS.items()],
        "topics": queries.topics_in_use(),
    }
    return render(request, "mediathek/list.html", context)


@require_safe
def article(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    site_network(request)
    row = queries.get_or_404(Article, slug)
    return render(request, "mediathek/article.html", {"item": row})


@require_safe
def episode(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    site_network(request)
    row = queries.get_or_404(Episode, slug)
    return render(request, "mediathek/episode.html", {"item": row})


@require_safe
def episode_audio(request: HttpRequest, network_slug: str, slug: str) -> HttpResponseBase:
    site_network(request)
    row = queries.get_or_404(Episode, slug)
    return file_response(request, row.audio, row.audio_type)


@require_safe
def episode_transcript(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    site_network(request)
    row = queries.get_or_404(Episode, slug)
    response = HttpResponse(row.transcript, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def video(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    site_network(request)
    row = queries.get_or_404(Video, slug)
    # An external video is only a button here: no request to the platform before the click.
    return render(request, "mediathek/video.html", {"item": row, "embed": False})


@require_safe
def video_embed(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    """After the visitor's click: the external player, and only here the CSP allows its host."""
    site_network(request)
    row = queries.get_or_404(Video, slug)
    origin = row.embed_origin
    if origin is None:
        return render(request, "mediathek/video.html", {"item": row, "embed": False})
    response = render(request, "mediathek/video.html", {"item": row, "embed": True})
    allow_frame_source(response, origin)
    return response


@require_safe
def video_file(request: HttpRequest, network_slug: str, slug: str) -> HttpResponseBase:
    site_network(request)
    row = queries.get_or_404(Video, slug)
    return file_response(request, row.file, row.video_type)


@require_safe
def video_captions(request: HttpRequest, network_slug: str, slug: str) -> HttpResponseBase:
    site_network(request)
    row = queries.get_or_404(Video, slug)
    return file_response(request, row.captions, "text/vtt; charset=utf-8")


@require_safe
def image(request: HttpRequest, network_slug: str, code: str) -> HttpResponseBase:
    site_network(request)
    row = queries.get_image_or_404(code)
    return file_response(request, row.file, row.content_type)


@require_safe
def podcast_feed(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    podcast = (
        Podcast.objects.filter(network=network)
        .select_related("artwork", "artwork__network")
        .first()
    )
    episodes = (
        queries.published(Episode).filter(network=network).order_by("-published_at", "pk")[:300]
    )

    def page(name: str):  # noqa: ANN202 (small local factory)
        return lambda *args: reverse(f"site:mediathek:{name}", args=[network.slug, *args])

    body = build_feed(
        network=network,
        podcast=podcast,
        episodes=episodes,
        absolute=request.build_absolute_uri,
        urls={
            "list": page("list"),
            "feed": page("feed"),
            "episode": page("episode"),
            "audio": page("audio"),
            "transcript": page("transcript"),
        },
    )
    return HttpResponse(body, content_type="application/rss+xml; charset=utf-8")
