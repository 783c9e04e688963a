"""An allow-list HTML sanitiser for operator-written rich text (articles, show notes).

Everything not on the list goes: unknown tags are dropped with their markup but keep
their text (escaped), and the content of `script`, `style` and similar is dropped whole.
Attributes are rebuilt rather than copied, so no `on*` handler, `style` or `javascript:`
address survives. Built on `html.parser` so the project needs no further dependency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "img", "br"}
)
VOID_TAGS = frozenset({"img", "br"})
# Whose content is never text for the reader: dropped together with the tags.
DROP_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
     "textarea", "select", "title", "head"}
)  # fmt: skip
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Control characters and whitespace browsers ignore inside a URL scheme ("java\tscript:").
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")
MAX_NESTING = 50


@dataclass
class SanitiseResult:
    html: str
    # Images dropped because they lacked a text alternative (the caller may refuse them).
    images_without_alt: int = 0
    # Images dropped because their address is not one of ours.
    foreign_images: list[str] = field(default_factory=list)


def safe_link(href: str) -> str | None:
    """`href` if it is http(s), mailto or relative to this site; otherwise None."""
    cleaned = _URL_JUNK.sub("", href)
    if not cleaned:
        return None
    if cleaned.startswith("//") or cleaned.startswith("\\") or "\\" in cleaned:
        return None  # protocol-relative: another host
    parts = urlsplit(cleaned)
    if parts.scheme:
        return cleaned if parts.scheme.lower() in LINK_SCHEMES else None
    if ":" in cleaned.split("/", 1)[0]:
        return None  # "foo:bar" without a parsed scheme
    return cleaned


def safe_image_source(src: str, prefixes: Iterable[str]) -> str | None:
    """`src` if it is a path on this site below one of `prefixes`, else None."""
    cleaned = _URL_JUNK.sub("", src)
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or "\\" in cleaned or ".." in parts.path.split("/"):
        return None
    if not any(cleaned.startswith(prefix) for prefix in prefixes):
        return None
    return cleaned


class _Sanitiser(HTMLParser):
    def __init__(self, image_prefixes: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.image_prefixes = image_prefixes
        self.out: list[str] = []
        self.open_tags: list[str] = []
        self.dropping = 0  # depth inside a DROP_CONTENT_TAGS element
        self.result = SanitiseResult(html="")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT_TAGS:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            href = safe_link(values.get("href", ""))
            attributes = f' href="{escape(href)}" rel="noopener"' if href else ""
        elif tag == "img":
            self._image(values)
            return
        else:
            attributes = ""
        if tag in VOID_TAGS:
            self.out.append(f"<{tag}>")
            return
        if len(self.open_tags) >= MAX_NESTING:
            return
        self.open_tags.append(tag)
        self.out.append(f"<{tag}{attributes}>")

    def _image(self, values: dict[str, str]) -> None:
        alt = values.get("alt", "").strip()
        src = safe_image_source(values.get("src", ""), self.image_prefixes)
        if src is None:
            self.result.foreign_images.append(values.get("src", "")[:200])
            return
        if not alt:
            self.result.images_without_alt += 1
            return
        self.out.append(f'<img src="{escape(src)}" alt="{escape(alt)}">')

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT_TAGS:
            return
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS and not self.dropping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT_TAGS:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in self.open_tags:
            return
        # Close everything opened inside the element, so the output is always balanced.
        while self.open_tags:
            inner = self.open_tags.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def close(self) -> None:
        super().close()
        while self.open_tags:
            self.out.append(f"</{self.open_tags.pop()}>")


def sanitise_html(html: str, *, image_prefixes: Iterable[str] = ()) -> SanitiseResult:
    """Reduce `html` to the allowed subset; see the module docstring."""
    parser = _Sanitiser(tuple(p for p in image_prefixes if p))
    parser.feed(html.replace("\x00", ""))
    parser.close()
    parser.result.html = "".join(parser.out)
    return parser.result
