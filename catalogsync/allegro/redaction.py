"""Secrets never leave in output: every token, code and client secret that passes through is
remembered here, and `redact` scrubs them from error messages and from the `httpx` log
(Allegro echoes tokens in its 401 and invalid_grant answers, API_NOTES §1)."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_secrets: set[str] = set()
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_URL_SECRET = re.compile(
    r"\b((?:code|refresh_token|device_code|access_token|client_secret|code_verifier)=)"
    r"[^&\s\"']+"
)


def remember_secret(*values: str | None) -> None:
    """Add values that `redact` must never let through (tokens, client secrets, codes)."""
    _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    """`text` with every remembered secret and anything shaped like a JWT replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _JWT.sub(REDACTED, text)


class _RedactLog(logging.Filter):
    """Scrub records of `httpx`, which logs every URL with its query string (`-v`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _URL_SECRET.sub(rf"\1{REDACTED}", redact(message))
        if clean != message:
            record.msg, record.args = clean, None
        return True


for _logger in ("httpx", "httpcore"):
    logging.getLogger(_logger).addFilter(_RedactLog())
