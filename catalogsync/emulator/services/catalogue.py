"""Products and categories (`/sale/products`, `/sale/categories/{id}/parameters`) and what an
offer takes from them: its product set, its category and its parameters (R23)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogsync.catalog.limits import parameter_problem
from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid, not_found
from catalogsync.emulator.core.reference import Reference


def _product_matches(product: Doc, wanted: Any) -> bool:
    """Whether a catalogue product has every parameter value the request names (R23)."""
    if not isinstance(wanted, list):
        return False
    params = product["parameters"]
    for want in wanted:
        if not isinstance(want, dict):
            return False
        have = next(
            (p for p in params if p["id"] == want.get("id") or p["name"] == want.get("name")), None
        )
        if have is None:
            return False
        if want.get("valuesIds") and set(have.get("valuesIds") or []) != set(want["valuesIds"]):
            return False
        if want.get("values") and list(have.get("values") or []) != list(want["values"]):
            return False
    return True


def _offer_product(product: Doc, item: Doc) -> Doc:
    """A `productSet` entry of an offer response for a catalogue product."""
    entry: Doc = {
        "product": {
            "id": product["id"],
            "publication": {"status": product["publication"]["status"]},
            # The real server sends these nulls although the spec forbids them (§11).
            "parameters": [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "values": p["values"],
                    "valuesIds": p.get("valuesIds"),
                    "rangeValue": None,
                }
                for p in product["parameters"]
            ],
        },
        "quantity": item.get("quantity") or {"value": 1},
    }
    if "deposits" in item:  # GPSR fields: see offers/gpsr.py
        entry["deposits"] = item["deposits"]
    return entry


def _parameter_value(definition: Doc, item: Doc, path: str) -> Doc:
    """An offer parameter resolved against its category definition, with labels filled in."""
    if definition["type"] == "dictionary":
        ids = _dictionary_ids(definition, item, path)
        labels = {d["id"]: d["value"] for d in definition["dictionary"]}
        values = [labels[value_id] for value_id in ids]
    elif (definition.get("restrictions") or {}).get("range"):
        return _range_value(definition, item, path)
    else:
        given, ids = item.get("values"), []
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise invalid(f"{path}.values",
                          f"Parameter {definition['name']} takes values given as strings.")
        problem = parameter_problem(definition["type"], definition.get("restrictions") or {},
                                    False, given)
        if problem:
            raise invalid(f"{path}.values", f"Parameter {definition['name']} {problem}.")
        values = list(given)
    return {"id": definition["id"], "name": definition["name"], "values": values,
            "valuesIds": ids}


def _range_value(definition: Doc, item: Doc, path: str) -> Doc:
    """A range parameter: `rangeValue: {from, to}`, both numbers within the limits."""
    given = item.get("rangeValue")
    raw = [given.get(k) for k in ("from", "to")] if isinstance(given, dict) else []
    ends: list[str] = [end for end in raw if isinstance(end, str)]
    if len(ends) != 2:
        raise invalid(f"{path}.rangeValue",
                      f"Parameter {definition['name']} takes a range: rangeValue from and to.")
    restrictions = definition.get("restrictions") or {}
    for end in ends:
        problem = parameter_problem(definition["type"], restrictions, False, [end])
        if problem:
            raise invalid(f"{path}.rangeValue", f"Parameter {definition['name']} {problem}.")
    if Decimal(ends[0]) > Decimal(ends[1]):
        raise invalid(f"{path}.rangeValue",
                      f"The range of parameter {definition['name']} must not end before it starts.")
    return {"id": definition["id"], "name": definition["name"], "values": [], "valuesIds": [],
            "rangeValue": {"from": ends[0], "to": ends[1]}}


def _dictionary_ids(definition: Doc, item: Doc, path: str) -> list[str]:
    """Dictionary value ids from `valuesIds`, or from the labels in `values`."""
    pid, name = definition["id"], definition["name"]
    ids = {d["value"]: d["id"] for d in definition["dictionary"]}
    if item.get("valuesIds"):
        for value_id in item["valuesIds"]:
            if value_id not in ids.values():
                raise ApiError(
                    422, "InvalidDictionaryParameter",
                    f"Invalid value {value_id} of parameter {name}.", f"{path}.valuesIds",
                    metadata={"dictionaryValue": str(value_id), "parameterId": pid,
                              "parameterName": name},
                )
        chosen = [str(value_id) for value_id in item["valuesIds"]]
    elif item.get("values"):
        for label in item["values"]:
            if label not in ids:
                raise ApiError(
                    422, "DictionaryParameterValueNotFound",
                    f"Value '{label}' not found for parameter {name}.", f"{path}.values",
                    metadata={"parameterName": name, "requestedDictionaryValue": str(label)},
                )
        chosen = [ids[label] for label in item["values"]]
    else:
        raise invalid(path, f"Parameter {name} needs valuesIds or values.")
    problem = parameter_problem(definition["type"], definition.get("restrictions") or {}, True,
                                chosen)
    if problem:
        raise invalid(path, f"Parameter {name} {problem}.")
    return chosen


class Catalogue:
    """The read-only product catalogue and category tree, and the offer rules they make."""

    def __init__(self, reference: Reference) -> None:
        self._reference = reference

    def category(self, category_id: str) -> Doc | None:
        return self._reference.categories.get(category_id)

    def categories(self) -> dict[str, Doc]:
        """The leaf categories offers can be listed in, by id."""
        return self._reference.categories

    def search_products(self, phrase: str | None, mode: str | None,
                        category_id: str | None = None) -> Doc:
        if not phrase:
            raise invalid(None, "At least ean or phrase parameter is required", status=400)
        if mode not in (None, "GTIN", "MPN"):
            raise invalid("mode", "mode must be GTIN or MPN.")
        if mode == "GTIN":
            found = self._reference.by_ean.get(phrase.strip(), [])
        elif mode == "MPN":
            found = []  # the demo catalogue has no MPNs
        else:
            needle = phrase.strip().lower()
            found = [p for p in self._reference.products.values()
                     if needle == p["ean"] or needle in p["name"].lower()]
        if category_id:
            found = [p for p in found if p["category"]["id"] == category_id]
        return {"products": [self._product_dto(p) for p in found]}

    def get_product(self, product_id: str) -> Doc:
        product = self._reference.products.get(product_id)
        if product is None:
            raise not_found(f"Product {product_id} not found.")
        return self._product_dto(product)

    @staticmethod
    def _product_dto(product: Doc) -> Doc:
        return {k: v for k, v in product.items() if k != "ean"}

    def category_parameters(self, category_id: str) -> Doc:
        category = self._reference.categories.get(category_id)
        if category is None:
            raise not_found(f"Category {category_id} not found.")
        return {"parameters": category["parameters"]}

    # ----------------------------------------------------------------- what offers take

    def product_set(self, doc: Doc, items: Any) -> Doc:
        if not isinstance(items, list) or not items:
            raise invalid("productSet", "productSet must contain at least one product.")
        products = []
        for i, item in enumerate(items):
            item = checks.json_object(item, f"productSet[{i}]")
            products.append(self._find_product(item.get("product"), f"productSet[{i}].product"))
        doc["productSet"] = [_offer_product(p, item)
                             for p, item in zip(products, items, strict=True)]
        return products[0]

    def _find_product(self, ref: Any, path: str) -> Doc:
        """A product by UUID, or by GTIN narrowed by the given parameters (R23)."""
        if not isinstance(ref, dict) or not ref.get("id"):
            raise invalid(path, "Give the product id or GTIN; product proposals are not "
                                "supported by the emulator.")
        key, id_type = str(ref["id"]), ref.get("idType")
        if id_type is None:
            found = [self._reference.products[key]] if key in self._reference.products else []
        elif id_type in ("GTIN", "MPN"):
            found = list(self._reference.by_ean.get(key, [])) if id_type == "GTIN" else []
        else:
            raise invalid(f"{path}.idType", "idType must be GTIN or MPN.")
        if not found:
            raise ApiError(422, "ProductNotFoundException", f"Product {key} not found.", path,
                           metadata={"productId": key})
        if len(found) > 1 and ref.get("parameters"):
            found = [p for p in found if _product_matches(p, ref["parameters"])] or found
        if len(found) > 1:  # R23
            ids = ",".join(p["id"] for p in found)
            raise ApiError(
                422, "MultipleProductsFoundException",
                f"Found {len(found)} products for {id_type} {key}: {ids}.", path,
                user_message="More than one product matches; choose it by its id.",
                metadata={"foundProductsIds": ids},
            )
        return found[0]

    def product_of(self, doc: Doc) -> Doc | None:
        products = doc.get("productSet") or []
        if not products:
            return None
        return self._reference.products.get(products[0]["product"]["id"])

    def set_category(self, doc: Doc, body: Doc, product: Doc | None) -> None:
        if "category" in body:
            category_id = checks.text(str((body["category"] or {}).get("id") or ""), "category.id")
            category = self._reference.categories.get(category_id)
            if category is None:
                raise ApiError(422, "CATEGORY_NOT_EXISTS", f"Category {category_id} does not "
                               "exist.", "category.id", metadata={"categoryId": category_id})
            if product is not None and product["category"]["id"] != category_id:
                existing = self._reference.categories[product["category"]["id"]]
                raise ApiError(
                    422, "CATEGORY_MISMATCH", "The offer category differs from the product's.",
                    "category.id", metadata={
                        "requestedCategoryName": category["name"],
                        "requestedCategoryId": category_id,
                        "existingCategoryName": existing["name"],
                        "existingCategoryId": existing["id"],
                        "existingProductId": product["id"],
                    },
                )
        elif product is not None:
            category_id = product["category"]["id"]
        else:
            return
        doc["category"] = {"id": category_id}

    def parameters(self, doc: Doc, given: Any) -> list[Doc]:
        if not isinstance(given, list):
            raise invalid("parameters", "parameters must be a list.")
        category_id = (doc.get("category") or {}).get("id")
        if category_id is None:
            raise invalid("category.id", "Parameters need the offer's category.")
        definitions = self._reference.categories[category_id]["parameters"]
        out: list[Doc] = []
        for i, item in enumerate(given):
            path = f"parameters[{i}]"
            item = checks.json_object(item, path)
            definition = self._definition(definitions, category_id, item, path)
            if any(p["id"] == definition["id"] for p in out):
                raise invalid(path, f"Parameter {definition['name']} is given more than once.")
            out.append(_parameter_value(definition, item, path))
        return out

    @staticmethod
    def _definition(definitions: list[Doc], category_id: str, item: Doc, path: str) -> Doc:
        if item.get("id") is not None:
            found = next((d for d in definitions if d["id"] == str(item["id"])), None)
            if found is None:
                raise ApiError(
                    422, "ParameterIdNotFoundException",
                    f"Parameter {item['id']} does not exist in category {category_id}.",
                    f"{path}.id",
                    metadata={"categoryId": category_id, "parameterId": str(item["id"])},
                )
            return found
        if item.get("name") is not None:
            found = next((d for d in definitions if d["name"] == item["name"]), None)
            if found is None:
                raise ApiError(
                    422, "ParameterNameNotFoundException",
                    f"Parameter '{item['name']}' does not exist in category {category_id}.",
                    f"{path}.name",
                    metadata={"categoryId": category_id, "parameterName": str(item["name"])},
                )
            return found
        raise invalid(path, "A parameter needs its id or name.")

    def missing_required(self, doc: Doc) -> list[str]:
        category_id = (doc.get("category") or {}).get("id")
        if category_id is None:
            return []
        given = {p["id"] for p in doc.get("parameters") or []}
        for entry in doc.get("productSet") or []:
            given |= {p["id"] for p in entry["product"].get("parameters") or []}
        return [d["name"] for d in self._reference.categories[category_id]["parameters"]
                if d["required"] and d["id"] not in given]
