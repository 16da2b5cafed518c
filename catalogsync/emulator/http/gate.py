"""The gate every REST call passes, and the shapes of Allegro's answers.

Every REST call passes the same gate, in this order: `Accept` must name Allegro's media type
(406), a bearer token must be valid (401; R9, R10), the request limits must admit it (429 or a
delay; R1-R3 and the per-seller limits, see `limits`), injected faults strike (see `faults`),
a body must carry that media type (415; `POST /sale/images` also takes image bytes).
Responses carry a `trace-id` header, like Allegro's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from typing import Any, cast

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import ApiError, OAuthError, error_entry, forbidden
from catalogsync.emulator.core.faults import DropConnection, Fault
from catalogsync.emulator.openapi_subset import required_scopes
from catalogsync.emulator.services import images
from catalogsync.emulator.services.oauth import Principal

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
#: Beta resources take and answer this one, and refuse the public one (406, 415) [SL]
BETA_MEDIA_TYPE = "application/vnd.allegro.beta.v1+json"
BETA_ROUTES = frozenset({"POST /sale/offer-bulk-modification-commands"})
BODY_METHODS = ("POST", "PUT", "PATCH")
FULL_AUTHENTICATION = "Full authentication is required to access this resource"  # R7
#: Routes whose body may be raw image bytes instead of JSON, and those whose body is a file.
UPLOAD_ROUTES = ("POST /sale/images",)
FILE_ROUTES = ("PUT /sale/offer-attachments/{attachmentId}",)


class Access(Enum):
    USER = "user"  # bearer-token-for-user only
    ANY = "any"  # bearer-token-for-application accepted too


@dataclass(frozen=True)
class Upload:
    """Raw bytes sent to `POST /sale/images` or to an attachment's upload URL."""

    media_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """One authorised REST request: who calls, with what."""

    request: Request
    backend: Backend
    user_id: str  # "" for application tokens on `Access.ANY` routes
    body: Any  # parsed JSON; None for GET/DELETE and for raw uploads
    upload: Upload | None = None

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def queries(self, name: str) -> list[str]:
        return self.request.query_params.getlist(name)

    def int_query(self, name: str, default: int, status: int = 400) -> int:
        value = self.query(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise ApiError(status, "VALIDATION_ERROR", f"Invalid value of {name}: {value}", name
                           ) from exc


Handler = Callable[[Call], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def backend_of(request: Request) -> Backend:
    return cast(Backend, request.app.state.backend)


_ALLEGRO_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once


def allegro_json(status: int, doc: Any, headers: Mapping[str, str] | None = None,
                 media_type: str = MEDIA_TYPE) -> Response:
    body = _ALLEGRO_JSON.encode(doc).encode()
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def error_response(error: ApiError, shape: str = "errors") -> Response:
    """The error in Allegro's usual shape, or in another one steering asked for."""
    # A client that refused our media type gets plain JSON (API_NOTES §1).
    if error.status == 406:
        return JSONResponse({"errors": error.errors}, status_code=406)
    if shape == "array":
        return allegro_json(error.status, error.errors)
    if shape == "oauth":
        first = error.errors[0]
        description = first["userMessage"] or first["message"]
        return JSONResponse({"error": first["code"], "error_description": description},
                            status_code=error.status)
    if shape == "empty":
        return Response(b"", status_code=error.status)
    if shape == "html":
        phrase = HTTPStatus(error.status).phrase
        page = f"<html><head><title>{error.status} {phrase}</title></head><body>proxy</body></html>"
        return HTMLResponse(page, status_code=error.status)
    status = 200 if shape == "errors_on_200" and error.status != 429 else error.status
    return allegro_json(status, {"errors": error.errors})


def oauth_response(error: OAuthError) -> Response:
    headers = {}
    if error.status == 401 and error.error == "invalid_token":
        headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return JSONResponse({"error": error.error, "error_description": error.description},
                        status_code=error.status, headers=headers)


def traced(response: Response) -> Response:
    response.headers["trace-id"] = uuid.uuid4().hex
    return response


# --------------------------------------------------------------------------- the REST gate


def api(method: str, template: str, handler: Handler, access: Access = Access.USER) -> Endpoint:
    """Wrap a handler with Allegro's content negotiation, auth, limits, injected faults, errors
    and request counting."""
    key = f"{method} {template}"
    media_type = BETA_MEDIA_TYPE if key in BETA_ROUTES else MEDIA_TYPE

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        backend.count_request(key)
        try:
            _check_accept(request, media_type)
            principal = backend.oauth.principal(_bearer(request))
            if access is Access.USER and principal.user_id is None:  # R10
                raise ApiError(
                    401, "UserRepresentativeException", "Empty user_name claim",
                    user_message="There was an error while trying to get related account's "
                    "resources.",
                )
            if principal.user_id is not None and not required_scopes(method, template) <= (
                    principal.scopes):  # a login that did not ask for this (auth login --read-only)
                raise forbidden("Access is denied")
            async with backend.limiter.admit(principal.client_id, principal.user_id, key):
                response = await _serve(request, backend, principal, key, handler, media_type)
        except ApiError as error:
            response = error_response(error, backend.settings.error_shape)
        except OAuthError as error:
            response = oauth_response(error)
        return traced(response)

    return endpoint


async def _serve(request: Request, backend: Backend, principal: Principal, key: str,
                 handler: Handler, media_type: str = MEDIA_TYPE) -> Response:
    """Past the limits: injected faults, then the body, then the handler."""
    faults = backend.faults
    if faults.latency:
        await anyio.sleep(faults.latency)
    fault = faults.draw()
    if fault is Fault.DROP:
        raise DropConnection
    if fault is not None and fault is not Fault.SLOW:
        raise faults.error(fault)
    body, upload = None, None
    if key in UPLOAD_ROUTES:
        body, upload = await _upload(request, backend.settings.image_max_bytes)
    elif key in FILE_ROUTES:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        upload = Upload(media_type, await request.body())
    elif key.split(" ")[0] in BODY_METHODS:
        body = await _body(request, media_type)
    response = handler(Call(request, backend, principal.user_id or "", body, upload))
    if fault is Fault.SLOW:  # the work is done; the answer comes after the client gave up
        await anyio.sleep(faults.plan.slow_seconds)
    return response


async def _upload(request: Request, max_bytes: int) -> tuple[Any, Upload | None]:
    """`POST /sale/images`: JSON `{"url"}`, or the image itself (415/413/422 when wrong)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == MEDIA_TYPE:
        return await _body(request), None
    data = await request.body()
    images.check_bytes(media_type, data, max_bytes)
    return None, Upload(media_type, data)


def _check_accept(request: Request, media_type: str = MEDIA_TYPE) -> None:
    accepted = [part.split(";")[0].strip().lower()
                for part in request.headers.get("accept", "").split(",")]
    if media_type not in accepted:
        raise ApiError(
            406, "NotAcceptableException",
            "Not acceptable representation requested. Please check 'Accept' request header",
            user_message="Request contains invalid data. Contact the application author.",
        )


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError(401, "unauthorized", FULL_AUTHENTICATION)
    return token.strip()


async def _body(request: Request, expected: str = MEDIA_TYPE) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != expected:
        raise ApiError(
            415, "NotSupportedException",
            "Unsupported content type. Please check 'Content-Type' request header",
        )
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "VALIDATION_ERROR", "Required request body is missing")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "VALIDATION_ERROR", f"Malformed JSON request body: {exc}") from exc


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and methods, in Allegro's error shape (no DELETE on tables: R4)."""
    error = cast(HTTPException, exc)
    if request.url.path.startswith("/_emulator"):
        return JSONResponse({"error": error.detail}, status_code=error.status_code)
    code = "NOT_FOUND" if error.status_code == 404 else "METHOD_NOT_ALLOWED"
    message = "Not found" if error.status_code == 404 else f"{request.method} is not supported"
    entry = error_entry(code, message, request.url.path)
    return traced(allegro_json(error.status_code, {"errors": [entry]}, headers=error.headers))
