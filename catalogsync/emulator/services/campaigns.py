"""Offers in campaigns (badges) and in the Allegro Prices program (API_NOTES §9; FAQ R26).

Allegro decides who takes part; the emulator lets steering put an offer in
(`POST /_emulator/offers/{id}/campaign`, `POST /_emulator/offers/{id}/allegro-prices`).
Sellers see it through `GET /sale/badges` and `POST /sale/allegro-prices/offers-queries`.

R26: when the integrating system changes the offer's price (a PATCH of `sellingMode.price` or a
price-change command), the offer leaves: its running badges become FINISHED and its Allegro
Prices participation becomes EXCLUDED (declaration and discount gone, `excludedAt` set).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from catalogsync.emulator.core.errors import ApiError, Doc, iso
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.accounts import Accounts
from catalogsync.emulator.services.events import price_of
from catalogsync.emulator.services.marketplaces import prices_of
from catalogsync.emulator.services.offers.documents import StoredOffer
from catalogsync.emulator.services.offers.storage import OfferStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS badges (
    offer_id TEXT NOT NULL, campaign_id TEXT NOT NULL, seller TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (offer_id, campaign_id));
CREATE INDEX IF NOT EXISTS badges_by_seller ON badges (seller, offer_id);
CREATE TABLE IF NOT EXISTS allegro_prices (
    offer_id TEXT NOT NULL, marketplace TEXT NOT NULL, seller TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (offer_id, marketplace));
"""
TABLES = ("badges", "allegro_prices")
CAMPAIGNS = {"BARGAIN": "Strefa okazji", "SUBSIDY": "Allegro Cena", "HIT": "Hit",
             "NOVELTY": "Nowość"}
BADGE_STATUSES = ("IN_VERIFICATION", "WAITING_FOR_PUBLICATION", "ACTIVE", "FINISHED", "DECLINED")
RUNNING = ("IN_VERIFICATION", "WAITING_FOR_PUBLICATION", "ACTIVE")
MARKETPLACES = ("allegro-pl", "allegro-cz", "allegro-sk", "allegro-hu")
SCOPES = ("WITH_DECLARATION", "DISCOUNTED", "EXCLUDED")
#: offers-queries considers only these [S]
QUERIED = ("ACTIVATING", "ACTIVE", "ENDED")
#: How a discount splits, as in the spec's example: the seller gives 60 % of what it declared,
#: Allegro adds 140 % of it.
SELLER_SHARE, ALLEGRO_SHARE = Decimal("0.6"), Decimal("1.4")
CENT = Decimal("0.01")


def _bad_query(code: str, name: str) -> ApiError:
    message = f"Invalid [{name}] parameter value."
    return ApiError(400, code, message, name)


def _validation(message: str, status: int = 422) -> ApiError:
    code = "VALIDATION_ERROR" if status == 422 else "ValidationException"
    return ApiError(status, code, message)


def _money(amount: Decimal, currency: str) -> Doc:
    return {"amount": str(amount.quantize(CENT, rounding=ROUND_HALF_UP)), "currency": currency}


def _percentage(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("percentage must be a decimal number") from exc
    if not 0 < number < 100:
        raise ValueError("percentage must be between 0 and 100")
    return number


class Campaigns:
    """Badges and Allegro Prices participations, kept in the `badges` and `allegro_prices`
    tables."""

    def __init__(self, store: Store, offers: OfferStore, accounts: Accounts) -> None:
        self._store = store
        self._offers = offers
        self._accounts = accounts
        store.create(SCHEMA, TABLES)

    # ----------------------------------------------------------------- steering

    def _offer(self, offer_id: str) -> tuple[str, Doc]:
        offer = self._offers.load(offer_id)
        if offer is None:
            raise LookupError(f"no offer {offer_id}")
        return offer.seller, offer.doc

    def enter_campaign(self, offer_id: str, body: Mapping[str, Any]) -> Doc:
        """`{"campaign": "BARGAIN", "name"?, "status": "ACTIVE", "bargain"?: "19.99"}`."""
        campaign = str(body.get("campaign", "BARGAIN"))
        status = str(body.get("status", "ACTIVE"))
        if status not in BADGE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(BADGE_STATUSES)}")
        with self._store.session() as now:
            seller, doc = self._offer(offer_id)
            price = (doc.get("sellingMode") or {}).get("price")
            prices: Doc | None = None
            if price is not None:
                prices = {"market": price}
                if body.get("bargain") is not None:
                    prices["bargain"] = _money(Decimal(str(body["bargain"])), price["currency"])
            badge = {
                "offer": {"id": offer_id},
                "campaign": {"id": campaign, "name": str(body.get("name") or
                                                         CAMPAIGNS.get(campaign, campaign))},
                "publication": ({"type": "SINCE", "from": iso(now), "to": None}
                                if status == "ACTIVE" else None),
                "prices": prices,
                "process": {"status": status, "rejectionReasons": []},
                "campaignStock": None,
            }
            self._store.db.execute(
                "INSERT OR REPLACE INTO badges (offer_id, campaign_id, seller, doc)"
                " VALUES (?, ?, ?, ?)", (offer_id, campaign, seller, json.dumps(badge)))
            return badge

    def enter_allegro_prices(self, offer_id: str, body: Mapping[str, Any]) -> Doc:
        """`{"marketplace": "allegro-pl", "scope": "DISCOUNTED", "percentage": "10.0"}`."""
        marketplace = str(body.get("marketplace", "allegro-pl"))
        scope = str(body.get("scope", "DISCOUNTED"))
        if marketplace not in MARKETPLACES or scope not in SCOPES:
            raise ValueError(f"marketplace must be one of {MARKETPLACES}, scope one of {SCOPES}")
        percentage = _percentage(body.get("percentage", "10.0"))
        with self._store.session() as now:
            seller, doc = self._offer(offer_id)
            price = _price_on(doc, marketplace)
            if price is None:
                raise ValueError(f"the offer has no price on {marketplace}")
            state = _participation(scope, percentage, price, iso(now))
            self._store.db.execute(
                "INSERT OR REPLACE INTO allegro_prices (offer_id, marketplace, seller, doc)"
                " VALUES (?, ?, ?, ?)", (offer_id, marketplace, seller, json.dumps(state)))
            return state

    # ----------------------------------------------------------------- R26

    def offer_saved(self, offer: StoredOffer, before: tuple[str, Doc] | None, at: datetime
                    ) -> None:
        """An `OfferStore` listener: a changed price takes the offer out of the programs, on
        the base marketplace (badges and Allegro Prices) or on an additional one (its Allegro
        Prices participation)."""
        if before is None:
            return
        if price_of(before[1]) != price_of(offer.doc):
            self.leave_programs(offer.id, at)
        old, new = prices_of(before[1]), prices_of(offer.doc)
        for marketplace in sorted(set(old) | set(new)):
            if old.get(marketplace) != new.get(marketplace):
                self._leave_allegro_prices(offer.id, marketplace, at)

    def _leave_allegro_prices(self, offer_id: str, marketplace: str, at: datetime) -> None:
        excluded = {"declaredPriceReduction": None, "actualPriceReduction": None,
                    "discountedAt": None, "excludedAt": iso(at)}
        self._store.db.execute(
            "UPDATE allegro_prices SET doc = ? WHERE offer_id = ? AND marketplace = ?"
            " AND json_extract(doc, '$.excludedAt') IS NULL",
            (json.dumps(excluded), offer_id, marketplace),
        )

    def leave_programs(self, offer_id: str, at: datetime) -> None:
        """The integrator changed the offer's base price (inside an open session)."""
        db = self._store.db
        for campaign_id, raw in db.execute(
            "SELECT campaign_id, doc FROM badges WHERE offer_id = ?", (offer_id,)
        ).fetchall():
            badge = json.loads(raw)
            if badge["process"]["status"] in RUNNING:
                badge["process"]["status"] = "FINISHED"
                if badge["publication"]:
                    badge["publication"]["to"] = iso(at)
                db.execute("UPDATE badges SET doc = ? WHERE offer_id = ? AND campaign_id = ?",
                           (json.dumps(badge), offer_id, campaign_id))
        self._leave_allegro_prices(offer_id, "allegro-pl", at)

    # ----------------------------------------------------------------- API

    def list_badges(self, seller: str, marketplace: str | None, offer_id: str | None,
                    offset: int, limit: int) -> Doc:
        """`GET /sale/badges?marketplace.id=&offer.id=&offset=&limit=`."""
        if marketplace not in MARKETPLACES:
            raise _bad_query("BB35", "marketplace.id")
        if not 1 <= limit <= 1000:
            raise _bad_query("BB9", "limit")
        if offset < 0:
            raise _bad_query("BB10", "offset")
        with self._store.session():
            user = self._accounts.me(seller)
            if not (user.get("company") or {}).get("name"):
                raise ApiError(403, "BB2", "The account is not a Business Account.")
            if marketplace != "allegro-pl":  # the emulator's offers sell on allegro-pl only
                return {"badges": []}
            where, args = "seller = ?", [seller]
            if offer_id is not None:
                where, args = where + " AND offer_id = ?", [*args, offer_id]
            rows = self._store.db.execute(
                f"SELECT doc FROM badges WHERE {where} ORDER BY rowid LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
            return {"badges": [json.loads(row[0]) for row in rows]}

    def query_allegro_prices(self, seller: str, body: Any) -> Doc:
        """`POST /sale/allegro-prices/offers-queries`."""
        marketplace, ids, scope, limit, offset = _offers_query(body)
        with self._store.session():
            where = ["o.seller = ?", "o.archived = 0",
                     f"o.status IN ({', '.join('?' * len(QUERIED))})"]
            args: list[Any] = [marketplace, seller, *QUERIED]
            if marketplace != "allegro-pl":  # offers offered there
                where.append("EXISTS (SELECT 1 FROM json_each(o.doc, "
                             "'$.publication.marketplaces.additional') WHERE "
                             "json_extract(value, '$.id') = ?)")
                args.append(marketplace)
            if ids:
                where.append(f"o.id IN ({', '.join('?' * len(ids))})")
                args += ids
            if scope is not None:
                where.append({"WITH_DECLARATION": "json_extract(a.doc, '$.declaredPriceReduction')",
                              "DISCOUNTED": "json_extract(a.doc, '$.actualPriceReduction')",
                              "EXCLUDED": "json_extract(a.doc, '$.excludedAt')"}[scope]
                             + " IS NOT NULL")
            sql = ("FROM offers o LEFT JOIN allegro_prices a ON a.offer_id = o.id"
                   f" AND a.marketplace = ? WHERE {' AND '.join(where)}")
            db = self._store.db
            total = db.execute(f"SELECT COUNT(*) {sql}", args).fetchone()[0]
            rows = db.execute(f"SELECT o.doc, a.doc {sql} ORDER BY o.seq LIMIT ? OFFSET ?",
                              [*args, limit, offset]).fetchall()
        offers = [_status_item(json.loads(o), marketplace, a) for o, a in rows]
        return {"offers": offers, "count": len(offers), "totalCount": total}


def _participation(scope: str, percentage: Decimal, price: Doc, now: str) -> Doc:
    base, currency = Decimal(price["amount"]), price["currency"]
    most = base * percentage / 100
    declared = {"sellerMaxDeclaredPercentage": str(percentage),
                "sellerMaxDeclaredDiscount": _money(most, currency)}
    if scope == "EXCLUDED":
        return {"declaredPriceReduction": None, "actualPriceReduction": None,
                "discountedAt": None, "excludedAt": now}
    actual = None
    if scope == "DISCOUNTED":
        seller, allegro = most * SELLER_SHARE, most * ALLEGRO_SHARE
        actual = {**declared, "sellerDiscount": _money(seller, currency),
                  "allegroDiscount": _money(allegro, currency),
                  "finalPriceForTheBuyer": _money(base - seller - allegro, currency)}
    return {"declaredPriceReduction": declared, "actualPriceReduction": actual,
            "discountedAt": now if actual else None, "excludedAt": None}


def _status_item(offer: Doc, marketplace: str, participation: str | None) -> Doc:
    state = json.loads(participation) if participation else {
        "declaredPriceReduction": None, "actualPriceReduction": None,
        "discountedAt": None, "excludedAt": None}
    # `discount.opportunity` (required since the 2026-07-18 spec): the emulator guesses that
    # every offer not excluded from the programme could be discounted.
    return {"id": offer["id"], "name": offer.get("name") or "",
            "marketplace": {"id": marketplace},
            "basePrice": _price_on(offer, marketplace),
            "discount": {"opportunity": state["excludedAt"] is None}, **state}


def _price_on(offer: Doc, marketplace: str) -> Doc | None:
    if marketplace == "allegro-pl":
        price: Doc | None = (offer.get("sellingMode") or {}).get("price")
        return price
    return prices_of(offer).get(marketplace)


def _offers_query(body: Any) -> tuple[str, list[str], str | None, int, int]:
    """Validate an `OfferStatusQueryRequestDto`, with the spec's example messages."""
    if not isinstance(body, dict) or not isinstance(body.get("marketplace"), dict):
        raise _validation("Missing required field: marketplace", status=400)
    marketplace = body["marketplace"].get("id")
    if marketplace not in MARKETPLACES:
        raise _validation("Validation failed: Invalid marketplace ID")
    limit, offset = body.get("limit", 20), body.get("offset", 0)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise _validation("Validation failed: limit must be less than or equal to 1,000"
                          if isinstance(limit, int) and limit > 1000 else
                          "Validation failed: limit must be greater than or equal to 1")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise _validation("Validation failed: offset must be greater than or equal to 0")
    offer = body.get("offer") or {}
    if not isinstance(offer, dict):
        raise _validation("Validation failed: offer must be an object")
    scope, ids = offer.get("scope"), offer.get("ids")
    if scope is not None and scope not in SCOPES:
        raise _validation("Validation failed: The provided scope is invalid")
    if ids is not None and (not isinstance(ids, list) or not 1 <= len(ids) <= 1000
                            or not all(isinstance(i, str) and 1 <= len(i) <= 20 for i in ids)):
        raise _validation("Validation failed: offer.ids size must be between 1 and 1,000")
    return str(marketplace), list(ids or []), scope, limit, offset
