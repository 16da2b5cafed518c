"""`/sale/size-tables`, `/sale/size-tables-templates` and `/sale/offer-contacts`: the spec's
bodies and limits, per seller, and offers naming them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import (
    GPSR,
    Seller,
    first_error,
    make_offer,
    make_table,
    mug,
    user_token,
)

pytestmark = pytest.mark.anyio



async def _template(seller: Seller) -> str:
    templates = (await seller.get("/sale/size-tables-templates")).json()["templates"]
    return str(next(t["id"] for t in templates if t["name"] == "Koszulki"))


def _table(template: str | None, name: str = "Koszulki męskie", rows: int = 2) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "headers": [{"name": "Rozmiar"}, {"name": "Obwód (cm)"}],
        "values": [{"cells": [f"R{i}", str(90 + i)]} for i in range(rows)],
    }
    if template is not None:
        body["template"] = {"id": template}
    return body


async def _make_table(seller: Seller, name: str = "Koszulki męskie") -> dict[str, Any]:
    response = await seller.call("POST", "/sale/size-tables", _table(await _template(seller), name))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_size_table_is_made_from_a_template_listed_and_replaced_keeping_it(
    seller: Seller,
) -> None:
    made = await _make_table(seller)

    assert made["template"] == {"id": await _template(seller)}
    assert made["values"][1]["cells"] == ["R1", "91"]
    listed = (await seller.get("/sale/size-tables")).json()
    assert listed == {"tables": [made]}
    replaced = await seller.call("PUT", f"/sale/size-tables/{made['id']}", _table(None, rows=3))
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["template"] == made["template"] and len(replaced.json()["values"]) == 3
    assert (await seller.get(f"/sale/size-tables/{made['id']}")).json() == replaced.json()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"template": {"id": "no-such-template"}}, "template.id"),
        ({"template": None}, "template"),
        ({"values": [{"cells": ["S"]}]}, "values[0].cells"),
        ({"headers": []}, "headers"),
        ({"name": " "}, "name"),
    ],
)
async def test_a_size_table_against_the_rules_is_refused(
    seller: Seller, change: dict[str, Any], path: str
) -> None:
    body = {**_table(await _template(seller)), **change}
    if change.get("template", "") is None:
        del body["template"]

    response = await seller.call("POST", "/sale/size-tables", body)

    assert response.status_code in (400, 422), response.text
    assert first_error(response)["path"] == path


async def test_another_sellers_size_table_and_contact_are_forbidden(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    table = await _make_table(seller)
    contact = (await seller.call("POST", "/sale/offer-contacts", {"name": "Biuro"})).json()
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))

    assert (await other.get(f"/sale/size-tables/{table['id']}")).status_code == 403
    assert (await other.get(f"/sale/offer-contacts/{contact['id']}")).status_code == 403
    assert (await other.get("/sale/size-tables")).json() == {"tables": []}
    assert (await seller.get("/sale/size-tables/nope")).status_code == 404


async def test_a_contact_keeps_one_email_and_two_phones(seller: Seller) -> None:
    body = {"name": "Biuro", "emails": [{"address": "biuro@example.pl"}],
            "phones": [{"number": "+48 512 323 495"}, {"number": "22 100 20 30"}]}
    made = await seller.call("POST", "/sale/offer-contacts", body)
    assert made.status_code == 201, made.text
    assert made.json() == {"id": made.json()["id"], **body}

    two = await seller.call("POST", "/sale/offer-contacts",
                            {**body, "emails": [{"address": "a@b.pl"}, {"address": "c@d.pl"}]})
    bad = await seller.call("POST", "/sale/offer-contacts",
                            {**body, "emails": [{"address": f"{'x' * 65}@example.pl"}]})
    assert two.status_code == 422 and first_error(two)["path"] == "emails"
    assert bad.status_code == 422 and first_error(bad)["path"] == "emails[0].address"


async def test_an_offer_names_its_size_table_and_contact_by_name_and_keeps_their_ids(
    seller: Seller,
) -> None:
    await make_table(seller)
    table = await _make_table(seller)
    contact = (await seller.call("POST", "/sale/offer-contacts", {"name": "Biuro"})).json()
    tshirt = [{"product": {"id": "5907000000014", "idType": "GTIN"}, **GPSR}]
    offer = await make_offer(seller, productSet=tshirt, name="Koszulka bawełniana biała S",
                             parameters=[], sizeTable={"name": table["name"]},
                             contact={"name": "Biuro"})
    assert offer["sizeTable"] == {"id": table["id"]} and offer["contact"] == {"id": contact["id"]}


async def test_a_size_table_in_a_category_that_takes_none_is_refused(seller: Seller) -> None:
    await make_table(seller)
    table = await _make_table(seller)

    response = await seller.call("POST", "/sale/product-offers",
                                 mug(sizeTable={"id": table["id"]}))

    assert response.status_code == 422
    assert first_error(response)["message"] == "Size table is not allowed in selected category."


async def test_an_unknown_or_ambiguous_size_table_name_gets_allegros_codes(
    seller: Seller,
) -> None:
    await make_table(seller)
    await _make_table(seller, "Dwa")
    await _make_table(seller, "Dwa")

    missing = await seller.call("POST", "/sale/product-offers", mug(sizeTable={"name": "Nie"}))
    twice = await seller.call("POST", "/sale/product-offers", mug(sizeTable={"name": "Dwa"}))

    assert first_error(missing)["code"] == "SizeTableNotFoundException"
    assert first_error(missing)["metadata"] == {"requestedName": "Nie"}
    assert first_error(twice)["code"] == "NotUniqueSizeTableException"


async def _modify(seller: Seller, offer_id: str, table_id: str) -> list[dict[str, Any]]:
    body = {"modification": {"sizeTable": {"id": table_id}},
            "offerCriteria": [{"type": "CONTAINS_OFFERS", "offers": [{"id": offer_id}]}]}
    command = str(uuid.uuid4())
    put = await seller.call("PUT", f"/sale/offer-modification-commands/{command}", body)
    assert put.status_code == 201, put.text
    found = await seller.get(f"/sale/offer-modification-commands/{command}/tasks")
    return list(found.json()["tasks"])


async def test_a_modification_command_sets_the_sellers_own_size_table_only(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await make_table(seller)
    tshirt = [{"product": {"id": "5907000000014", "idType": "GTIN"}, **GPSR}]
    offer = await make_offer(seller, productSet=tshirt, name="Koszulka bawełniana biała S",
                             parameters=[])
    mine = await _make_table(seller)
    other = Seller(http, user_token(backend, seed.OTHER_SELLER_ID))
    theirs = (await other.call("POST", "/sale/size-tables",
                               _table(await _template(other)))).json()

    (done,) = await _modify(seller, offer["id"], mine["id"])
    (refused,) = await _modify(seller, offer["id"], theirs["id"])
    by_id = await seller.call("PATCH", f"/sale/product-offers/{offer['id']}",
                              {"sizeTable": {"id": theirs["id"]}})

    assert (done["status"], done["field"]) == ("SUCCESS", "sizeTable")
    assert refused["status"] == "FAIL"
    assert refused["errors"][0]["code"] == "SizeTableNotFoundException"
    assert first_error(by_id)["code"] == "SizeTableNotFoundException"
    current = (await seller.get(f"/sale/product-offers/{offer['id']}")).json()
    assert current["sizeTable"] == {"id": mine["id"]}
