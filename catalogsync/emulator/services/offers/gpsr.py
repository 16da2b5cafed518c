"""GPSR on offers: each product of `productSet` names its responsible producer, its safety
information and, where needed, its responsible person; or declares it was marketed in the EU
before the obligation (13 December 2024) ([SL] ProductSetElement*, MarketedBeforeGPSRObligation).

What is checked, and with which of Allegro's codes:

* when an offer is written (POST, PATCH, modification command), the references: a producer by
  `{"type": "ID", "id"}` or `{"type": "NAME", "name"}`, a person by `{"id"}` or `{"name"}`
  (id wins), both kept as `{"id"}`; safety information as TEXT (at most 5000 characters),
  ATTACHMENTS (uploaded SAFETY_INFORMATION_MANUAL attachments) or NO_SAFETY_INFORMATION;
  `NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED` where the category does not allow going without,
  `PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION_OPTION_NOT_ALLOWED` where the flag is set with a
  Condition value that does not allow it ([SL] 422 tables of POST and PATCH product-offers);
* when it is published or edited while published (and as a draft's `validation.errors`): in a
  category under GPSR, unless the flag is true ([I#10645]), `RESPONSIBLE_PRODUCER_NOT_SPECIFIED`
  ([I#11556]) and `SAFETY_INFO_NOT_DEFINED` ([I#10772], with its Polish userMessage).

Guesses, since Allegro publishes no per-category list ([I#11422]): the demo categories carry
their own rule (`gpsr` in the seed): whether GPSR applies, whether NO_SAFETY_INFORMATION is
allowed, and which Condition (`Stan`) values allow the flag (Używany: a used product was on the
market before). Error paths are `productSet[i].<field>`. A PATCH whose productSet entry sells the
same product and leaves a GPSR field out keeps that field. A responsible person is never
required (the emulator has no categories that need one).
"""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, error_entry, invalid
from catalogsync.emulator.services.attachments import Attachments
from catalogsync.emulator.services.catalogue import Catalogue
from catalogsync.emulator.services.responsible import Responsible

FIELDS = ("responsibleProducer", "responsiblePerson", "safetyInformation",
          "marketedBeforeGPSRObligation")
MAX_TEXT = 5000
CONDITION = "11323"  # the `Stan` parameter
SAFETY_TYPES = ("TEXT", "ATTACHMENTS", "NO_SAFETY_INFORMATION")


def _rule(catalogue: Catalogue, doc: Doc) -> Doc:
    category = catalogue.category(str((doc.get("category") or {}).get("id")))
    return (category or {}).get("gpsr") or {}


def _condition(doc: Doc) -> list[str]:
    found = next((p for p in doc.get("parameters") or [] if p["id"] == CONDITION), None)
    return list((found or {}).get("values") or [])


class Gpsr:
    """The GPSR fields of offers, against the seller's dictionaries and attachments."""

    def __init__(self, catalogue: Catalogue, producers: Responsible, persons: Responsible,
                 attachments: Attachments) -> None:
        self._catalogue = catalogue
        self._producers = producers
        self._persons = persons
        self._attachments = attachments

    def write(self, seller: str, doc: Doc, items: list[Any], previous: list[Doc]) -> None:
        """Normalise the GPSR fields of `doc["productSet"]` as sent in `items` (inside a
        session); what an item leaves out is kept from the same product before."""
        for i, (entry, item) in enumerate(zip(doc["productSet"], items, strict=True)):
            before = previous[i] if i < len(previous) else {}
            same = (before.get("product") or {}).get("id") == entry["product"]["id"]
            for key in FIELDS:
                if key in item:
                    entry[key] = self.value(seller, key, item[key], f"productSet[{i}].{key}")
                elif same and key in before:
                    entry[key] = before[key]

    def value(self, seller: str, key: str, given: Any, path: str) -> Any:
        """One GPSR field as the offer keeps it (None: unset)."""
        if given is None:
            return None
        if key == "marketedBeforeGPSRObligation":
            if not isinstance(given, bool):
                raise invalid(path, f"{path} must be true, false or null.")
            return given
        reference = checks.json_object(given, path)
        if key == "responsibleProducer":
            return {"id": self._producers.resolve(seller, reference, path)}
        if key == "responsiblePerson":
            return {"id": self._persons.resolve(seller, reference, path)}
        kind = checks.text(reference.get("type"), f"{path}.type", allowed=SAFETY_TYPES)
        if kind == "TEXT":
            text = checks.text(reference.get("description"), f"{path}.description")
            if len(text) > MAX_TEXT:
                raise invalid(f"{path}.description",
                              f"Safety information text can't be longer than {MAX_TEXT}.")
            return {"type": kind, "description": text}
        if kind == "ATTACHMENTS":
            attachments = reference.get("attachments")
            if not isinstance(attachments, list):
                raise invalid(f"{path}.attachments", "attachments must be a list.")
            ids = [str(checks.json_object(a, f"{path}.attachments").get("id")) for a in
                   attachments]
            self._attachments.check_safety_manuals(seller, ids, f"{path}.attachments")
            return {"type": kind, "attachments": [{"id": a} for a in ids]}
        return {"type": kind}

    def modify(self, seller: str, doc: Doc, changes: Doc) -> None:
        """A modification command's GPSR fields, on the offer's first product (inside a
        session); a null id unassigns."""
        products = doc.get("productSet") or []
        if not products:
            raise invalid("productSet", "The offer has no product to set GPSR data on.")
        for key, given in changes.items():
            path = f"modification.{key}"
            unassign = key != "safetyInformation" and given.get("id") is None
            products[0][key] = None if unassign else self.value(seller, key, given, path)

    def check_options(self, doc: Doc) -> None:
        """422 for an option the offer's category or condition does not allow."""
        rule = _rule(self._catalogue, doc)
        for i, entry in enumerate(doc.get("productSet") or []):
            safety = entry.get("safetyInformation") or {}
            if safety.get("type") == "NO_SAFETY_INFORMATION" and not rule.get(
                    "noSafetyInformation"):
                raise ApiError(422, "NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED",
                               "Usage of NO_SAFETY_INFORMATION option is not allowed",
                               f"productSet[{i}].safetyInformation")
            allowed = rule.get("marketedBeforeConditions") or []
            if entry.get("marketedBeforeGPSRObligation") is True and not (
                    set(_condition(doc)) & set(allowed)):
                raise ApiError(
                    422, "PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION_OPTION_NOT_ALLOWED",
                    "Usage of PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION option is not allowed",
                    f"productSet[{i}].marketedBeforeGPSRObligation")

    def publication_problems(self, doc: Doc) -> list[Doc]:
        """What GPSR data a published offer lacks."""
        if not _rule(self._catalogue, doc).get("required"):
            return []
        problems = []
        for i, entry in enumerate(doc.get("productSet") or []):
            if entry.get("marketedBeforeGPSRObligation") is True:
                continue
            if not entry.get("responsibleProducer"):
                problems.append(error_entry(
                    "RESPONSIBLE_PRODUCER_NOT_SPECIFIED",
                    "Responsible producer is required for every product in the offer",
                    f"productSet[{i}].responsibleProducer"))
            if not entry.get("safetyInformation"):
                problems.append(error_entry(
                    "SAFETY_INFO_NOT_DEFINED", "Safety information was not defined for product",
                    f"productSet[{i}].safetyInformation",
                    user_message="Informacja o bezpieczeństwie nie została zdefiniowana dla "
                                 "produktu"))
        return problems
