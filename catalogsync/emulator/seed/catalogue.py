"""The demo catalogue: delivery methods, categories with their parameters, products."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.seed.ids import (
    DPD,
    DPD_CZ,
    DPD_HU,
    DPD_SK,
    INPOST,
    LAPTOP_256,
    LAPTOP_512,
    MUG_BLACK,
    MUG_WHITE,
    ONE_BOX,
    PICKUP,
    TSHIRT_L,
    TSHIRT_M,
    TSHIRT_S,
)

Doc = dict[str, Any]


def _delivery_method(
    method_id: str,
    name: str,
    max_quantity: int,
    max_rate: str,
    weight: tuple[str, str] | None,
    endorsed: bool = True,
    abroad: tuple[str, str] | None = None,
) -> Doc:
    """A delivery method as `GET /sale/delivery-methods` lists it (API_NOTES §7)."""
    rate = {"min": "0.00", "max": max_rate, "currency": "PLN"}
    shipping_time = {"from": "PT24H", "to": "PT48H"} if endorsed else {"from": "PT0S", "to": "PT0S"}
    return {
        "id": method_id,
        "name": name,
        "marketplaces": ["allegro-pl", abroad[0]] if abroad else ["allegro-pl"],
        "paymentPolicy": "IN_ADVANCE",
        "allegroEndorsed": endorsed,
        "dispatchCountry": "PL",
        "destinationCountry": abroad[1] if abroad else "PL",
        "shippingRatesConstraints": {
            "allowed": True,
            "maxQuantityPerPackage": {"max": max_quantity},
            "maxPackageWeight": {
                "supported": weight is not None,
                "min": weight[0] if weight else None,
                "max": weight[1] if weight else None,
                "unit": "KILOGRAM" if weight else None,
            },
            "firstItemRate": dict(rate),
            "nextItemRate": dict(rate),
            "shippingTime": {
                "default": shipping_time,
                "customizable": False,
            },
        },
    }


DELIVERY_METHODS: list[Doc] = [
    _delivery_method(INPOST, "Allegro Paczkomaty InPost", 10, "100.00", ("0.100", "25.000")),
    _delivery_method(DPD, "Allegro Kurier DPD", 20, "500.00", ("0.100", "31.500")),
    _delivery_method(ONE_BOX, "Allegro One Box, One Kurier", 10, "100.00", None),
    _delivery_method(PICKUP, "Odbiór osobisty po przedpłacie", 100, "0.00", None, endorsed=False),
    # From Poland to the additional marketplaces' buyers: an offer is offered on allegro.cz,
    # .sk or .hu only if its shipping rates deliver there ([I#13275]).
    _delivery_method(DPD_CZ, "Allegro Kurier DPD Czechy", 20, "500.00", ("0.100", "31.500"),
                     abroad=("allegro-cz", "CZ")),
    _delivery_method(DPD_SK, "Allegro Kurier DPD Słowacja", 20, "500.00", ("0.100", "31.500"),
                     abroad=("allegro-sk", "SK")),
    _delivery_method(DPD_HU, "Allegro Kurier DPD Węgry", 20, "500.00", ("0.100", "31.500"),
                     abroad=("allegro-hu", "HU")),
]


def _options(describes_product: bool) -> Doc:
    return {
        "variantsAllowed": describes_product,
        "variantsEqual": False,
        "ambiguousValueId": None,
        "dependsOnParameterId": None,
        "describesProduct": describes_product,
        "customValuesEnabled": False,
    }


def _dictionary(
    param_id: str, name: str, values: list[str], *, required: bool = False, describes: bool = True,
    several: bool = False,
) -> Doc:
    """A dictionary parameter; value ids are `<param id>_<1-based index>`."""
    return {
        "id": param_id,
        "name": name,
        "type": "dictionary",
        "required": required,
        "requiredForProduct": False,
        "requiredIf": None,
        "displayedIf": None,
        "unit": None,
        "options": _options(describes),
        "dictionary": [
            {"id": f"{param_id}_{i}", "value": value, "dependsOnValueIds": []}
            for i, value in enumerate(values, start=1)
        ],
        "restrictions": {"multipleChoices": several},
    }


CONDITION = _dictionary("11323", "Stan", ["Nowy", "Używany"], required=True, describes=False)
COLOUR = _dictionary("248811", "Kolor", ["biały", "czarny", "niebieski"])
CAPACITY: Doc = {
    "id": "17448",
    "name": "Pojemność",
    "type": "integer",
    "required": False,
    "requiredForProduct": False,
    "requiredIf": None,
    "displayedIf": None,
    "unit": "ml",
    "options": _options(True),
    "restrictions": {"min": 0, "max": 100000, "range": False},
}
#: several values at once, and a range: what sellers' real offers carry beyond one label
FEATURES = _dictionary(
    "4720", "Cechy", ["do zmywarki", "do mikrofalówki", "z uchem"], describes=False, several=True
)
TEMPERATURE: Doc = {
    **CAPACITY,
    "id": "219201",
    "name": "Temperatura napoju",
    "type": "float",
    "unit": "°C",
    "options": _options(False),
    "restrictions": {"min": -30, "max": 120, "range": True, "precision": 1},
}
DISK = _dictionary("202865", "Pojemność dysku", ["256 GB", "512 GB"])
SIZE = _dictionary("3306", "Rozmiar", ["S", "M", "L"])

#: The main categories above the leaves (`GET /sale/categories`); offers go in leaves only.
CATEGORY_BRANCHES: list[Doc] = [
    {"id": "5", "name": "Dom i Ogród", "parent": None},
    {"id": "2", "name": "Elektronika", "parent": None},
    {"id": "1454", "name": "Moda", "parent": None},
]

#: GPSR in a category (the emulator's guess; Allegro publishes no list, [I#11422]): the data is
#: required unless the product was marketed before 13 Dec 2024, which only a used product can
#: declare; clothing may go without safety information (NO_SAFETY_INFORMATION).
GPSR = {"required": True, "noSafetyInformation": False, "marketedBeforeConditions": ["Używany"]}

#: Leaf category id -> {"id", "name", "parent", "parameters", "variants",
#: "productizationRequired", "gpsr"} (parameters as `GET .../parameters` lists them;
#: "variants": whether Allegro manages multi-variant offers there automatically or sellers do it
#: by hand, which decides if ended offers show in a variant set: R25; "gpsr": see GPSR)
CATEGORIES: list[Doc] = [
    {"id": "67476", "name": "Kubki", "parent": "5",
     "parameters": [CONDITION, COLOUR, CAPACITY, FEATURES, TEMPERATURE],
     "variants": "MANUAL", "productizationRequired": False, "gpsr": GPSR},
    {"id": "491", "name": "Laptopy", "parent": "2", "parameters": [CONDITION, DISK, COLOUR],
     "variants": "MANUAL", "productizationRequired": True, "gpsr": GPSR},
    {"id": "16248", "name": "Koszulki", "parent": "1454", "parameters": [CONDITION, SIZE, COLOUR],
     "variants": "AUTOMATIC", "productizationRequired": False,
     "gpsr": {**GPSR, "noSafetyInformation": True}},
]


def _dict_value(param: Doc, label: str) -> Doc:
    value_id = next(v["id"] for v in param["dictionary"] if v["value"] == label)
    return {
        "id": param["id"],
        "name": param["name"],
        "values": [label],
        "valuesIds": [value_id],
        "valuesLabels": [label],
        "options": {"identifiesProduct": True, "isGTIN": False},
    }


def _capacity(ml: int) -> Doc:
    return {
        "id": CAPACITY["id"],
        "name": CAPACITY["name"],
        "values": [str(ml)],
        "valuesLabels": [f"{ml} ml"],
        "unit": "ml",
        "options": {"identifiesProduct": True, "isGTIN": False},
    }


def _gtin(ean: str) -> Doc:
    """The product's EAN as Allegro shows it: a parameter marked `isGTIN`."""
    return {
        "id": "225693",
        "name": "EAN (GTIN)",
        "values": [ean],
        "valuesLabels": [ean],
        "options": {"identifiesProduct": True, "isGTIN": True},
    }


def _product(
    product_id: str, ean: str, name: str, category: Doc, parameters: list[Doc], image: str
) -> Doc:
    """A catalogue product as `GET /sale/products` lists it, plus its EAN under `ean`."""
    return {
        "ean": ean,
        "id": product_id,
        "name": name,
        "category": {
            "id": category["id"],
            "path": [{"id": category["id"], "name": category["name"]}],
        },
        "images": [{"url": f"https://a.allegroimg.com/original/{image}"}],
        "parameters": [*parameters, _gtin(ean)],
        "publication": {"status": "LISTED"},
    }


KUBKI, LAPTOPY, KOSZULKI = CATEGORIES
PRODUCTS: list[Doc] = [
    _product(
        MUG_WHITE, "5901234123457", "Kubek ceramiczny biały 330 ml", KUBKI,
        [_dict_value(COLOUR, "biały"), _capacity(330)], "11a1b2/kubek-bialy-330",
    ),
    _product(
        MUG_BLACK, "5901234123464", "Kubek ceramiczny czarny 330 ml", KUBKI,
        [_dict_value(COLOUR, "czarny"), _capacity(330)], "11a1b3/kubek-czarny-330",
    ),
    _product(
        LAPTOP_256, "5909990000012", "Laptop Demo 14 256 GB czarny", LAPTOPY,
        [_dict_value(DISK, "256 GB"), _dict_value(COLOUR, "czarny")], "22b1c1/laptop-256",
    ),
    _product(
        LAPTOP_512, "5909990000012", "Laptop Demo 14 512 GB czarny", LAPTOPY,
        [_dict_value(DISK, "512 GB"), _dict_value(COLOUR, "czarny")], "22b1c2/laptop-512",
    ),
    _product(
        TSHIRT_S, "5907000000014", "Koszulka bawełniana biała S", KOSZULKI,
        [_dict_value(SIZE, "S"), _dict_value(COLOUR, "biały")], "33c1d1/koszulka-s",
    ),
    _product(
        TSHIRT_M, "5907000000021", "Koszulka bawełniana biała M", KOSZULKI,
        [_dict_value(SIZE, "M"), _dict_value(COLOUR, "biały")], "33c1d2/koszulka-m",
    ),
    _product(
        TSHIRT_L, "5907000000038", "Koszulka bawełniana biała L", KOSZULKI,
        [_dict_value(SIZE, "L"), _dict_value(COLOUR, "biały")], "33c1d3/koszulka-l",
    ),
]
