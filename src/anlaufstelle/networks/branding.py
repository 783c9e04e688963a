"""A network's branding: checks for the logo upload and the accent colour.

The logo is shown in every page's header and served from our own origin, so an SVG
is accepted only when it cannot run code or load anything: it is parsed as XML and
refused if it has a document type (entities), scripts, embedded HTML, event handler
attributes or references to anything outside the file itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOGO_MAX_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# KERN follows WCAG 2.1 AA: 4.5:1 for text; buttons carry white text on the accent.
MIN_CONTRAST = 4.5
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

# Elements that run code, embed other documents or pull in other resources.
FORBIDDEN_SVG_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "image",
    "feimage",
    "audio",
    "video",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
}
URL_IN_CSS = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(color: str) -> float:
    """The WCAG contrast ratio of a #rrggbb colour against white."""
    return 1.05 / (relative_luminance(color) + 0.05)


def validate_accent_color(value: str) -> None:
    if not HEX_COLOR.match(value):
        raise ValidationError(
            _("Please enter the colour as a hex code with six digits, e.g. #0f2d7a."),
            code="format",
        )
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "This colour is too light: its contrast against white is %(ratio)s:1, "
                "KERN needs at least 4.5:1 for text and buttons. Please choose a darker colour."
            ),
            code="contrast",
            params={"ratio": f"{ratio:.1f}".replace(".", ",")},
        )


def _local(name: str) -> str:
    """An element or attribute name without its XML namespace, lower case."""
    return name.rsplit("}", 1)[-1].lower()


def svg_problem(data: bytes) -> str | None:
    """Why this SVG may not be used as a logo, or None if it is safe."""
    head = data[:4096].lower()
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        return "doctype"
    if b"<?xml-stylesheet" in head:
        return "stylesheet"
    try:
        # No DTD reaches the parser (refused above), so no entity expansion or XXE.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError:
        return "parse"
    if _local(root.tag) != "svg":
        return "not-svg"
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        if tag in FORBIDDEN_SVG_ELEMENTS:
            return f"element:{tag}"
        text = element.text or ""
        if tag == "style" and (URL_IN_CSS.search(text) or "@import" in text.lower()):
            return "style-url"
        for name, value in element.attrib.items():
            attr = _local(name)
            if attr.startswith("on"):
                return f"attribute:{attr}"
            if attr in {"href", "src"} and not value.strip().startswith("#"):
                return f"reference:{attr}"
            if URL_IN_CSS.search(value):
                return "url"
    return None


def validate_logo(upload: Any) -> None:
    """Refuse anything but a small PNG or a script-free, self-contained SVG."""
    if upload is None or not getattr(upload, "name", ""):
        return
    if getattr(upload, "_committed", False):
        # Already stored (checked when it was uploaded): every later save of the network
        # would otherwise open and read the stored file again.
        return
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large. It may be at most 200 KB."), code="too_large"
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = upload.name.lower()
    if name.endswith(".png"):
        if not data.startswith(PNG_MAGIC):
            raise ValidationError(_("This file is not a PNG image."), code="not_png")
        return
    if name.endswith(".svg"):
        if svg_problem(data) is not None:
            raise ValidationError(
                _(
                    "This SVG cannot be used: it contains scripts, event handlers, embedded "
                    "content or references to other files. Please upload a plain SVG or a PNG."
                ),
                code="unsafe_svg",
            )
        return
    raise ValidationError(_("Please upload the logo as an SVG or PNG file."), code="format")


def logo_content_type(name: str) -> str:
    return "image/svg+xml" if name.lower().endswith(".svg") else "image/png"
