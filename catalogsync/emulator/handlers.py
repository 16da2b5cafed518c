"""HTTP in and out: parse Allegro requests, call the `Backend`, shape Allegro's responses.

Every REST call passes the same gate, in this order: `Accept` must name Allegro's media type
(406), a bearer token must be valid (401; R9, R10), the request limits must admit it (429 or a
delay; R1-R3 and the per-seller limits, see `limits`), injected faults strike (see `faults`),
a body must carry that media type (415; `POST /sale/images` also takes image bytes).
Responses carry a `trace-id` header, like Allegro's.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import ApiError, OAuthError, error_entry
from catalogsync.emulator.core.faults import DropConnection, Fault
from catalogsync.emulator.services import images
from catalogsync.emulator.services.oauth import Principal

MEDIA_TYPE = "application/vnd.allegro.public.v1+json"
BODY_METHODS = ("POST", "PUT", "PATCH")
FULL_AUTHENTICATION = "Full authentication is required to access this resource"  # R7
#: Routes whose body may be raw image bytes instead of JSON.
UPLOAD_ROUTES = ("POST /sale/images",)


class Access(Enum):
    USER = "user"  # bearer-token-for-user only
    ANY = "any"  # bearer-token-for-application accepted too


@dataclass(frozen=True)
class Upload:
    """Raw image bytes sent to `POST /sale/images`."""

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


def allegro_json(status: int, doc: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_response(error: ApiError) -> Response:
    # A client that refused our media type gets plain JSON (API_NOTES §1).
    if error.status == 406:
        return JSONResponse({"errors": error.errors}, status_code=406)
    return allegro_json(error.status, {"errors": error.errors})


def oauth_response(error: OAuthError) -> Response:
    headers = {}
    if error.status == 401 and error.error == "invalid_token":
        headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return JSONResponse({"error": error.error, "error_description": error.description},
                        status_code=error.status, headers=headers)


def _traced(response: Response) -> Response:
    response.headers["trace-id"] = uuid.uuid4().hex
    return response


# --------------------------------------------------------------------------- the REST gate


def api(method: str, template: str, handler: Handler, access: Access = Access.USER) -> Endpoint:
    """Wrap a handler with Allegro's content negotiation, auth, limits, injected faults, errors
    and request counting."""
    key = f"{method} {template}"

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        backend.count_request(key)
        try:
            _check_accept(request)
            principal = backend.oauth.principal(_bearer(request))
            if access is Access.USER and principal.user_id is None:  # R10
                raise ApiError(
                    401, "UserRepresentativeException", "Empty user_name claim",
                    user_message="There was an error while trying to get related account's "
                    "resources.",
                )
            async with backend.limiter.admit(principal.client_id, principal.user_id, key):
                response = await _serve(request, backend, principal, key, handler)
        except ApiError as error:
            response = error_response(error)
        except OAuthError as error:
            response = oauth_response(error)
        return _traced(response)

    return endpoint


async def _serve(request: Request, backend: Backend, principal: Principal, key: str,
                 handler: Handler) -> Response:
    """Past the limits: injected faults, then the body, then the handler."""
    faults = backend.faults
    if faults.latency:
        await anyio.sleep(faults.latency)
    fault = faults.draw()
    if fault is Fault.DROP:
        raise DropConnection
    if fault is not None:
        raise faults.error(fault)
    body, upload = None, None
    if key in UPLOAD_ROUTES:
        body, upload = await _upload(request, backend.settings.image_max_bytes)
    elif key.split(" ")[0] in BODY_METHODS:
        body = await _body(request)
    return handler(Call(request, backend, principal.user_id or "", body, upload))


async def _upload(request: Request, max_bytes: int) -> tuple[Any, Upload | None]:
    """`POST /sale/images`: JSON `{"url"}`, or the image itself (415/413/422 when wrong)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == MEDIA_TYPE:
        return await _body(request), None
    data = await request.body()
    images.check_bytes(media_type, data, max_bytes)
    return None, Upload(media_type, data)


def _check_accept(request: Request) -> None:
    accepted = [part.split(";")[0].strip().lower()
                for part in request.headers.get("accept", "").split(",")]
    if MEDIA_TYPE not in accepted:
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


async def _body(request: Request) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != MEDIA_TYPE:
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
    return _traced(allegro_json(error.status_code, {"errors": [entry]}, headers=error.headers))


# --------------------------------------------------------------------------- REST handlers


def me(call: Call) -> Response:
    return allegro_json(200, call.backend.accounts.me(call.user_id))


def list_offers(call: Call) -> Response:
    return allegro_json(200, call.backend.offers.find(
        call.user_id,
        external_ids=call.queries("external.id"),
        offer_ids=call.queries("offer.id"),
        statuses=call.queries("publication.status"),
        limit=call.int_query("limit", 20),
        offset=call.int_query("offset", 0),
    ))


def _offer_answer(doc: dict[str, Any], operation: str | None, synchronous: int) -> Response:
    """201/200 when done; 202 with the operation to poll when publication changes."""
    if operation is None:
        return allegro_json(synchronous, doc)
    location = f"/sale/product-offers/{doc['id']}/operations/{operation}"
    return allegro_json(202, doc, headers={"Location": location, "Retry-After": "1"})


def create_offer(call: Call) -> Response:
    doc, operation = call.backend.offers.create(call.user_id, call.body)
    return _offer_answer(doc, operation, 201)


def get_offer(call: Call) -> Response:
    return allegro_json(200, call.backend.offers.get(call.user_id, call.path("offerId")))


def patch_offer(call: Call) -> Response:
    doc, operation = call.backend.offers.patch(call.user_id, call.path("offerId"), call.body)
    return _offer_answer(doc, operation, 200)


def offer_operation(call: Call) -> Response:
    offer_id = call.path("offerId")
    status = call.backend.offers.operation(call.user_id, offer_id, call.path("operationId"))
    if status is None:  # done: 303 with an empty body; GET the offer for the outcome
        return Response(status_code=303, headers={"Location": f"/sale/product-offers/{offer_id}"})
    return allegro_json(202, status, headers={"Retry-After": "1",
                                              "Location": call.request.url.path})


def delete_offer(call: Call) -> Response:
    call.backend.offers.delete(call.user_id, call.path("offerId"))
    return Response(status_code=204)


def list_shipping_rates(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.tables(call.user_id,
                                                              call.query("marketplace")))


def create_shipping_rates(call: Call) -> Response:
    return allegro_json(201, call.backend.shipping.create(call.user_id, call.body))


def get_shipping_rates(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.get(call.user_id, call.path("id")))


def update_shipping_rates(call: Call) -> Response:
    table = call.backend.shipping.update(call.user_id, call.path("id"), call.body)
    return allegro_json(200, table)


def after_sales(kind: str) -> Handler:
    def handler(call: Call) -> Response:
        return allegro_json(200, call.backend.accounts.after_sales(call.user_id, kind))

    return handler


def delivery_methods(call: Call) -> Response:
    return allegro_json(200, call.backend.shipping.delivery_methods(call.query("marketplace")))


def search_products(call: Call) -> Response:
    found = call.backend.catalogue.search_products(call.query("phrase"), call.query("mode"),
                                         call.query("category.id"))
    return allegro_json(200, found)


def get_product(call: Call) -> Response:
    return allegro_json(200, call.backend.catalogue.get_product(call.path("productId")))


def category_parameters(call: Call) -> Response:
    return allegro_json(200, call.backend.catalogue.category_parameters(call.path("categoryId")))


def switched_off(call: Call) -> Response:
    """`/sale/offer-variants*` was switched off on 2026-04-14 (API_NOTES §0, §6); the body is
    Allegro's AccessDenied as posted in [I#13307] and [I#13083]."""
    english = call.request.headers.get("accept-language", "").lower().startswith("en")
    raise ApiError(403, "AccessDenied", "Access is denied",
                   user_message="No access to the specified resource." if english
                   else "Brak dostępu do danego zasobu.")


def _legacy_variants(call: Call) -> None:
    if not call.backend.settings.legacy_variants:
        switched_off(call)


def search_variant_sets(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.search(
        call.user_id, call.query("query"), offset=call.int_query("offset", 0),
        limit=call.int_query("limit", 10)))


def create_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(201, call.backend.variants.create(call.user_id, call.body))


def get_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.get(call.user_id, call.path("setId")))


def put_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    return allegro_json(200, call.backend.variants.put(call.user_id, call.path("setId"),
                                                       call.body))


def delete_variant_set(call: Call) -> Response:
    _legacy_variants(call)
    call.backend.variants.delete(call.user_id, call.path("setId"))
    return Response(status_code=204)


def upload_image(call: Call) -> Response:
    """`POST /sale/images`: a link or the image itself -> 201 `{"location", "expiresAt"}`."""
    if call.upload is None:
        images.check_link(call.body)
    return allegro_json(201, call.backend.images.upload(call.user_id))


def list_badges(call: Call) -> Response:
    return allegro_json(200, call.backend.campaigns.list_badges(
        call.user_id, call.query("marketplace.id"), call.query("offer.id"),
        offset=call.int_query("offset", 0), limit=call.int_query("limit", 50)))


def allegro_prices_offers(call: Call) -> Response:
    return allegro_json(200, call.backend.campaigns.query_allegro_prices(call.user_id,
                                                                          call.body))


def offer_events(call: Call) -> Response:
    return allegro_json(200, call.backend.events.feed(
        call.user_id, call.query("from"), limit=call.int_query("limit", 100),
        types=call.queries("type")))


def command_handlers(kind: str) -> tuple[Handler, Handler, Handler]:
    """PUT, GET report and GET tasks of one kind of batch command (API_NOTES §5)."""

    def put(call: Call) -> Response:
        report = call.backend.commands.put(call.user_id, kind, call.path("commandId"), call.body)
        return allegro_json(201, report)

    def report(call: Call) -> Response:
        return allegro_json(200, call.backend.commands.report(call.user_id, kind,
                                                             call.path("commandId")))

    def tasks(call: Call) -> Response:
        return allegro_json(200, call.backend.commands.tasks(
            call.user_id, kind, call.path("commandId"),
            limit=call.int_query("limit", 100, status=422),
            offset=call.int_query("offset", 0, status=422),
        ))

    return put, report, tasks


# --------------------------------------------------------------------------- OAuth


@dataclass(frozen=True)
class OAuthCall:
    request: Request
    backend: Backend
    params: dict[str, str]  # query string and form body together
    client_id: str | None  # from Basic auth
    client_secret: str | None


OAuthHandler = Callable[[OAuthCall], Response]


def oauth(method: str, template: str, handler: OAuthHandler) -> Endpoint:
    """Wrap an OAuth endpoint: form/query parameters, Basic client auth, plain JSON errors."""
    key = f"{method} {template}"

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        backend.count_request(key)
        params = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        client_id, secret = _basic(request)
        try:
            response = handler(OAuthCall(request, backend, params, client_id, secret))
        except OAuthError as error:
            response = oauth_response(error)
        response.headers["Cache-Control"] = "no-store"
        return _traced(response)

    return endpoint


def _basic(request: Request) -> tuple[str | None, str | None]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return client_id, secret


def device_authorization(call: OAuthCall) -> Response:
    doc = call.backend.oauth.device_authorize(call.client_id, call.client_secret,
                                        call.params.get("client_id"))
    page = f"{call.request.url.scheme}://{call.request.url.netloc}/skojarz-aplikacje"
    doc["verification_uri"] = page
    doc["verification_uri_complete"] = f"{page}?code={doc['user_code']}"
    return JSONResponse(doc)


def token(call: OAuthCall) -> Response:
    return JSONResponse(call.backend.oauth.token(call.client_id, call.client_secret, call.params))


def authorize(call: OAuthCall) -> Response:
    """The browser step of the code flow: demo-seller is logged in and agrees at once."""
    redirect_uri = call.params.get("redirect_uri")
    code = call.backend.oauth.authorize(call.params.get("client_id"), redirect_uri,
                                  call.params.get("response_type"))
    query = {"code": code, **({"state": call.params["state"]} if "state" in call.params else {})}
    return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=302)


def unknown_auth_path(call: OAuthCall) -> Response:
    """R7: a wrong token URL needs 'full authentication'."""
    raise OAuthError(401, "unauthorized", FULL_AUTHENTICATION)
