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
from catalogsync.emulator.services import marketplaces, tax
from catalogsync.emulator.services.after_sales import AfterSales
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.images import Images
from catalogsync.emulator.services.offers import fields, search
from catalogsync.emulator.services.offers.documents import (
    LIVE,
    StoredOffer,
    blank_offer,
    listing,
    public,
    without_null_strings,
)
from catalogsync.emulator.services.offers.gpsr import Gpsr
from catalogsync.emulator.services.offers.lifecycle import OfferLifecycle
from catalogsync.emulator.services.offers.references import OfferReferences
from catalogsync.emulator.services.offers.storage import OfferStore
from catalogsync.emulator.services.price_rules import listed_rule
from catalogsync.emulator.services.shipping import ShippingRates


class Offers:
    """The product-offer API; every public method is one session."""

    def __init__(self, store: Store, storage: OfferStore, lifecycle: OfferLifecycle,
                 catalogue: Catalogue, shipping: ShippingRates, after_sales: AfterSales,
                 images: Images, gpsr: Gpsr, references: OfferReferences) -> None:
        self._store = store
        self._gpsr = gpsr
        self._references = references
        self._storage = storage
        self._lifecycle = lifecycle
        self._catalogue = catalogue
        self._shipping = shipping
        self._after_sales = after_sales
        self._images = images

    def find(self, seller: str, query: search.Query | None = None) -> Doc:
        """`GET /sale/offers`: the seller's offers filtered and sorted as the query asks (newest
        first by default); hidden ones are left out (R22)."""
        query = query or {}
        limit, offset = search.paging(query)
        productization = [c for c, doc in self._catalogue.categories().items()
                          if doc.get("productizationRequired")]
        with self._store.session():
            where, args, order = search.filters(query, productization)
            clause = " AND ".join(["seller = ?", "hidden = 0", "archived = 0", *where])
            args = [seller, *args]
            db = self._store.db
            total = db.execute(f"SELECT COUNT(*) FROM offers WHERE {clause}", args).fetchone()
            rows = db.execute(
                f"SELECT doc FROM offers WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
            offers = [self._listed(json.loads(row[0])) for row in rows]
            return {"offers": offers, "count": len(offers), "totalCount": total[0]}

    def _answer(self, offer: StoredOffer) -> Doc:
        """The product-offer answer, with each additional marketplace's state."""
        doc = public(offer.doc)
        doc["additionalMarketplaces"] = marketplaces.states(
            offer.doc, offer.status, self._shipping.delivers_to(_table_id(offer.doc)))
        return doc

    def _listed(self, doc: Doc) -> Doc:
        states = marketplaces.states(doc, doc["publication"]["status"],
                                     self._shipping.delivers_to(_table_id(doc)))
        entry = without_null_strings(listing(doc))
        entry["sellingMode"]["priceAutomation"] = listed_rule(doc, marketplaces.BASE)
        entry["additionalMarketplaces"] = {
            m: {"publication": {"state": s["publication"]["state"]},
                "sellingMode": {"price": s["sellingMode"]["price"],
                                "priceAutomation": listed_rule(doc, m)}
                if s["sellingMode"] else None}
            for m, s in states.items()}
        return entry

    def get(self, seller: str, offer_id: str) -> Doc:
        with self._store.session():
            return self._answer(self._storage.owned(seller, offer_id))

    def stored(self, seller: str, offer_id: str) -> Doc:
        """The seller's offer as the emulator keeps it, private keys included (R20, R21)."""
        with self._store.session():
            return self._storage.owned(seller, offer_id).doc

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
            return self._answer(offer), operation

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
            return self._answer(offer), operation

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
        previous = list(doc.get("productSet") or [])
        product = (self._catalogue.product_set(doc, body["productSet"]) if "productSet" in body
                   else self._catalogue.product_of(doc))
        if "productSet" in body:
            self._gpsr.write(offer.seller, doc, body["productSet"], previous)
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
            chosen = self._after_sales.offer_services(offer.seller, body["afterSalesServices"])
            doc["afterSalesServices"] = checks.merged(doc["afterSalesServices"], chosen)
        self._references.write(offer.seller, doc, body)
        if "taxSettings" in body:
            doc["taxSettings"] = tax.offer_tax(body["taxSettings"])
        if "language" in body:  # `"language": null` is rejected (API_NOTES §11)
            doc["language"] = checks.text(body["language"], "language")
        if "publication" in body:
            fields.publication_fields(doc, body["publication"])
        if "publication" in body or "additionalMarketplaces" in body:
            marketplaces.write(doc, body)
        if "images" in body or "description" in body:
            self._images.check(fields.image_urls(doc), now)
        self._gpsr.check_options(doc)
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


def _table_id(doc: Doc) -> str | None:
    rates = (doc.get("delivery") or {}).get("shippingRates") or {}
    return str(rates["id"]) if rates.get("id") else None
