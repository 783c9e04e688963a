"""Bearer tokens never reach a log line.

A company's status link, a booking or reservation link, an expert's calendar feed and a
password-reset key are secrets carried in the URL path: whoever reads them in a log can
act as their owner. Two rules rewrite them to `[redacted]`:

- the routes that carry a token: the segment in the token position is replaced, whatever
  it looks like (allauth's reset keys are lowercase and would pass the second rule);
- anywhere else, any run of 20+ URL-safe characters that mixes upper case, lower case and
  digits (signed tokens, `secrets.token_urlsafe`, CSRF tokens). Slugs, public codes,
  class names and timestamps never mix all three.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SEGMENT = r"[^/\s?#\"'<>]+"
# Group 1 is kept, the token after it is replaced; keep in step with the URL confs.
_TOKEN_ROUTES = [
    # cases: /anliegen/status/<code>/<token>/
    re.compile(rf"(/anliegen/status/{_SEGMENT}/){_SEGMENT}"),
    # booking: /termine/termin/<code>/<token>/..., /termine/reservierung/<code>/<token>/...
    re.compile(rf"(/termine/(?:termin|reservierung)/{_SEGMENT}/){_SEGMENT}"),
    # booking: the expert's feed /termine/abo/<token>.ics
    re.compile(r"(/termine/abo/)[^/\s?#\"'<>.]+"),
    # community: the sign-in link /austausch/anmelden/<token>/
    re.compile(rf"(/austausch/anmelden/){_SEGMENT}"),
    # allauth: /accounts/password/reset/key/<uidb36>-<key>/, /accounts/confirm-email/<key>/
    re.compile(rf"(/accounts/(?:password/reset/key|confirm-email)/){_SEGMENT}"),
]
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_:-]{20,}")


def _redact_if_mixed(match: re.Match[str]) -> str:
    run = match.group()
    mixed = (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
    )
    return REDACTED if mixed else run


def redact_tokens(text: str) -> str:
    """`text` with every token-shaped secret replaced by `[redacted]`."""
    for route in _TOKEN_ROUTES:
        text = route.sub(rf"\g<1>{REDACTED}", text)
    return _TOKEN_LIKE.sub(_redact_if_mixed, text)


_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_PLAIN = logging.Formatter()


class RedactTokensFilter(logging.Filter):
    """Handler filter: rewrites message, string extras and traceback before formatting.

    Attached to every handler in settings.LOGGING, so it covers our request log, Django's
    "Not Found: /path" and "Internal Server Error" lines, runserver's access lines and any
    exception text (a BadSignature message quotes the signature).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the line
            message = str(record.msg)
        record.msg = redact_tokens(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact_tokens(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = _PLAIN.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
        return True
