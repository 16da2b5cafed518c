"""Allegro's error answers and its timestamps, shared by every emulator module.

Nothing here imports another emulator module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Doc = dict[str, Any]

#: The shapes an error answer can take (the `error_shape` setting): Allegro's `{"errors"}`, a
#: bare array of the same entries, OAuth's `{"error", "error_description"}`, no body at all,
#: a proxy's HTML page, and `{"errors"}` with status 200.
ERROR_SHAPES = ("errors", "array", "oauth", "empty", "html", "errors_on_200")
TOO_MANY_REQUESTS = "Server is unable to respond to your query. Try again in a few minutes."


def error_entry(
    code: str,
    message: str,
    path: str | None = None,
    user_message: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> Doc:
    """One entry of Allegro's `{"errors": [...]}` body [S schema Error]."""
    return {
        "code": code,
        "message": message,
        "details": None,
        "path": path,
        "userMessage": user_message or message,
        "metadata": dict(metadata or {}),
    }


class ApiError(Exception):
    """An Allegro error answer: an HTTP status and the entries of its `errors` list."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        path: str | None = None,
        user_message: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [error_entry(code, message, path, user_message, metadata)]

    @classmethod
    def of(cls, status: int, errors: list[Doc]) -> ApiError:
        first = errors[0]
        error = cls(status, first["code"], first["message"])
        error.errors = list(errors)
        return error


class OAuthError(Exception):
    """An answer in OAuth's shape `{"error", "error_description"}` (token endpoint, bearer)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def invalid(path: str | None, message: str, status: int = 422) -> ApiError:
    return ApiError(status, "VALIDATION_ERROR", message, path)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message, user_message="Not found")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "AccessDenied", message, user_message="Brak dostępu do danego zasobu")


def too_many_requests() -> ApiError:
    """The 429 body Allegro sends for every limit (examples/errors.examples.json, [I#10696])."""
    return ApiError(429, "TooManyRequestsException", "An error occurred",
                    user_message=TOO_MANY_REQUESTS)


@lru_cache(maxsize=256)  # a session writes its one `now` into many fields
def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: Any, path: str) -> datetime:
    if not isinstance(value, str):
        raise invalid(path, "Date must be given in ISO 8601 format.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise invalid(path, "Date must be given in ISO 8601 format.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
