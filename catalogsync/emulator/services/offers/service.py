"""`/sale/product-offers` and `/sale/offers`: the seller's offers, created and edited whole or
field by field, listed, deleted while they are drafts; publication changes are handed to the
lifecycle (202 operations)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, iso
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.accounts import Accounts
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.images import Images
from catalogsync.emulator.services.offers import fields
from catalogsync.emulator.services.offers.documents import (
    LIVE,
    OFFER_STATUSES,
    StoredOffer,
    blank_offer,
    listing,
    public,
    without_null_strings,
)
from catalogsync.emulator.services.offers.lifecycle import OfferLifecycle
from catalogsync.emulator.services.offers.storage import OfferStore
from catalogsync.emulator.services.shipping import ShippingRates


class Offers:
    """The product-offer API; every public method is one session."""

    def __init__(self, store: Store, storage: OfferStore, lifecycle: OfferLifecycle,
                 catalogue: Catalogue, shipping: ShippingRates, accounts: Accounts,
                 images: Images) -> None:
        self._store = store
        self._storage = storage
        self._lifecycle = lifecycle
        self._catalogue = catalogue
        self._shipping = shipping
        self._accounts = accounts
        self._images = images

    def find(
        self,
        seller: str,
        *,
        external_ids: list[str] | None = None,
        offer_ids: list[str] | None = None,
        statuses: list[str] | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Doc:
        """`GET /sale/offers`: the seller's offers, newest first; hidden ones are left out (R22)."""
        with self._store.session():
            if not 1 <= limit <= 1000:
                raise invalid("limit", "limit must be between 1 and 1000.", status=400)
            if offset < 0 or offset + limit > 10_000_000:
                raise invalid("offset", "offset must be >= 0 and offset + limit <= 10000000.",
                              status=400)
            for status in statuses or []:
                if status not in OFFER_STATUSES:
                    raise invalid("publication.status", f"Unknown status {status}.", status=400)
            where, args = ["seller = ?", "hidden = 0", "archived = 0"], [seller]
            for column, values in (("external_id", external_ids), ("id", offer_ids),
                                   ("status", statuses)):
                if values:
                    where.append(f"{column} IN ({', '.join('?' * len(values))})")
                    args.extend(values)
            clause = " AND ".join(where)
            db = self._store.db
            total = db.execute(f"SELECT COUNT(*) FROM offers WHERE {clause}", args).fetchone()
            rows = self._store.db.execute(
                f"SELECT doc FROM offers WHERE {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
            offers = [without_null_strings(listing(json.loads(row[0]))) for row in rows]
            return {"offers": offers, "count": len(offers), "totalCount": total[0]}

    def get(self, seller: str, offer_id: str) -> Doc:
        with self._store.session():
            return public(self._storage.owned(seller, offer_id).doc)

    def create(self, seller: str, body: Any) -> tuple[Doc, str | None]:
        """`POST /sale/product-offers`: a draft (no operation) or an activation (operation id)."""
        with self._store.session() as now:
            body = checks.json_object(body, "")
            fields.reject_read_only(body)
            if body.get("stock") is None:
                raise invalid("stock", "stock is required.")
            status = fields.requested_status(body, ("INACTIVE", "ACTIVE"))
            offer = StoredOffer("", seller, "INACTIVE", False, blank_offer("", iso(now)))
            self._apply_body(offer, body, now)
            if status != "ACTIVE":
                self._storage.count_draft(seller)
            offer.id = offer.doc["id"] = self._storage.next_id()
            operation = self._lifecycle.activate(offer, now) if status == "ACTIVE" else None
            self._lifecycle.revalidate(offer, now)
            self._images.keep(fields.image_urls(offer.doc))
            self._storage.save(offer, now, insert=True)
            return public(offer.doc), operation

    def patch(self, seller: str, offer_id: str, body: Any) -> tuple[Doc, str | None]:
        """`PATCH /sale/product-offers/{id}`: sync edits; publication changes are operations."""
        with self._store.session() as now:
            body = checks.json_object(body, "")
            fields.reject_read_only(body)
            offer = self._storage.owned(seller, offer_id)
            if self._lifecycle.running_operation(offer.id, now):
                raise ApiError(409, "CONFLICT",
                               "The previous edition of the offer is still being processed.")
            requested = fields.requested_status(body, ("INACTIVE", "ACTIVE", "ENDED"))
            self._apply_body(offer, body, now)
            operation = self._lifecycle.change_publication(offer, requested, now)
            stock = (offer.doc.get("stock") or {}).get("available")
            if operation is None and "stock" in body and stock == 0 and offer.status in LIVE:
                self._lifecycle.end(offer, now, "EMPTY_STOCK")  # [S SaleProductOffersRequestStock]
            if offer.status in LIVE and offer.target != "ENDED":
                problems = self._lifecycle.activation_problems(offer.doc)
                if problems:  # a published offer must stay publishable
                    raise ApiError.of(422, problems)
            self._lifecycle.revalidate(offer, now)
            self._images.keep(fields.image_urls(offer.doc))
            self._storage.save(offer, now)
            return public(offer.doc), operation

    def operation(self, seller: str, offer_id: str, operation_id: str) -> Doc | None:
        """`GET .../operations/{id}`: the 202 body while it runs; None once done (the 303)."""
        return self._lifecycle.operation(seller, offer_id, operation_id)

    def delete(self, seller: str, offer_id: str) -> None:
        """`DELETE /sale/offers/{id}`: only drafts that were never activated."""
        with self._store.session():
            offer = self._storage.owned(seller, offer_id)
            if offer.status != "INACTIVE" or offer.ever_activated:
                raise ApiError(400, "CannotDeleteOfferException",
                               "You can only remove the draft offer.")
            self._store.db.execute("DELETE FROM offers WHERE id = ?", (offer.id,))
            self._storage.forget_drafts(seller)

    def hide(self, offer_id: str, hidden: bool = True) -> None:
        """R22: the seller hid the offer on the website; it leaves `GET /sale/offers`."""
        with self._store.session():
            if not self._storage.hide(offer_id, hidden):
                raise LookupError(f"no offer {offer_id}")

    # ----------------------------------------------------------------- rules

    def _apply_body(self, offer: StoredOffer, body: Doc, now: datetime) -> None:
        """Validate the request's fields and write them into the offer document."""
        doc = offer.doc
        product = (self._catalogue.product_set(doc, body["productSet"]) if "productSet" in body
                   else self._catalogue.product_of(doc))
        if "category" in body or "productSet" in body:
            self._catalogue.set_category(doc, body, product)
        if "name" in body:
            doc["name"] = fields.name(body["name"])
        if "parameters" in body:
            doc["parameters"] = self._catalogue.parameters(doc, body["parameters"])
        if "images" in body:
            doc["images"] = fields.images(body["images"])
        if "description" in body:
            doc["description"] = fields.description(body["description"])
        fields.check_description_images(doc)
        if "sellingMode" in body:
            doc["sellingMode"] = fields.selling_mode(
                checks.merged(doc["sellingMode"], body["sellingMode"]))
        if "stock" in body:
            doc["stock"] = fields.stock(checks.merged(doc["stock"], body["stock"]))
        if "delivery" in body:
            doc["delivery"] = self._delivery(offer.seller, doc["delivery"], body["delivery"])
        if "location" in body:  # R17
            kept = fields.keeps_location(body)
            doc["location"] = fields.location(body["location"]) if kept else None
        if "payments" in body:
            doc["payments"] = fields.payments(checks.merged(doc["payments"], body["payments"]))
        if "external" in body:
            doc["external"] = fields.external(body["external"])
        if "afterSalesServices" in body:
            chosen = self._accounts.after_sales_services(offer.seller, body["afterSalesServices"])
            doc["afterSalesServices"] = checks.merged(doc["afterSalesServices"], chosen)
        if "language" in body:  # `"language": null` is rejected (API_NOTES §11)
            doc["language"] = checks.text(body["language"], "language")
        if "publication" in body:
            fields.publication_fields(doc, body["publication"])
        if "images" in body or "description" in body:
            self._images.check(fields.image_urls(doc), now)
        doc["updatedAt"] = iso(now)

    def _delivery(self, seller: str, current: Doc, given: Any) -> Doc:
        if given is None:
            return dict(blank_offer("", "")["delivery"])
        delivery = checks.merged(current, checks.json_object(given, "delivery"))
        if delivery.get("handlingTime") is not None:
            checks.text(delivery["handlingTime"], "delivery.handlingTime",
                        allowed=fields.HANDLING_TIMES)
        additional = delivery.get("additionalInfo")
        if additional is not None and (not isinstance(additional, str) or len(additional) > 650):
            raise invalid("delivery.additionalInfo", "additionalInfo may have 650 characters.")
        if isinstance(given, dict) and given.get("shippingRates") is not None:
            delivery["shippingRates"] = self._shipping.offer_reference(seller,
                                                                       given["shippingRates"])
        return dict(delivery)
