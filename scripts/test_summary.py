"""Print one line per test suite and a closing total from the JUnit files of `make test`.

Usage: python3 scripts/test_summary.py test-results/*.xml
Only the standard library: this runs with the machine's Python as well as the venv's.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # noqa: S405  (our own pytest output, not untrusted input)
from pathlib import Path


def counts(path: Path) -> dict[str, int]:
    """passed/failed/skipped of one JUnit file; errors count as failures."""
    root = ET.parse(path).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return {"passed": total - failed - skipped, "failed": failed, "skipped": skipped}


def main(paths: list[str]) -> int:
    grand = {"passed": 0, "failed": 0, "skipped": 0}
    print()
    print("=== test summary ===")
    for name in paths:
        path = Path(name)
        if not path.is_file():
            continue
        result = counts(path)
        for key in grand:
            grand[key] += result[key]
        print(
            f"{path.stem}: {result['passed']} passed, {result['failed']} failed, "
            f"{result['skipped']} skipped"
        )
    print(f"total: {grand['passed']} passed, {grand['failed']} failed, {grand['skipped']} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
