"""Steering for tests and demos, under `/_emulator/` (outside Allegro's namespace).

JSON in and out, no auth, not counted, never limited or faulted. 404 names a missing offer or
code; 400 a body the route cannot use. The routes (see `app.STEERING`):

    POST /_emulator/reset                      wipe seller data, limits and faults; re-seed
    POST /_emulator/clock                      {"advance_seconds": n}
    POST /_emulator/device/approve             {"user_code": "...", "user_id"?: "1000001"}
    POST /_emulator/settings                   any `Settings` field (limits, variants, images,
                                               `error_shape`: errors, array, oauth, empty,
                                               html, errors_on_200 …)
    GET  /_emulator/settings
    GET  /_emulator/stats                      requests per route, limits and faults counters
    POST /_emulator/faults                     a `FaultPlan`; `{}` switches faults off
    GET  /_emulator/faults
    POST /_emulator/offers/{offerId}/hide      {"hidden"?: true} (R22)
    POST /_emulator/offers/{offerId}/purchase  {"quantity"?: 1, "buyer"?: login, "events"?:
                                               [BOUGHT|FILLED_IN|READY_FOR_PROCESSING…],
                                               "pay_together"?: false}; the checkout form
    POST /_emulator/checkout-forms/{id}/events {"events"?: ["READY_FOR_PROCESSING"]}: later
                                               events of an order (the buyer pays later)
    POST /_emulator/offers/{offerId}/campaign  {"campaign"?, "name"?, "status"?, "bargain"?}
    POST /_emulator/offers/{offerId}/allegro-prices  {"marketplace"?, "scope"?, "percentage"?}
    POST /_emulator/variant-sets               an automatically made set (R24): a `VariantSet`
                                               plus "seller"?
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import ApiError
from catalogsync.emulator.http.gate import Endpoint, backend_of
from catalogsync.emulator.seed import DEMO_SELLER_ID

Steer = Callable[[Backend, Request, dict[str, Any]], Any]


async def _steering_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def steering(handler: Steer) -> Endpoint:
    """Wrap one steering handler: JSON in and out, plain `{"error"}` answers."""

    async def endpoint(request: Request) -> Response:
        try:
            result = handler(backend_of(request), request, await _steering_body(request))
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except ApiError as error:
            return JSONResponse({"error": error.errors[0]["message"]}, status_code=400)
        return JSONResponse(result)

    return endpoint


def _offer_id(request: Request) -> str:
    return str(request.path_params["offerId"])


def steer_reset(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    backend.reset()
    return {"reset": True}


def steer_clock(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    seconds = body.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("advance_seconds must be a number")
    now = backend.advance_clock(float(seconds))
    return {"now": now.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def steer_approve(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    user_id = str(body.get("user_id", DEMO_SELLER_ID))
    backend.oauth.approve_device(str(body.get("user_code")), user_id)
    return {"approved": True}


def steer_hide(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """R22; `{"hidden": false}` shows the offer again."""
    hidden = bool(body.get("hidden", True))
    backend.offers.hide(_offer_id(request), hidden)
    return {"hidden": hidden}


def steer_purchase(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """A buyer purchases the offer: stock goes down, an order and its events appear."""
    return backend.orders.purchase(_offer_id(request), body)


def steer_order_events(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """Later events about an order, e.g. its payment a day after the purchase."""
    return backend.orders.advance(str(request.path_params["id"]), body)


def steer_settings(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    return backend.update_settings(body)


def show_settings(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    return asdict(backend.settings)


def steer_stats(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    return {"requests": dict(sorted(backend.stats.items())), **backend.limiter.summary(),
            "faults": dict(sorted(backend.faults.stats.items()))}


def steer_faults(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    return backend.faults.configure(body)


def show_faults(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    return backend.faults.describe()


def steer_campaign(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """R26: put the offer into a badge campaign, as Allegro would after verification."""
    return backend.campaigns.enter_campaign(_offer_id(request), body)


def steer_allegro_prices(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """R26: put the offer into the Allegro Prices program."""
    return backend.campaigns.enter_allegro_prices(_offer_id(request), body)


def steer_automatic_set(backend: Backend, request: Request, body: dict[str, Any]) -> Any:
    """R24: a variant set Allegro merged by itself."""
    seller = str(body.pop("seller", DEMO_SELLER_ID))
    return backend.variants.automatic(seller, body)
