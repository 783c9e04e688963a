"""Posts are plain text: escaped, web addresses linked, mentions marked. Never HTML."""

from __future__ import annotations

import re

from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

# "@name" at the start or after a space or bracket; not inside an e-mail address.
MENTION = re.compile(r"(?<![\w@./:-])@([a-z0-9][a-z0-9-]{0,39})", re.IGNORECASE)


def mentioned_handles(text: str) -> set[str]:
    return {handle.lower() for handle in MENTION.findall(text)}


def render_body(text: str, known_handles: set[str] | None = None) -> SafeString:
    """Paragraphs of escaped text with links; known @mentions wrapped in <strong>."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        # urlize escapes every character that is not part of a link it makes.
        html = urlize(block, trim_url_limit=60, nofollow=True, autoescape=True)
        html = html.replace("\n", "<br>")
        if known_handles:
            html = MENTION.sub(
                lambda m: (
                    f'<strong class="forum-mention">@{escape(m.group(1))}</strong>'
                    if m.group(1).lower() in known_handles
                    else m.group(0)
                ),
                html,
            )
        paragraphs.append(f"<p>{html}</p>")
    return mark_safe("\n".join(paragraphs))  # noqa: S308 - built from escaped parts only
