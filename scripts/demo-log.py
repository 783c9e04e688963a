"""Turns the demo server's JSON log lines into short readable ones (stdin to stdout).

`make demo` shows what happens ("12:04:31  GET /n/feldberg/  200  8 ms"); the full
JSON lines, as production writes them, go to var/demo-server.log as well.
"""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime


def readable(line: str) -> str | None:
    try:
        entry = json.loads(line)
    except ValueError:
        # runserver's own lines ("Watching for file changes", tracebacks): keep them,
        # except its start-up banner, which repeats what the demo already printed.
        text = line.rstrip()
        banner = (
            "Performing system checks",
            "System check identified",
            "Django version",
            "Starting development server",
            "Quit the server with",
            "WARNING: This is a",
        )
        return None if not text or text.lstrip().startswith(banner) else text
    try:
        clock = datetime.fromisoformat(entry["ts"]).astimezone().strftime("%H:%M:%S")
    except (KeyError, ValueError):
        clock = "--:--:--"
    if entry.get("logger") == "anlaufstelle.request":
        return (
            f"{clock}  {entry.get('method', '')} {entry.get('path', '')}  "
            f"{entry.get('status', '')}  {entry.get('duration_ms', '')} ms"
        )
    if entry.get("logger") in {"django.request", "django.server"} and entry.get("level") in {
        "INFO",
        "WARNING",
    }:
        return None  # 4xx: already on the request line
    return f"{clock}  {entry.get('level', '')}  {entry.get('msg', '')}"


def main() -> None:
    # Ctrl-C stops the server; this filter ends when the server's output does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in sys.stdin:
        text = readable(line)
        if text is not None:
            print(text, flush=True)


if __name__ == "__main__":
    main()
