"""gunicorn's access log without bearer tokens (`--logger-class` in docs/deployment.md).

gunicorn writes the raw request line, path, query and referer itself, outside Django's
LOGGING; a status or booking link would land there whole.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .log_redaction import redact_tokens


class RedactingLogger(Logger):
    """gunicorn's logger with every text atom of the access line passed through the redactor."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
