"""The German catalogue is complete, not fuzzy, compiled, and covers the source strings."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SRC_DIR = Path(__file__).resolve().parents[1] / "src" / "anlaufstelle"
LOCALE_DIR = SRC_DIR / "locale"
DE_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
# Apps with a locale directory of their own (e.g. booking) keep their catalogue there.
GERMAN_CATALOGUES = sorted(SRC_DIR.rglob("locale/de/LC_MESSAGES/django.po"))
each_catalogue = pytest.mark.parametrize(
    "po_path", GERMAN_CATALOGUES, ids=[str(p.relative_to(SRC_DIR)) for p in GERMAN_CATALOGUES]
)
MSGFMT = shutil.which("msgfmt") or "/usr/bin/msgfmt"

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    """One message of a .po file."""

    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.fields.get("msgctxt"), self.msgid)

    @property
    def translations(self) -> list[str]:
        return [value for name, value in self.fields.items() if name.startswith("msgstr")]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for flags, contexts, plurals and continuation lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    last_field = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            last_field = match.group(1)
            current.fields[last_field] = unescape(match.group(2))
        elif line.startswith('"') and last_field:
            current.fields[last_field] += unescape(line[1:-1])
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def messages(path: Path) -> list[Entry]:
    return [e for e in parse_po(path) if "msgid" in e.fields and e.msgid and not e.obsolete]


def test_the_german_catalogue_exists_and_has_messages():
    assert len(messages(DE_PO)) > 100


@each_catalogue
def test_every_german_message_is_translated(po_path):
    untranslated = [
        f"line {e.line}: {e.msgid!r}" for e in messages(po_path) if not all(e.translations)
    ]
    assert untranslated == [], "untranslated German messages:\n" + "\n".join(untranslated)


@each_catalogue
def test_no_german_message_is_fuzzy(po_path):
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in parse_po(po_path) if "fuzzy" in e.flags]
    assert fuzzy == [], "fuzzy German messages:\n" + "\n".join(fuzzy)


@each_catalogue
def test_german_placeholders_match_the_source(po_path):
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    wrong = []
    for entry in messages(po_path):
        wanted = set(placeholder.findall(entry.msgid))
        wanted |= set(placeholder.findall(entry.fields.get("msgid_plural", "")))
        for translation in entry.translations:
            if not set(placeholder.findall(translation)) <= wanted:
                wrong.append(f"line {entry.line}: {entry.msgid!r} -> {translation!r}")
    assert wrong == [], "placeholders that the source does not have:\n" + "\n".join(wrong)


@each_catalogue
def test_the_compiled_catalogue_matches_the_po_file(po_path, tmp_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `manage.py compilemessages` and commit django.mo"
    fresh = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(fresh), str(po_path)], check=True)

    with fresh.open("rb") as expected_file, mo_path.open("rb") as committed_file:
        expected = gettext.GNUTranslations(expected_file)._catalog  # type: ignore[attr-defined]
        committed = gettext.GNUTranslations(committed_file)._catalog  # type: ignore[attr-defined]
    missing = sorted(str(k) for k in expected.keys() - committed.keys())
    stale = sorted(str(k) for k in committed.keys() - expected.keys())
    changed = sorted(
        str(k) for k in expected.keys() & committed.keys() if expected[k] != committed[k]
    )
    assert (missing, stale, changed) == ([], [], []), (
        "django.mo is out of date: run `manage.py compilemessages`"
    )


TEMPLATE_STRING = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?:"([^"]+)"|'([^']+)')|\b_\((?:"([^"]+)"|'([^']+)')\)"""
)


def test_every_simple_template_string_is_in_the_catalogue():
    """A string added to a template without `makemessages` would stay English."""
    known = {e.msgid for po_path in GERMAN_CATALOGUES for e in messages(po_path)}
    absent = []
    for template in sorted((SRC_DIR / "templates").rglob("*.html")):
        for match in TEMPLATE_STRING.finditer(template.read_text(encoding="utf-8")):
            text = next(group for group in match.groups() if group)
            if text not in known:
                absent.append(f"{template.relative_to(SRC_DIR)}: {text!r}")
    assert absent == [], "run `manage.py makemessages -l de` and translate:\n" + "\n".join(absent)


@pytest.mark.parametrize(
    ("source", "german"),
    [
        ("Skip to content", "Zum Inhalt springen"),
        ("What is your concern?", "Was ist Ihr Anliegen?"),
        ("Support offers", "Förderangebote"),
    ],
)
def test_django_uses_the_german_catalogue(source, german):
    from django.utils import translation

    with translation.override("de"):
        assert translation.gettext(source) == german
    with translation.override("en"):
        assert translation.gettext(source) == source
