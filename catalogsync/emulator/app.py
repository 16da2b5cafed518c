"""The emulator as an ASGI app: Allegro's routes, its OAuth endpoints and `/_emulator/` steering.

Serve it with uvicorn, or talk to it in-process through `httpx.ASGITransport`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route

from catalogsync.emulator import conformance
from catalogsync.emulator import handlers as h
from catalogsync.emulator import steering as s
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.faults import DropConnection, drop_connection
from catalogsync.emulator.services.command_bodies import COMMAND_KINDS

USER, ANY = h.Access.USER, h.Access.ANY

#: Allegro's REST routes, as the spec writes their paths. No DELETE on shipping rates (R4);
#: the multi-variant resource answers AccessDenied since it was switched off, unless the
#: `legacy_variants` setting brings it back (R24, R25).
REST: list[tuple[str, str, h.Handler, h.Access]] = [
    ("GET", "/me", h.me, USER),
    ("GET", "/sale/offers", h.list_offers, USER),
    ("DELETE", "/sale/offers/{offerId}", h.delete_offer, USER),
    ("POST", "/sale/product-offers", h.create_offer, USER),
    ("GET", "/sale/product-offers/{offerId}", h.get_offer, USER),
    ("PATCH", "/sale/product-offers/{offerId}", h.patch_offer, USER),
    ("GET", "/sale/product-offers/{offerId}/operations/{operationId}", h.offer_operation, USER),
    ("GET", "/sale/shipping-rates", h.list_shipping_rates, USER),
    ("POST", "/sale/shipping-rates", h.create_shipping_rates, USER),
    ("GET", "/sale/shipping-rates/{id}", h.get_shipping_rates, USER),
    ("PUT", "/sale/shipping-rates/{id}", h.update_shipping_rates, USER),
    ("GET", "/sale/delivery-methods", h.delivery_methods, ANY),
    ("GET", "/after-sales-service-conditions/return-policies",
     h.after_sales("returnPolicies"), USER),
    ("GET", "/after-sales-service-conditions/implied-warranties",
     h.after_sales("impliedWarranties"), USER),
    ("GET", "/after-sales-service-conditions/warranties", h.after_sales("warranties"), USER),
    ("GET", "/sale/products", h.search_products, USER),
    ("GET", "/sale/products/{productId}", h.get_product, USER),
    ("GET", "/sale/categories/{categoryId}/parameters", h.category_parameters, ANY),
    ("GET", "/sale/offer-variants", h.search_variant_sets, USER),
    ("POST", "/sale/offer-variants", h.create_variant_set, USER),
    ("GET", "/sale/offer-variants/{setId}", h.get_variant_set, USER),
    ("PUT", "/sale/offer-variants/{setId}", h.put_variant_set, USER),
    ("DELETE", "/sale/offer-variants/{setId}", h.delete_variant_set, USER),
    ("POST", "/sale/images", h.upload_image, USER),
    ("GET", "/sale/badges", h.list_badges, USER),
    ("POST", "/sale/allegro-prices/offers-queries", h.allegro_prices_offers, USER),
    ("GET", "/sale/offer-events", h.offer_events, USER),
]
for _kind in COMMAND_KINDS:
    _put, _report, _tasks = h.command_handlers(_kind)
    REST += [
        ("PUT", f"/sale/{_kind}/{{commandId}}", _put, USER),
        ("GET", f"/sale/{_kind}/{{commandId}}", _report, USER),
        ("GET", f"/sale/{_kind}/{{commandId}}/tasks", _tasks, USER),
    ]

OAUTH: list[tuple[str, str, h.OAuthHandler]] = [
    ("POST", "/auth/oauth/device", h.device_authorization),
    ("POST", "/auth/oauth/token", h.token),
    ("GET", "/auth/oauth/authorize", h.authorize),
]

STEERING: list[tuple[str, str, s.Steer]] = [
    ("POST", "/_emulator/reset", s.steer_reset),
    ("POST", "/_emulator/clock", s.steer_clock),
    ("POST", "/_emulator/device/approve", s.steer_approve),
    ("POST", "/_emulator/offers/{offerId}/hide", s.steer_hide),
    ("POST", "/_emulator/offers/{offerId}/campaign", s.steer_campaign),
    ("POST", "/_emulator/offers/{offerId}/allegro-prices", s.steer_allegro_prices),
    ("POST", "/_emulator/variant-sets", s.steer_automatic_set),
    ("POST", "/_emulator/settings", s.steer_settings),
    ("GET", "/_emulator/settings", s.show_settings),
    ("POST", "/_emulator/faults", s.steer_faults),
    ("GET", "/_emulator/faults", s.show_faults),
    ("GET", "/_emulator/stats", s.steer_stats),
]


def create_app(backend: Backend) -> Starlette:
    routes: list[BaseRoute] = [
        Route(path, conformance.api(method, path, handler, access), methods=[method])
        for method, path, handler, access in REST
    ]
    routes += [Route(path, h.oauth(method, path, handler), methods=[method])
               for method, path, handler in OAUTH]
    # R7: any other URL under /auth asks for full authentication.
    routes.append(Route("/auth/{rest:path}", h.oauth("*", "/auth/{rest}", h.unknown_auth_path),
                        methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
    routes += [Route(path, s.steering(handler), methods=[method])
               for method, path, handler in STEERING]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: h.http_error,
        DropConnection: drop_connection,  # an injected fault: the connection goes away
    })
    app.state.backend = backend
    return app
