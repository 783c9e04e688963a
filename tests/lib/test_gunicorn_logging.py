"""gunicorn's access line (request line, path, referer) carries no bearer token."""

from __future__ import annotations

import datetime
import io
import logging
import secrets
from types import SimpleNamespace

from gunicorn.config import Config

from anlaufstelle.lib.gunicorn_logging import RedactingLogger


def test_the_gunicorn_access_line_is_redacted():
    token = secrets.token_urlsafe(32)
    path = f"/n/feldberg/termine/termin/ABCDEFGH23/{token}/"
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://example.org/n/feldberg/anliegen/status/ABCDEFGH23/{token}/",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))

    line = stream.getvalue()
    assert token not in line
    assert '"GET /n/feldberg/termine/termin/ABCDEFGH23/[redacted]/ HTTP/1.1" 200 512' in line
