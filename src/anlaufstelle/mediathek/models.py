"""The Mediathek: articles, podcast episodes, videos, their images and the podcast channel.

Rich text is sanitised on every save (lib/html_sanitise.py); an episode needs a
transcript and a video uploaded here needs captions before they can be published
(accessibility) — checked in `clean()` for the forms and by a database constraint.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anlaufstelle.directory.models import Provider, Topic
from anlaufstelle.lib.codes import new_code
from anlaufstelle.lib.html_sanitise import sanitise_html
from anlaufstelle.networks.scoping import TenantModel

from . import uploads

MAX_TRANSCRIPT_CHARS = 200_000
MAX_RICH_TEXT_CHARS = 100_000


def is_new_upload(field: Any) -> bool:
    """True for a file assigned but not yet stored (an upload to check)."""
    return bool(field) and not getattr(field, "_committed", True)


def image_prefix(network_slug: str) -> str:
    """Where our own Mediathek images live; rich text may show images only from here."""
    return f"/n/{network_slug}/mediathek/bild/"


class MediaItem(TenantModel):
    """What every Mediathek item has: slug, title, summary, topics, provider, state."""

    slug = models.SlugField(_("slug"), max_length=160)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="mediathek_%(class)ss", blank=True
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediathek_%(class)ss",
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("publication date"), default=timezone.now)
    is_demo = models.BooleanField(
        _("demo content"), default=False, help_text=_("Shown to visitors as demo content.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-published_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "slug"], name="%(app_label)s_%(class)s_slug_per_network"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def _sanitised(self, html: str, field: str, errors: dict[str, list[str]] | None) -> str:
        network_slug = self.network.slug if self.network_id else ""
        result = sanitise_html(html, image_prefixes=[image_prefix(network_slug)])
        if errors is not None:
            if result.images_without_alt:
                errors.setdefault(field, []).append(
                    gettext("Every image needs an alternative text (alt) for blind readers.")
                )
            if result.foreign_images:
                errors.setdefault(field, []).append(
                    gettext("Images may only come from this Mediathek: %(src)s")
                    % {"src": ", ".join(result.foreign_images[:3])}
                )
        return result.html

    def _render(self, html: str) -> SafeString:
        # Sanitised again when shown: rows written around save() (loaddata, update())
        # must not reach the page unchecked. Cheap for texts of this size.
        return mark_safe(self._sanitised(html, "", None))  # noqa: S308 (sanitised just now)


class Article(MediaItem):
    body = models.TextField(
        _("text"),
        max_length=MAX_RICH_TEXT_CHARS,
        help_text=_(
            "HTML with paragraphs, headings (h2–h4), lists, bold, italic, links, quotes and "
            "images of this Mediathek (with alternative text). Everything else is removed."
        ),
    )

    class Meta(MediaItem.Meta):
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    @property
    def body_html(self) -> SafeString:
        return self._render(self.body)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._sanitised(self.body, "body", errors)
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body = self._sanitised(self.body, "body", None)
        super().save(*args, **kwargs)


class Episode(MediaItem):
    """A podcast episode: audio file, show notes and the transcript."""

    guid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    number = models.PositiveIntegerField(_("episode number"), null=True, blank=True)
    audio = models.FileField(_("audio file"), upload_to=uploads.upload_audio)
    audio_kind = models.CharField(max_length=8, blank=True, editable=False)
    audio_type = models.CharField(max_length=40, blank=True, editable=False)
    audio_size = models.PositiveBigIntegerField(default=0, editable=False)
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), default=0, editable=False
    )
    show_notes = models.TextField(
        _("show notes"), max_length=MAX_RICH_TEXT_CHARS, blank=True,
        help_text=_("HTML like an article's text."),
    )  # fmt: skip
    transcript = models.TextField(
        _("transcript"),
        max_length=MAX_TRANSCRIPT_CHARS,
        blank=True,
        help_text=_("Required before publishing: people who cannot hear read the episode."),
    )

    class Meta(MediaItem.Meta):
        verbose_name = _("podcast episode")
        verbose_name_plural = _("podcast episodes")
        constraints = [
            *MediaItem.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(is_published=True, transcript=""),
                name="mediathek_episode_transcript_before_publishing",
            ),
        ]

    @property
    def show_notes_html(self) -> SafeString:
        return self._render(self.show_notes)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.is_published and not self.transcript.strip():
            errors["transcript"] = [gettext("An episode needs a transcript before publishing.")]
        self._sanitised(self.show_notes, "show_notes", errors)
        if is_new_upload(self.audio):
            try:
                self._apply_audio()
            except ValidationError as error:
                errors["audio"] = error.messages
        if errors:
            raise ValidationError(errors)

    def _apply_audio(self) -> None:
        facts = uploads.check_audio(self.audio.file)
        self.audio_kind = facts.kind
        self.audio_type = facts.content_type
        self.audio_size = self.audio.file.size
        self.duration_seconds = facts.duration_seconds

    def save(self, *args: Any, **kwargs: Any) -> None:
        if is_new_upload(self.audio):  # a new file: its facts, not the old ones
            self._apply_audio()
        self.transcript = self.transcript.strip()
        self.show_notes = self._sanitised(self.show_notes, "show_notes", None)
        super().save(*args, **kwargs)

    @property
    def duration_display(self) -> str:
        minutes, seconds = divmod(self.duration_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Video(MediaItem):
    """A video or webinar recording: uploaded with captions, or a link to another platform."""

    is_recording = models.BooleanField(_("webinar recording"), default=False)
    file = models.FileField(_("video file"), upload_to=uploads.upload_video, blank=True)
    video_kind = models.CharField(max_length=8, blank=True, editable=False)
    captions = models.FileField(
        _("captions (WebVTT)"),
        upload_to=uploads.upload_captions,
        blank=True,
        help_text=_("Required for an uploaded video."),
    )
    captions_language = models.CharField(_("captions language"), max_length=8, default="de")
    external_url = models.URLField(
        _("external video address"),
        max_length=500,
        blank=True,
        help_text=_(
            "An https:// address to embed (e.g. https://www.youtube-nocookie.com/embed/…). "
            "It loads only after the visitor clicks “Load video”."
        ),
    )
    description = models.TextField(_("description"), max_length=MAX_RICH_TEXT_CHARS, blank=True)

    class Meta(MediaItem.Meta):
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            *MediaItem.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(external_url=""))
                | (~Q(file="") & Q(external_url="") & ~Q(captions="")),
                name="mediathek_video_upload_with_captions_or_link",
            ),
        ]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        has_file, has_link = bool(self.file), bool(self.external_url)
        if has_file == has_link:
            errors["external_url"] = [
                gettext("Upload a video file or enter an external address, not both or neither.")
            ]
        if has_file and not self.captions:
            errors["captions"] = [gettext("An uploaded video needs captions (WebVTT).")]
        if has_link and external_origin(self.external_url) is None:
            errors["external_url"] = [
                gettext("The external address must start with https:// and name a host.")
            ]
        for name, check in (("file", self._apply_file), ("captions", self._check_captions)):
            field = getattr(self, name)
            if is_new_upload(field):
                try:
                    check()
                except ValidationError as error:
                    errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    def _apply_file(self) -> None:
        self.video_kind = uploads.check_video(self.file.file)

    def _check_captions(self) -> None:
        uploads.check_captions(self.captions.file)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if is_new_upload(self.file):
            self._apply_file()
        super().save(*args, **kwargs)

    @property
    def video_type(self) -> str:
        return uploads.VIDEO_TYPES.get(self.video_kind, "application/octet-stream")

    @property
    def embed_origin(self) -> str | None:
        return external_origin(self.external_url)


_PLAIN_HOST = re.compile(r"[a-z0-9.-]+")


def external_origin(url: str) -> str | None:
    """`https://host[:port]` of an embed address, or None if it is not a plain https URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return None
    if not _PLAIN_HOST.fullmatch(host):
        return None  # would break (or widen) the Content-Security-Policy
    return f"https://{host}" + (f":{port}" if port else "")


class Image(TenantModel):
    """An image for articles and show notes: served from here, always with alt text."""

    code = models.CharField(max_length=12, default=new_code, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("image file"), upload_to=uploads.upload_image)
    image_kind = models.CharField(max_length=8, blank=True, editable=False)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=500,
        help_text=_("Describes the image for people who cannot see it. Required."),
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediathek_images",
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="mediathek_image_alt_required")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.alt_text.strip():
            raise ValidationError({"alt_text": gettext("An image needs an alternative text.")})
        if is_new_upload(self.file):
            try:
                self.image_kind = uploads.check_image(self.file.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from error

    def save(self, *args: Any, **kwargs: Any) -> None:
        if is_new_upload(self.file):
            self.image_kind = uploads.check_image(self.file.file)
        super().save(*args, **kwargs)

    @property
    def content_type(self) -> str:
        return uploads.IMAGE_TYPES.get(self.image_kind, "application/octet-stream")

    def src(self) -> str:
        return f"{image_prefix(self.network.slug)}{self.code}/"


class Podcast(TenantModel):
    """The network's podcast channel: what the feed says about itself."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    author = models.CharField(_("author"), max_length=200)
    owner_email = models.EmailField(_("contact e-mail"), blank=True)
    category = models.CharField(_("category"), max_length=80, default="Business")
    artwork = models.ForeignKey(
        Image,
        verbose_name=_("cover image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Square PNG or JPEG, 1400 to 3000 pixels, as podcast apps ask."),
    )

    class Meta:
        verbose_name = _("podcast")
        verbose_name_plural = _("podcasts")
        constraints = [models.UniqueConstraint(fields=["network"], name="mediathek_one_podcast")]

    def __str__(self) -> str:
        return self.title
