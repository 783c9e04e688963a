"""Checks on uploaded files and where they are stored.

Uploads are stored under MEDIA_ROOT/mediathek/<kind>/ with a random name the visitor
never chose (no path can escape the folder, no name can suggest an executable), and are
only ever served through our views with a content type from the allow-list below; the
type comes from the file's first bytes, never from its name.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import audio

MB = 1024 * 1024
DEFAULT_LIMITS = {"audio": 200 * MB, "video": 1024 * MB, "captions": 1 * MB, "image": 5 * MB}
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


def limit(kind: str) -> int:
    """Largest accepted upload of `kind` in bytes (settings.MEDIATHEK_MAX_UPLOAD_BYTES)."""
    configured = getattr(settings, "MEDIATHEK_MAX_UPLOAD_BYTES", {})
    return int(configured.get(kind, DEFAULT_LIMITS[kind]))


def upload_path(kind: str) -> Any:
    """An `upload_to` callable: a random name with the extension of the checked type."""

    def build(instance: Any, filename: str) -> str:
        suffix = {
            "audio": getattr(instance, "audio_kind", "") or "bin",
            "video": getattr(instance, "video_kind", "") or "bin",
            "captions": "vtt",
            "image": getattr(instance, "image_kind", "") or "bin",
        }[kind]
        return f"mediathek/{kind}/{uuid.uuid4().hex}.{suffix}"

    build.__name__ = f"upload_{kind}"
    build.__qualname__ = build.__name__
    return build


# Module-level names, so migrations can refer to them.
upload_audio = upload_path("audio")
upload_video = upload_path("video")
upload_captions = upload_path("captions")
upload_image = upload_path("image")


def head_of(upload: Any, length: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def check_size(upload: Any, kind: str) -> None:
    if upload.size > limit(kind):
        raise ValidationError(
            _("The file is too large (%(size)s). At most %(limit)s are allowed.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit(kind))},
            code="too_large",
        )


def check_audio(upload: Any) -> audio.AudioFacts:
    """Size, type and duration of an audio upload; a German error if any is wrong."""
    check_size(upload, "audio")
    if audio.sniff_kind(head_of(upload, 16)) is None:
        raise ValidationError(
            _("This is not an audio file we can publish. Please upload MP3, M4A, OGG or WAV."),
            code="wrong_type",
        )
    facts = audio.read_audio_facts(upload)
    if facts is None:
        raise ValidationError(
            _(
                "We could not read the length of this audio file. "
                "Please upload another file (MP3, M4A, OGG or WAV)."
            ),
            code="no_duration",
        )
    return facts


def sniff_video(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def check_video(upload: Any) -> str:
    check_size(upload, "video")
    kind = sniff_video(head_of(upload))
    if kind is None:
        raise ValidationError(
            _("This is not a video file we can publish. Please upload MP4 or WebM."),
            code="wrong_type",
        )
    return kind


def check_captions(upload: Any) -> None:
    check_size(upload, "captions")
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.startswith("WEBVTT") or "\x00" in text:
        raise ValidationError(
            _("The captions must be a WebVTT file (UTF-8, starting with WEBVTT)."),
            code="wrong_type",
        )


def sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


def check_image(upload: Any) -> str:
    check_size(upload, "image")
    kind = sniff_image(head_of(upload))
    if kind is None:
        # SVG is refused on purpose: an SVG is a document that can carry script.
        raise ValidationError(
            _("Please upload a PNG, JPEG or WebP image."),
            code="wrong_type",
        )
    return kind
