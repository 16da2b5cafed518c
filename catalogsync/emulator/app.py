"""The emulator as an ASGI app: Allegro's routes, its OAuth endpoints and `/_emulator/` steering.

Serve it with uvicorn, or talk to it in-process through `httpx.ASGITransport`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route

from catalogsync.emulator import conformance
from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.faults import DropConnection, drop_connection
from catalogsync.emulator.http import (
    accounts,
    after_sales,
    campaigns,
    catalogue,
    commands,
    events,
    gpsr,
    images,
    oauth,
    offers,
    orders,
    price_rules,
    shipping,
    size_tables,
    translations,
    variants,
)
from catalogsync.emulator.http import gate as h
from catalogsync.emulator.http import steering as s
from catalogsync.emulator.services.bulk_modifications import KIND as BULK
from catalogsync.emulator.services.command_bodies import COMMAND_KINDS
from catalogsync.emulator.services.price_rules import KIND as AUTOMATION

USER, ANY = h.Access.USER, h.Access.ANY

#: Allegro's REST routes, as the spec writes their paths. No DELETE on shipping rates (R4);
#: the multi-variant resource answers AccessDenied since it was switched off, unless the
#: `legacy_variants` setting brings it back (R24, R25).
REST: list[tuple[str, str, h.Handler, h.Access]] = [
    ("GET", "/me", accounts.me, USER),
    ("GET", "/marketplaces", accounts.marketplaces, ANY),
    ("GET", "/sale/offers", offers.list_offers, USER),
    ("DELETE", "/sale/offers/{offerId}", offers.delete_offer, USER),
    ("GET", "/sale/offers/{offerId}/translations", translations.get_translations, USER),
    ("PATCH", "/sale/offers/{offerId}/translations/{language}", translations.patch_translation,
     USER),
    ("DELETE", "/sale/offers/{offerId}/translations/{language}",
     translations.delete_translation, USER),
    ("POST", "/sale/product-offers", offers.create_offer, USER),
    ("GET", "/sale/product-offers/{offerId}", offers.get_offer, USER),
    ("PATCH", "/sale/product-offers/{offerId}", offers.patch_offer, USER),
    ("GET", "/sale/product-offers/{offerId}/operations/{operationId}", offers.offer_operation,
     USER),
    ("GET", "/sale/shipping-rates", shipping.list_shipping_rates, USER),
    ("POST", "/sale/shipping-rates", shipping.create_shipping_rates, USER),
    ("GET", "/sale/shipping-rates/{id}", shipping.get_shipping_rates, USER),
    ("PUT", "/sale/shipping-rates/{id}", shipping.update_shipping_rates, USER),
    ("GET", "/sale/delivery-methods", shipping.delivery_methods, ANY),
    ("GET", "/sale/tax-settings", accounts.tax_settings, ANY),
    ("GET", "/sale/products", catalogue.search_products, USER),
    ("GET", "/sale/products/{productId}", catalogue.get_product, USER),
    ("GET", "/sale/categories", catalogue.categories, ANY),
    ("GET", "/sale/categories/{categoryId}", catalogue.category, ANY),
    ("GET", "/sale/categories/{categoryId}/parameters", catalogue.category_parameters, ANY),
    ("GET", "/sale/offer-variants", variants.search_variant_sets, USER),
    ("POST", "/sale/offer-variants", variants.create_variant_set, USER),
    ("GET", "/sale/offer-variants/{setId}", variants.get_variant_set, USER),
    ("PUT", "/sale/offer-variants/{setId}", variants.put_variant_set, USER),
    ("DELETE", "/sale/offer-variants/{setId}", variants.delete_variant_set, USER),
    ("POST", "/sale/images", images.upload_image, USER),
    ("POST", "/sale/offer-attachments", gpsr.create_attachment, USER),
    ("PUT", "/sale/offer-attachments/{attachmentId}", gpsr.upload_attachment, USER),
    ("GET", "/sale/offer-attachments/{attachmentId}", gpsr.get_attachment, USER),
    ("GET", "/sale/responsible-producers", gpsr.listing("producers"), USER),
    ("POST", "/sale/responsible-producers", gpsr.create("producers"), USER),
    ("GET", "/sale/responsible-producers/{id}", gpsr.get("producers"), USER),
    ("PUT", "/sale/responsible-producers/{id}", gpsr.update("producers"), USER),
    ("GET", "/sale/responsible-persons", gpsr.listing("persons"), USER),
    ("POST", "/sale/responsible-persons", gpsr.create("persons"), USER),
    ("PUT", "/sale/responsible-persons/{id}", gpsr.update("persons"), USER),
    ("GET", "/sale/size-tables", size_tables.listing("size_tables"), USER),
    ("POST", "/sale/size-tables", size_tables.create("size_tables"), USER),
    ("GET", "/sale/size-tables/{tableId}", size_tables.get("size_tables", "tableId"), USER),
    ("PUT", "/sale/size-tables/{tableId}", size_tables.update("size_tables", "tableId"), USER),
    ("GET", "/sale/size-tables-templates", size_tables.templates, USER),
    ("GET", "/sale/offer-contacts", size_tables.listing("contacts"), USER),
    ("POST", "/sale/offer-contacts", size_tables.create("contacts"), USER),
    ("GET", "/sale/offer-contacts/{id}", size_tables.get("contacts", "id"), USER),
    ("PUT", "/sale/offer-contacts/{id}", size_tables.update("contacts", "id"), USER),
    ("GET", "/sale/badges", campaigns.list_badges, USER),
    ("GET", "/sale/badge-campaigns", campaigns.list_badge_campaigns, USER),
    ("POST", "/sale/allegro-prices/offers-queries", campaigns.allegro_prices_offers, USER),
    ("GET", "/sale/price-automation/rules", price_rules.list_rules, USER),
    ("POST", "/sale/price-automation/rules", price_rules.create_rule, USER),
    ("GET", "/sale/price-automation/rules/{ruleId}", price_rules.get_rule, USER),
    ("PUT", "/sale/price-automation/rules/{ruleId}", price_rules.update_rule, USER),
    ("DELETE", "/sale/price-automation/rules/{ruleId}", price_rules.delete_rule, USER),
    ("GET", "/sale/price-automation/offers/{offerId}/rules", price_rules.offer_rules, USER),
    ("GET", "/sale/offer-events", events.offer_events, USER),
    ("GET", "/order/events", orders.order_events, USER),
    ("GET", "/order/checkout-forms/{id}", orders.checkout_form, USER),
]
for _segment, (_kind, _id) in after_sales.PATHS.items():
    _path = f"/after-sales-service-conditions/{_segment}"
    REST += [
        ("GET", _path, after_sales.listing(_kind), USER),
        ("POST", _path, after_sales.create(_kind), USER),
        ("GET", f"{_path}/{{{_id}}}", after_sales.get(_kind, _id), USER),
        ("PUT", f"{_path}/{{{_id}}}", after_sales.update(_kind, _id), USER),
    ]
for _kind in COMMAND_KINDS:
    _put, _report, _tasks = commands.command_handlers(_kind)
    REST += [
        ("PUT", f"/sale/{_kind}/{{commandId}}", _put, USER),
        ("GET", f"/sale/{_kind}/{{commandId}}", _report, USER),
        ("GET", f"/sale/{_kind}/{{commandId}}/tasks", _tasks, USER),
    ]

_report, _tasks = commands.command_handlers(AUTOMATION)[1:]
REST += [
    ("POST", f"/sale/{AUTOMATION}", price_rules.post_command, USER),
    ("GET", f"/sale/{AUTOMATION}/{{commandId}}", _report, USER),
    ("GET", f"/sale/{AUTOMATION}/{{commandId}}/tasks", _tasks, USER),
]
_report, _tasks = commands.command_handlers(BULK)[1:]
REST += [
    ("POST", f"/sale/{BULK}", commands.post_bulk, USER),
    ("GET", f"/sale/{BULK}/{{commandId}}", _report, USER),
    ("GET", f"/sale/{BULK}/{{commandId}}/tasks", _tasks, USER),
]

OAUTH: list[tuple[str, str, oauth.OAuthHandler]] = [
    ("POST", "/auth/oauth/device", oauth.device_authorization),
    ("POST", "/auth/oauth/token", oauth.token),
    ("GET", "/auth/oauth/authorize", oauth.authorize),
]

STEERING: list[tuple[str, str, s.Steer]] = [
    ("POST", "/_emulator/reset", s.steer_reset),
    ("POST", "/_emulator/clock", s.steer_clock),
    ("POST", "/_emulator/device/approve", s.steer_approve),
    ("POST", "/_emulator/offers/{offerId}/hide", s.steer_hide),
    ("POST", "/_emulator/offers/{offerId}/purchase", s.steer_purchase),
    ("POST", "/_emulator/checkout-forms/{id}/events", s.steer_order_events),
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
    routes += [Route(path, oauth.oauth(method, path, handler), methods=[method])
               for method, path, handler in OAUTH]
    # R7: any other URL under /auth asks for full authentication.
    unknown = oauth.oauth("*", "/auth/{rest}", oauth.unknown_auth_path)
    routes.append(Route("/auth/{rest:path}", unknown,
                        methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
    routes += [Route(path, s.steering(handler), methods=[method])
               for method, path, handler in STEERING]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: h.http_error,
        DropConnection: drop_connection,  # an injected fault: the connection goes away
    })
    app.state.backend = backend
    return app
