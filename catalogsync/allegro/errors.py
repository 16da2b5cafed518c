"""Errors Allegro answers with, as exceptions carrying its `code`, `path` and `userMessage`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from catalogsync.allegro.redaction import redact
from catalogsync.errors import CatalogsyncError


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of Allegro's `{"errors": [...]}` body."""

    code: str
    message: str
    path: str | None = None
    user_message: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = self.user_message or self.message or self.code
        return f"{text} (at {self.path})" if self.path else text


class AllegroError(CatalogsyncError):
    """Allegro answered a request with an error status."""

    def __init__(self, status: int, method: str, path: str, details: list[ErrorDetail]) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.details = details
        reasons = "; ".join(str(d) for d in details) or "an answer without details"
        super().__init__(f"{method} {path} failed with {status}: {reasons}")

    @property
    def codes(self) -> set[str]:
        return {d.code for d in self.details}


class AuthError(AllegroError):
    """401/403: bad, expired or foreign token, or a resource of another seller."""


class RateLimited(AllegroError):
    """429: the client id or the seller is over a limit."""


class ErrorsOnSuccess(AllegroError):
    """A 2xx whose body is Allegro's errors: the request did not do what was asked, and like a
    5xx says nothing about the request itself (retried where safe, a create looked up)."""


class TransportError(CatalogsyncError):
    """Allegro could not be reached, dropped the connection or did not answer in time."""


class AnswerTimedOut(TransportError):
    """Allegro did not answer in time: the request may still be carried out after this."""


def parse_error_body(body: Any) -> list[ErrorDetail]:
    """Every JSON shape Allegro answers errors in: `{"errors": [...]}`, a bare array of the
    same entries, OAuth's `{"error", "error_description"}` and a lone `{"code", "message"}`."""
    if isinstance(body, list):
        return [_detail(e) for e in body if isinstance(e, dict)]
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("errors"), list):
        return [_detail(e) for e in body["errors"] if isinstance(e, dict)]
    if isinstance(body.get("error"), str):
        return [ErrorDetail(code=body["error"], message=str(body.get("error_description") or ""))]
    if any(isinstance(body.get(k), str) for k in ("userMessage", "message")):
        return [_detail(body)]
    return []


def error_details(content_type: str, text: str) -> list[ErrorDetail]:
    """What an error answer says, whatever it is: JSON in any of Allegro's shapes, nothing,
    or the HTML page or text of a proxy in between (never "no details")."""
    stripped = text.strip()
    if not stripped:
        return [ErrorDetail(code="", message="an empty answer")]
    try:
        details = parse_error_body(json.loads(stripped))
    except ValueError:
        details = []
    else:
        if details:
            return details
        return [ErrorDetail(code="", message=f"an answer Allegro does not give: {_cut(stripped)}")]
    if "html" in content_type.lower() or stripped[:1] == "<":
        title = _TITLE.search(stripped)
        said = f": {_cut(title.group(1))}" if title else ""
        return [ErrorDetail(code="", message=f"an HTML page, not Allegro's JSON (from a proxy "
                                             f"or gateway in between?){said}")]
    return [ErrorDetail(code="", message=f"not Allegro's JSON: {_cut(stripped)}")]


def errors_in_success(content: bytes) -> list[ErrorDetail]:
    """Errors in the body of a 2xx answer (which then did not succeed): a bare array of
    errors, or a top-level non-empty `errors` list. Cheap for ordinary bodies."""
    head = content.lstrip()[:1]
    if head != b"[" and not _ERRORS_LISTED.search(content):
        return []
    try:
        body = json.loads(content)
    except ValueError:
        return []
    if isinstance(body, list):
        return parse_error_body(body) if body and all(_is_error(e) for e in body) else []
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        return parse_error_body(body)
    return []


def _is_error(entry: Any) -> bool:
    return isinstance(entry, dict) and any(k in entry for k in ("code", "userMessage", "message"))


def _detail(entry: dict[str, Any]) -> ErrorDetail:
    metadata = entry.get("metadata")
    path = entry.get("path")
    user_message = entry.get("userMessage")
    return ErrorDetail(
        code=str(entry.get("code") or ""),
        message=str(entry.get("message") or ""),
        path=str(path) if path else None,
        user_message=str(user_message) if user_message else None,
        metadata=metadata if isinstance(metadata, dict) else {},
    )


#: a non-empty `"errors": [{` anywhere (offers carry an empty `validation.errors` list)
_ERRORS_LISTED = re.compile(rb'"errors"\s*:\s*\[\s*\{')
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _cut(text: str, limit: int = 160) -> str:
    """One line of at most `limit` characters, secrets scrubbed."""
    line = redact(" ".join(text.split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"
