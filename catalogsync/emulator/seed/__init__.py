"""Demo data the emulator starts with; the example catalog is written against these facts.

Application: client ``catalogsync-local`` / ``local-secret`` (device, authorization-code,
refresh and client-credentials grants; redirect URI ``http://localhost:8765/callback``), and
``catalogsync-web`` / ``web-secret`` registered without the device grant (authorization-code and
refresh only, same redirect URI), for `auth login`'s "Client does not have the device_code grant."

Sellers: ``1000001`` demo-seller (the local CLI acts as it; no tables, no offers at start; one
responsible producer "Producent Demo" for GPSR) and
``1000002`` other-seller (one ACTIVE offer ``20000000001``, external id ``OTHER-1``, and its own
shipping-rate table, for ownership tests: R8, R21); ``1000101``-``1000124`` fleet-seller-01…24,
with nothing at start, for runs of many accounts on one application.

Delivery methods (ids are fixed)::

    ee2a8f53-ece5-4a5e-9146-a94fb0f88ac0  Allegro Paczkomaty InPost       max 10,  0.00-100.00 PLN
    a7de9a80-fc6e-43e6-a1bf-953c9d2cb214  Allegro Kurier DPD              max 20,  0.00-500.00 PLN
    74c0e8cd-adcf-4806-901f-f8dbe7e1fdef  Allegro One Box, One Kurier     max 10,  0.00-100.00 PLN
    b7641d8e-02e7-4ee0-86df-62f342d9737a  Odbiór osobisty po przedpłacie  max 100, 0.00-0.00 PLN
    0c6a3f39-1e1d-4f6b-9a39-5a1d6c2b7e01  Allegro Kurier DPD Czechy       to CZ (allegro-cz)
    0c6a3f39-1e1d-4f6b-9a39-5a1d6c2b7e02  Allegro Kurier DPD Słowacja     to SK (allegro-sk)
    0c6a3f39-1e1d-4f6b-9a39-5a1d6c2b7e03  Allegro Kurier DPD Węgry        to HU (allegro-hu)

Categories: Kubki 67476 (under Dom i Ogród 5) and Laptopy 491 (under Elektronika 2; offers need
a product) with variant sets managed by hand, Koszulki 16248 (under Moda 1454; managed
automatically by Allegro: R25).

Products (ids are fixed)::

    6fa5cff5-8eda-427c-9d89-07d45aa8b16d  mug, white      EAN 5901234123457  Kubki
    d3d28cd1-9b8f-45f9-8439-8b97eee31d9c  mug, black      EAN 5901234123464  Kubki
    c7168735-a30e-45b9-bf0b-07c9f1e32fca  laptop, 256 GB  EAN 5909990000012  Laptopy  (R23:
    27216a4d-06eb-4176-8a73-071bcee799e6  laptop, 512 GB  EAN 5909990000012  Laptopy   one EAN)
    da2866d6-4819-41ca-999e-5f57b289045d  t-shirt S       EAN 5907000000014  Koszulki
    0b797a31-b965-45c9-9010-374ab87ff111  t-shirt M       EAN 5907000000021  Koszulki
    49fc3094-55f4-476f-8f2c-ed30add4b70b  t-shirt L       EAN 5907000000038  Koszulki
"""

from __future__ import annotations

import json
import sqlite3

from catalogsync.emulator.seed.accounts import (
    AFTER_SALES,
    CLIENTS,
    DEMO_PRODUCER,
    FLEET_SELLERS,
    USERS,
)
from catalogsync.emulator.seed.catalogue import (
    CATEGORIES,
    CATEGORY_BRANCHES,
    DELIVERY_METHODS,
    PRODUCTS,
)
from catalogsync.emulator.seed.ids import (
    DEMO_SELLER_ID,
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
    OTHER_OFFER_ID,
    OTHER_SELLER_ID,
    OTHER_TABLE_ID,
    PICKUP,
    TSHIRT_L,
    TSHIRT_M,
    TSHIRT_S,
)
from catalogsync.emulator.seed.other_seller import OTHER_TABLE, other_offer

__all__ = [
    "DEMO_SELLER_ID", "DPD", "DPD_CZ", "DPD_HU", "DPD_SK", "INPOST", "LAPTOP_256", "LAPTOP_512",
    "MUG_BLACK", "MUG_WHITE",
    "ONE_BOX", "OTHER_OFFER_ID", "OTHER_SELLER_ID", "OTHER_TABLE_ID", "PICKUP", "TSHIRT_L",
    "TSHIRT_M", "TSHIRT_S", "insert_seed",
]


def insert_seed(db: sqlite3.Connection, now: str) -> None:
    """Insert the demo data into an empty emulator database (the services made the tables)."""
    reference = [
        *(("client", c["id"], c) for c in CLIENTS),
        *(("user", u["id"], u) for u in [*USERS, *FLEET_SELLERS]),
        *(("delivery_method", m["id"], m) for m in DELIVERY_METHODS),
        *(("category", c["id"], c) for c in CATEGORIES),
        *(("category_branch", c["id"], c) for c in CATEGORY_BRANCHES),
        *(("product", p["id"], p) for p in PRODUCTS),
    ]
    db.executemany(
        "INSERT INTO reference (kind, id, doc) VALUES (?, ?, ?)",
        [(kind, key, json.dumps(doc)) for kind, key, doc in reference],
    )
    db.execute(
        "INSERT INTO responsible_producers (id, seller, name, doc) VALUES (?, ?, ?, ?)",
        (DEMO_PRODUCER["id"], DEMO_SELLER_ID, DEMO_PRODUCER["name"], json.dumps(DEMO_PRODUCER)),
    )
    db.executemany(
        "INSERT INTO after_sales_conditions (id, seller, kind, name, doc) VALUES (?, ?, ?, ?, ?)",
        [(doc["id"], seller, kind, doc["name"], json.dumps(doc))
         for seller, kinds in AFTER_SALES.items() for kind, docs in kinds.items()
         for doc in docs],
    )
    table = {**OTHER_TABLE, "lastModified": now}
    db.execute(
        "INSERT INTO shipping_rates (id, seller, name, doc) VALUES (?, ?, ?, ?)",
        (OTHER_TABLE_ID, OTHER_SELLER_ID, OTHER_TABLE["name"], json.dumps(table)),
    )
    db.execute(
        "INSERT INTO offers (id, seller, external_id, status, ever_activated, doc)"
        " VALUES (?, ?, ?, 'ACTIVE', 1, ?)",
        (OTHER_OFFER_ID, OTHER_SELLER_ID, "OTHER-1", json.dumps(other_offer(now))),
    )
