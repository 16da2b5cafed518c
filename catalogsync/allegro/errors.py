"""Errors Allegro answers with, as exceptions carrying its `code`, `path` and `userMessage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        reasons = "; ".join(str(d) for d in details) or "no details"
        super().__init__(f"{method} {path} failed with {status}: {reasons}")

    @property
    def codes(self) -> set[str]:
        return {d.code for d in self.details}


class AuthError(AllegroError):
    """401/403: bad, expired or foreign token, or a resource of another seller."""


class RateLimited(AllegroError):
    """429: the client id or the seller is over a limit."""


class TransportError(CatalogsyncError):
    """Allegro could not be reached, dropped the connection or did not answer in time."""


def parse_error_body(body: Any) -> list[ErrorDetail]:
    """Read both shapes Allegro uses: `{"errors": [...]}` and OAuth's `{"error", ...}`."""
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("errors"), list):
        return [
            ErrorDetail(
                code=str(e.get("code") or ""),
                message=str(e.get("message") or ""),
                path=e.get("path"),
                user_message=e.get("userMessage"),
                metadata=e.get("metadata") or {},
            )
            for e in body["errors"]
            if isinstance(e, dict)
        ]
    if "error" in body:
        return [
            ErrorDetail(code=str(body["error"]), message=str(body.get("error_description", "")))
        ]
    return []
