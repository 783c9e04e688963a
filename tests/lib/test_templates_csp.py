"""Our templates hold nothing the Content-Security-Policy would block.

The browser test (tests/e2e/test_csp.py) visits the main pages; this one reads every
template, so a `style=""` on a rarely visited page is caught too.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "anlaufstelle"
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)
FORBIDDEN = {
    "inline <script>": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
    ),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def templates() -> list[Path]:
    return [p for p in SRC.rglob("templates/**/*.html") if "/static/" not in str(p)]


def test_no_template_has_inline_script_style_or_handlers():
    found = []
    for path in templates():
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for kind, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {kind}")

    assert len(templates()) > 20
    assert found == []
