"""Additional marketplaces in the plan: prices in each marketplace's currency, price commands
with marketplaceId, PATCH for other marketplaces, Allegro's verdicts, R26 per marketplace."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalogsync.allegro.marketplaces_wire import marketplace_fields
from catalogsync.allegro.wire import command_body
from catalogsync.plan.marketplaces import marketplace_diagnostics
from catalogsync.plan.model import CommandKind, Severity
from catalogsync.plan.planner import Options, plan
from tests.unit.test_planner import DPD, NOW, catalog, live, live_mug, mug

CURRENCIES = {"allegro-pl": "PLN", "allegro-cz": "CZK", "allegro-sk": "EUR", "allegro-hu": "HUF"}
#: the table "Standard" delivers to buyers of every marketplace
EVERYWHERE = (replace(DPD, marketplaces=tuple(CURRENCIES)),)


def state(**fields: Any) -> Any:
    return live(marketplaces=CURRENCIES, offers={"MUG-1": live_mug(**fields)},
                delivery_methods=EVERYWHERE)


def test_a_new_offer_asks_for_marketplaces_with_prices_in_their_currencies() -> None:
    offer = mug(marketplaces={"allegro-cz": "179", "allegro-sk": None})
    result = plan(catalog({"MUG-1": offer}), live(marketplaces=CURRENCIES,
                                                  delivery_methods=EVERYWHERE), NOW)
    assert result.diagnostics == ()
    (change,) = result.changes
    assert change.request is not None
    body = change.request.body
    assert body["publication"] == {
        "marketplaces": {"additional": [{"id": "allegro-cz"}, {"id": "allegro-sk"}]},
        "status": "INACTIVE",
    }
    assert body["additionalMarketplaces"] == {
        "allegro-cz": {"sellingMode": {"price": {"amount": "179.00", "currency": "CZK"}}}}


def test_unknown_or_base_marketplace_is_an_error_listing_the_known_ones() -> None:
    for name in ("allegro-de", "allegro-pl"):
        result = plan(catalog({"MUG-1": mug(marketplaces=[name])}), state(), NOW)
        (error,) = result.errors
        assert error.message == (f"marketplace '{name}' is not an additional marketplace Allegro "
                                 "sells on; known: allegro-cz, allegro-hu, allegro-sk")


def test_price_changes_there_go_by_command_with_marketplace_id() -> None:
    current = state(marketplaces={"allegro-cz": "179.00 CZK", "allegro-sk": "7.49 EUR"})
    wanted = mug(marketplaces={"allegro-cz": "189", "allegro-sk": "7.49"})
    (change,) = plan(catalog({"MUG-1": wanted}), current, NOW).changes
    assert change.request is None
    (command,) = change.commands
    assert command.kind is CommandKind.PRICE
    assert command.fields == {"price": "189.00 CZK", "marketplace": "allegro-cz"}
    body = command_body(command.kind.value, command.fields, ["777"], {})
    assert body["modification"] == {"type": "FIXED_PRICE", "marketplaceId": "allegro-cz",
                                    "price": {"amount": "189.00", "currency": "CZK"}}


def test_another_marketplace_goes_by_patch_and_an_unpriced_one_is_left_to_allegro() -> None:
    current = state(marketplaces={"allegro-cz": "179.00 CZK"})
    same = plan(catalog({"MUG-1": mug(marketplaces=["allegro-cz"])}), current, NOW)
    assert same.changes == ()  # the price there is Allegro's business
    (change,) = plan(catalog({"MUG-1": mug(marketplaces=["allegro-cz", "allegro-hu"])}),
                     current, NOW).changes
    assert change.request is not None and change.request.method == "PATCH"
    assert change.request.body["publication"]["marketplaces"]["additional"] == [
        {"id": "allegro-cz"}, {"id": "allegro-hu"}]


def test_r26_a_price_allegro_prices_holds_on_a_marketplace_stays() -> None:
    current = replace(state(marketplaces={"allegro-cz": "179.00 CZK"}),
                      marketplace_campaigns={"777": {"allegro-cz": ("Allegro Prices",)}})
    wanted = catalog({"MUG-1": mug(marketplaces={"allegro-cz": "150"})})
    held = plan(wanted, current, NOW)
    assert held.changes == ()
    (warning,) = held.warnings
    assert warning.rule == "R26" and "price on allegro-cz stays 179.00 CZK" in warning.message
    allowed = plan(wanted, current, NOW, Options(allow_campaign_price_change=True))
    (change,) = allowed.changes
    assert change.commands[0].fields == {"price": "150.00 CZK", "marketplace": "allegro-cz"}


def test_allegro_verdicts_per_marketplace_are_shown() -> None:
    doc = {
        "publication": {"marketplaces": {"additional": [{"id": "allegro-cz"},
                                                        {"id": "allegro-sk"}]}},
        "additionalMarketplaces": {
            "allegro-cz": {"sellingMode": {"price": {"amount": "179", "currency": "CZK"}},
                           "publication": {"state": "APPROVED", "refusalReasons": []}},
            "allegro-sk": {"sellingMode": None, "publication": {
                "state": "REFUSED", "refusalReasons": [{
                    "code": "VQR001_CURRENCY_NOT_AVAILABLE",
                    "userMessage": "missing price in the market's currency"}]}},
            "allegro-hu": {"publication": {"state": "NOT_REQUESTED", "refusalReasons": []}},
        },
    }
    fields = marketplace_fields(doc)
    assert fields["marketplaces"] == {"allegro-cz": "179.00 CZK", "allegro-sk": None}
    result = plan(catalog({"MUG-1": mug(marketplaces=["allegro-cz", "allegro-sk"])}),
                  state(**fields), NOW)
    shown = {(d.severity, d.message) for d in result.diagnostics}
    assert (Severity.WARNING, "allegro-sk refused: VQR001_CURRENCY_NOT_AVAILABLE: missing price "
            "in the market's currency") in shown
    assert (Severity.NOTE, "1 offer approved there") in shown


def test_a_marketplace_the_shipping_rates_do_not_reach_is_flagged_before_sending() -> None:
    only_home = live(marketplaces=CURRENCIES, offers={"MUG-1": live_mug()})  # DPD: allegro-pl
    result = plan(catalog({"MUG-1": mug(marketplaces=["allegro-cz"])}), only_home, NOW)
    (warning,) = result.warnings
    assert warning.message.startswith("shipping rates 'Standard' deliver to no buyer of "
                                      "allegro-cz: Allegro will refuse the offer there (VQR003")


def test_offers_still_waiting_are_named_and_approved_ones_counted() -> None:
    verdicts = {
        "A": {"allegro-cz": {"state": "APPROVED", "reasons": []},
              "allegro-sk": {"state": "PENDING", "reasons": []}},
        "B": {"allegro-cz": {"state": "APPROVED", "reasons": []}},
    }
    shown = [(d.subject, d.message) for d in marketplace_diagnostics(verdicts)]
    assert shown == [("offer A", "additional marketplaces: allegro-sk PENDING"),
                     ("allegro-cz", "2 offers approved there")]
