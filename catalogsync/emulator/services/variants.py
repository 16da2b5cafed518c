"""Multi-variant offers, `/sale/offer-variants*`, as they worked before 2026-04-14 (R24, R25).

Production switched the resource off on 2026-04-14 (API_NOTES §0, §6); the emulator answers
AccessDenied unless the `legacy_variants` setting is on. Then:

- a set has a name (1-75 characters), one or two grouping parameters (offer parameter ids or
  `color/pattern`, which needs a `colorPattern` label on every offer) and 2-500 offers;
- every offer must be the seller's and ACTIVE, else "Offers: … are not found." (R24);
- offers activated less than `variants_processing_seconds` ago are "not processed yet" (R24);
- an offer in another user-made set is refused; an offer of a set Allegro made automatically
  (steering: `POST /_emulator/variant-sets`) may be taken, and leaves that set (R24). Moving an
  offer between user sets is DELETE of the old set, then PUT of the new one;
- offers with the same values of the grouping parameters are duplicates ([I#4520]); offers with
  the same main image need the same `colorPattern` ([I#12211]);
- membership outlives an offer's end: an ENDED offer drops out and rejoins when re-activated
  (R25). `GET /sale/offer-variants/{id}` leaves ended offers out in categories where Allegro
  manages variants automatically and lists them in manually managed ones. A PUT keeps the ended
  members it does not mention, so they still rejoin;
- `GET /sale/offer-variants?query=` finds a set by (part of) its name or by an offer id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from catalogsync.catalog import limits as L
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, not_found, parse_time
from catalogsync.emulator.core.store import Store
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.offers.documents import StoredOffer
from catalogsync.emulator.services.offers.storage import OfferStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS variant_sets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL,
    name TEXT NOT NULL, automatic INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS variant_sets_by_seller ON variant_sets (seller, automatic, name);
CREATE TABLE IF NOT EXISTS variant_members (
    offer_id TEXT PRIMARY KEY, set_id TEXT NOT NULL);
"""
TABLES = ("variant_sets", "variant_members")
COLOR_PATTERN = "color/pattern"


def _ids(offers: list[str]) -> str:
    return ", ".join(offers)


def _checked(body: Any) -> Doc:
    """The shape rules of a `VariantSet` [S description]."""
    if not isinstance(body, dict):
        raise invalid(None, "The variant set must be a JSON object.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > L.VARIANT_SET_NAME_MAX_CHARS:
        raise invalid("name", "name can't be blank and must not be longer than "
                              f"{L.VARIANT_SET_NAME_MAX_CHARS} characters.")
    parameters = body.get("parameters")
    if (not isinstance(parameters, list) or not 1 <= len(parameters) <= 2
            or not all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in parameters)):
        raise invalid("parameters", "parameters must contain one or two parameter ids.")
    offers = body.get("offers")
    low, high = L.VARIANT_SET_MIN_OFFERS, L.VARIANT_SET_MAX_OFFERS
    if (not isinstance(offers, list) or not low <= len(offers) <= high
            or not all(isinstance(o, dict) and isinstance(o.get("id"), str) for o in offers)):
        raise invalid("offers", f"offers must contain between {low} and {high} offers.")
    if len({o["id"] for o in offers}) != len(offers):
        raise invalid("offers", "Each offer may appear in a variant set only once.")
    by_color = any(p["id"] == COLOR_PATTERN for p in parameters)
    for i, offer in enumerate(offers):
        label = offer.get("colorPattern")
        if by_color and (not isinstance(label, str) or not label.strip() or len(label) > 50):
            raise invalid(f"offers[{i}].colorPattern", "colorPattern can't be blank and must not "
                          "be longer than 50 characters when color/pattern is used.")
    return {
        "name": name,
        "offers": [{"id": o["id"], **({"colorPattern": o["colorPattern"]} if by_color else {})}
                   for o in offers],
        "parameters": [{"id": p["id"]} for p in parameters],
    }


def _values(offer: StoredOffer, parameter_id: str) -> tuple[str, ...] | None:
    """An offer's values of one parameter: its own parameters, then its product's."""
    params = list(offer.doc.get("parameters") or [])
    for entry in offer.doc.get("productSet") or []:
        params += entry["product"].get("parameters") or []
    for param in params:
        if param["id"] == parameter_id:
            return tuple(param.get("valuesIds") or param.get("values") or ())
    return None


class VariantSets:
    """Variant sets, kept in the `variant_sets` and `variant_members` tables; every public
    method is one session."""

    def __init__(self, store: Store, offers: OfferStore, catalogue: Catalogue) -> None:
        self._store = store
        self._offers = offers
        self._catalogue = catalogue
        store.create(SCHEMA, TABLES)

    # ----------------------------------------------------------------- API

    def create(self, seller: str, body: Any) -> Doc:
        """`POST /sale/offer-variants` -> 201."""
        wanted = _checked(body)
        with self._store.session() as now:
            return self._save(seller, str(uuid.uuid4()), wanted, now, existing=None)

    def put(self, seller: str, set_id: str, body: Any) -> Doc:
        """`PUT /sale/offer-variants/{setId}`: replace the set, or make it under that id."""
        wanted = _checked(body)
        with self._store.session() as now:
            existing = self._row(set_id)
            if existing is not None and (existing[0] != seller or existing[1]):
                raise ApiError(403, "AccessDenied", "Access is denied",
                               user_message="Brak dostępu do danego zasobu.")
            return self._save(seller, set_id, wanted, now,
                              existing=json.loads(existing[2]) if existing else None)

    def get(self, seller: str, set_id: str) -> Doc:
        """`GET /sale/offer-variants/{setId}`: ended offers as their category's kind says (R25)."""
        with self._store.session():
            doc = self._owned(seller, set_id)
            doc["offers"] = [o for o in doc["offers"] if self._shown(o["id"])]
            return {"id": set_id, **doc}

    def delete(self, seller: str, set_id: str) -> None:
        """`DELETE /sale/offer-variants/{setId}`; the offers themselves stay as they are."""
        with self._store.session():
            self._owned(seller, set_id)
            self._drop(set_id)

    def search(self, seller: str, query: str | None, offset: int, limit: int) -> Doc:
        """`GET /sale/offer-variants?query=&offset=&limit=`, ordered by name."""
        if query is not None and len(query) > 50:
            raise invalid("query", "query must not be longer than 50 characters.", status=400)
        if not 0 <= offset <= 9950 or not 1 <= limit <= 50:
            raise invalid("limit", "offset must be 0-9950 and limit 1-50.", status=400)
        with self._store.session():
            where, args = "s.seller = ? AND s.automatic = 0", [seller]
            if query:
                where += (" AND (instr(lower(s.name), lower(?)) > 0 OR EXISTS (SELECT 1 FROM"
                          " variant_members m WHERE m.set_id = s.id AND m.offer_id = ?))")
                args += [query, query]
            db = self._store.db
            total = db.execute(f"SELECT COUNT(*) FROM variant_sets s WHERE {where}",
                               args).fetchone()[0]
            rows = db.execute(f"SELECT s.id, s.name FROM variant_sets s WHERE {where}"
                              " ORDER BY s.name, s.seq LIMIT ? OFFSET ?",
                              [*args, limit, offset]).fetchall()
        return {"count": total, "offerVariants": [{"id": i, "name": n} for i, n in rows]}

    # ----------------------------------------------------------------- steering

    def automatic(self, seller: str, body: Mapping[str, Any]) -> Doc:
        """A set Allegro merged by itself: its offers may be taken into a user-made set."""
        wanted = _checked(dict(body))
        with self._store.session():
            taken = [o["id"] for o in wanted["offers"] if self._store.db.execute(
                "SELECT 1 FROM variant_members WHERE offer_id = ?", (o["id"],)).fetchone()]
            if taken:
                raise ValueError(f"offers already in a variant set: {_ids(taken)}")
            set_id = str(uuid.uuid4())
            for offer in wanted["offers"]:
                self._take(offer["id"], set_id)
            self._write(seller, set_id, wanted, automatic=True, insert=True)
            return {"id": set_id, **wanted}

    # ----------------------------------------------------------------- rules

    def _save(self, seller: str, set_id: str, wanted: Doc, now: datetime,
              existing: Doc | None) -> Doc:
        offers = {o["id"]: self._active(seller, o["id"]) for o in wanted["offers"]}
        self._check_offers(offers, now)
        self._check_membership(list(offers), set_id)
        self._check_grouping(wanted, offers)
        kept = [o for o in (existing or {}).get("offers", [])
                if o["id"] not in offers and self._status(o["id"]) == "ENDED"]
        doc = {**wanted, "offers": wanted["offers"] + kept}
        for offer_id in offers:
            self._take(offer_id, set_id)
        self._write(seller, set_id, doc, automatic=False, insert=existing is None)
        return {"id": set_id, **wanted}

    def _active(self, seller: str, offer_id: str) -> StoredOffer | None:
        offer = self._offers.load(offer_id)
        ok = offer is not None and offer.seller == seller and offer.status == "ACTIVE"
        return offer if ok else None

    def _check_offers(self, offers: dict[str, StoredOffer | None], now: datetime) -> None:
        missing = [i for i, offer in offers.items() if offer is None]
        if missing:  # R24: offers must be ACTIVE
            raise invalid(None, f"Offers: {_ids(missing)} are not found.")
        delay = timedelta(seconds=self._store.settings.variants_processing_seconds)
        fresh = [i for i, offer in offers.items() if offer is not None
                 and parse_time(offer.doc["_listing"]["startedAt"], "") + delay > now]
        if fresh:  # R24: Allegro has to process new offers first
            raise invalid(None, f"Offers {_ids(fresh)} have not been processed yet. "
                                "Try again later.")

    def _check_membership(self, offer_ids: list[str], set_id: str) -> None:
        """R24: an offer of another user-made set cannot be added (automatic sets give way)."""
        db = self._store.db
        taken = [offer_id for offer_id in offer_ids if db.execute(
            "SELECT 1 FROM variant_members m JOIN variant_sets s ON s.id = m.set_id"
            " WHERE m.offer_id = ? AND m.set_id != ? AND s.automatic = 0",
            (offer_id, set_id)).fetchone()]
        if taken:
            raise invalid(None, f"Offers: {_ids(taken)} already belong to another variant set. "
                                "Delete that set first.")

    def _check_grouping(self, wanted: Doc, offers: dict[str, StoredOffer | None]) -> None:
        """Every offer has the grouping parameters; no two offers share all their values."""
        keys: dict[tuple[Any, ...], list[str]] = {}
        images: dict[str, set[str]] = {}
        for entry in wanted["offers"]:
            offer = offers[entry["id"]]
            assert offer is not None
            key: list[Any] = []
            for param in wanted["parameters"]:
                if param["id"] == COLOR_PATTERN:
                    key.append(entry["colorPattern"])
                    continue
                value = _values(offer, param["id"])
                if value is None:
                    raise invalid("parameters", f"Parameter {param['id']} cannot be matched to "
                                                f"offer {offer.id}.")
                key.append(value)
            keys.setdefault(tuple(key), []).append(offer.id)
            main = (offer.doc.get("images") or [""])[0]
            images.setdefault(main, set()).add(entry.get("colorPattern", ""))
        duplicates = [ids for ids in keys.values() if len(ids) > 1]
        if duplicates:
            clashing = [i for ids in duplicates for i in ids]
            keep = [ids[0] for ids in keys.values()]
            raise invalid(None, f"Cannot connect offers {_ids(clashing)} because of duplicates. "
                                f"Try again with offers {_ids(keep)}.")
        self._check_color_patterns(wanted, offers, images)

    @staticmethod
    def _check_color_patterns(wanted: Doc, offers: dict[str, StoredOffer | None],
                              images: dict[str, set[str]]) -> None:
        if not any(p["id"] == COLOR_PATTERN for p in wanted["parameters"]):
            return
        for main, labels in images.items():
            if main and len(labels) > 1:
                same = [i for i, o in offers.items() if o and (o.doc.get("images") or [""])[0]
                        == main]
                raise invalid(None, "The color/pattern parameter entered cannot be matched with "
                              f"the offers {_ids(same)}. Use the same color/pattern parameter "
                              f"value in the group of offers ({_ids(same)}).")

    # ----------------------------------------------------------------- storage

    def _row(self, set_id: str) -> tuple[str, int, str] | None:
        row = self._store.db.execute(
            "SELECT seller, automatic, doc FROM variant_sets WHERE id = ?", (set_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def _owned(self, seller: str, set_id: str) -> Doc:
        row = self._row(set_id)
        if row is None or row[0] != seller or row[1]:
            raise not_found("Variant set not found")
        return dict(json.loads(row[2]))

    def _write(self, seller: str, set_id: str, doc: Doc, *, automatic: bool, insert: bool
               ) -> None:
        values = (seller, doc["name"], int(automatic), json.dumps(doc), set_id)
        if insert:
            self._store.db.execute("INSERT INTO variant_sets (seller, name, automatic, doc, id)"
                                   " VALUES (?, ?, ?, ?, ?)", values)
        else:
            self._store.db.execute("UPDATE variant_sets SET seller = ?, name = ?, automatic = ?,"
                                   " doc = ? WHERE id = ?", values)
        current = {o["id"] for o in doc["offers"]}
        for (offer_id,) in self._store.db.execute(
            "SELECT offer_id FROM variant_members WHERE set_id = ?", (set_id,)
        ).fetchall():
            if offer_id not in current:
                self._store.db.execute("DELETE FROM variant_members WHERE offer_id = ?",
                                       (offer_id,))

    def _take(self, offer_id: str, set_id: str) -> None:
        """Make the offer a member of `set_id`, taking it out of an automatic set if need be."""
        db = self._store.db
        row = db.execute("SELECT set_id FROM variant_members WHERE offer_id = ?",
                         (offer_id,)).fetchone()
        if row is not None and row[0] != set_id:
            self._leave_automatic(row[0], offer_id)
        db.execute("INSERT OR REPLACE INTO variant_members (offer_id, set_id) VALUES (?, ?)",
                   (offer_id, set_id))

    def _leave_automatic(self, set_id: str, offer_id: str) -> None:
        row = self._row(set_id)
        if row is None:
            return
        doc = json.loads(row[2])
        doc["offers"] = [o for o in doc["offers"] if o["id"] != offer_id]
        if len(doc["offers"]) < 2:
            self._drop(set_id)
        else:
            self._store.db.execute("UPDATE variant_sets SET doc = ? WHERE id = ?",
                                   (json.dumps(doc), set_id))

    def _drop(self, set_id: str) -> None:
        self._store.db.execute("DELETE FROM variant_members WHERE set_id = ?", (set_id,))
        self._store.db.execute("DELETE FROM variant_sets WHERE id = ?", (set_id,))

    def _status(self, offer_id: str) -> str | None:
        offer = self._offers.load(offer_id)
        return None if offer is None else offer.status

    def _shown(self, offer_id: str) -> bool:
        """R25: live members always; ended ones only in manually managed categories."""
        offer = self._offers.load(offer_id)
        if offer is None or offer.status == "INACTIVE":
            return False
        if offer.status != "ENDED":
            return True
        category = self._catalogue.category((offer.doc.get("category") or {}).get("id") or "")
        return (category or {}).get("variants") != "AUTOMATIC"
