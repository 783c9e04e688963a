"""Read a Django setting as settings.py builds it from an environment: in a fresh process,
because settings.py reads the environment once, when it is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SRC_DIR = Path(__file__).resolve().parent.parent / "src"


def setting_for_env(name: str, env: dict[str, str], *, clean: bool = False) -> Any:
    """settings.<name> (JSON-able) with `env` on top of this process's environment, or on
    top of a bare PATH/HOME environment when `clean` (no test-only switches leak in)."""
    base = (
        {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
        if clean
        else dict(os.environ)
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps(settings.{name}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SRC_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "anlaufstelle.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
