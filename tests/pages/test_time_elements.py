"""Every <time datetime> in a template is a valid HTML date string (the Nu checker's rule).

Django's `date:'c'` writes six digits of a second (microseconds); HTML allows at most
three, so the checker rejects it. The format the templates use is 'Y-m-d\\TH:i:sO'.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "anlaufstelle"
ISO_WITH_MICROSECONDS = re.compile(r"""datetime="\{\{[^}]*\|date:['"]c['"]""")


def test_no_template_writes_microseconds_into_a_datetime_attribute() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ISO_WITH_MICROSECONDS.search(line)
    ]
    assert offenders == []
