"""GPSR: responsible producers and persons, safety-manual attachments, and what a published
offer needs per category, with Allegro's error codes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from catalogsync.emulator import seed
from catalogsync.emulator.backend import Backend
from tests.emulator.support import (
    GPSR,
    MEDIA_TYPE,
    Seller,
    first_error,
    make_offer,
    make_table,
    mug,
)

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n%demo manual\n"


def producer(name: str = "Kubki Sp. z o.o.", **contact: str) -> dict[str, Any]:
    return {
        "name": name,
        "producerData": {
            "tradeName": "Fabryka Kubków Sp. z o.o.",
            "address": {"countryCode": "PL", "street": "Gliniana 5", "postalCode": "30-001",
                        "city": "Kraków"},
            "contact": contact or {"email": "gpsr@kubki.example"},
        },
    }


def person(country: str = "DE") -> dict[str, Any]:
    return {
        "name": "EU rep",
        "personalData": {
            "name": "Vertreter GmbH",
            "address": {"countryCode": country, "street": "Hauptstraße 1", "postalCode": "10115",
                        "city": "Berlin"},
            "contact": {"formUrl": "https://vertreter.example/kontakt"},
        },
    }


async def test_responsible_producers_are_created_listed_read_and_updated(seller: Seller) -> None:
    created = await seller.call("POST", "/sale/responsible-producers", producer())
    assert created.status_code == 201
    doc = created.json()
    uuid.UUID(doc["id"])
    listed = (await seller.get("/sale/responsible-producers")).json()
    assert [p["name"] for p in listed["responsibleProducers"]] == [
        "Producent Demo", "Kubki Sp. z o.o."]
    assert listed["count"] == listed["totalCount"] == 2
    assert (await seller.get(f"/sale/responsible-producers/{doc['id']}")).json() == doc

    changed = producer(phoneNumber="123123123", email="nowy@kubki.example")
    updated = await seller.call("PUT", f"/sale/responsible-producers/{doc['id']}", changed)
    assert updated.status_code == 200
    assert updated.json()["producerData"]["contact"]["phoneNumber"] == "123123123"
    duplicate = await seller.call("POST", "/sale/responsible-producers", producer())
    assert first_error(duplicate)["path"] == "name"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (producer(name=" padded"), "name"),
        (producer(name="two  spaces"), "name"),
        (producer(name="x" * 51), "name"),
        (producer(phoneNumber="123"), "producerData.contact"),  # e-mail or form URL since 2025
        ({**producer(), "producerData": {}}, "producerData.tradeName"),
    ],
)
async def test_producer_rules(seller: Seller, body: dict[str, Any], path: str) -> None:
    refused = await seller.call("POST", "/sale/responsible-producers", body)
    assert refused.status_code in (400, 422) and first_error(refused)["path"].startswith(path)


async def test_responsible_persons_live_in_the_eu(seller: Seller) -> None:
    created = await seller.call("POST", "/sale/responsible-persons", person())
    assert created.status_code == 200  # as the spec lists it
    outside = await seller.call("POST", "/sale/responsible-persons", person("US"))
    assert first_error(outside)["path"] == "personalData.address.countryCode"
    listed = (await seller.get("/sale/responsible-persons")).json()
    assert [p["name"] for p in listed["responsiblePersons"]] == ["EU rep"]


async def upload_manual(seller: Seller, kind: str = "SAFETY_INFORMATION_MANUAL") -> str:
    created = await seller.call("POST", "/sale/offer-attachments",
                                {"type": kind, "file": {"name": "instrukcja.pdf"}})
    assert created.status_code == 201
    location = created.headers["location"]
    assert location.endswith(f"/sale/offer-attachments/{created.json()['id']}")
    uploaded = await seller.http.put(location, content=PDF, headers={
        "Accept": MEDIA_TYPE, "Content-Type": "application/pdf",
        "Authorization": f"Bearer {seller.token}"})
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["file"]["url"].endswith("/instrukcja.pdf")
    read = await seller.get(f"/sale/offer-attachments/{created.json()['id']}")
    assert read.json() == uploaded.json()
    return str(created.json()["id"])


async def test_safety_manuals_are_uploaded_then_named_by_offers(seller: Seller) -> None:
    await make_table(seller)
    manual = await upload_manual(seller)
    attachments = {"type": "ATTACHMENTS", "attachments": [{"id": manual}]}
    offer = await make_offer(seller, productSet=[{
        "product": {"id": seed.MUG_WHITE}, "responsibleProducer": GPSR["responsibleProducer"],
        "safetyInformation": attachments}], publication={"status": "ACTIVE"})
    entry = offer["productSet"][0]
    assert entry["responsibleProducer"] == {"id": "8d1e6f0a-2b3c-4d5e-8f90-a1b2c3d4e5f6"}
    assert entry["safetyInformation"] == attachments

    energy = await upload_manual(seller, "MANUAL")  # not a safety manual
    refused = await seller.call("POST", "/sale/product-offers", {
        **mug(), "productSet": [{"product": {"id": seed.MUG_WHITE},
                                  "safetyInformation": {"type": "ATTACHMENTS",
                                                        "attachments": [{"id": energy}]}}]})
    assert first_error(refused)["path"] == "productSet[0].safetyInformation.attachments[0].id"


async def test_publication_needs_producer_and_safety_information(
    seller: Seller, backend: Backend
) -> None:
    await make_table(seller)
    bare = [{"product": {"id": seed.MUG_WHITE}}]
    draft = await make_offer(seller, productSet=bare)  # a draft may lack them
    codes = {e["code"] for e in draft["validation"]["errors"]}
    assert codes == {"RESPONSIBLE_PRODUCER_NOT_SPECIFIED", "SAFETY_INFO_NOT_DEFINED"}

    refused = await seller.call("PATCH", f"/sale/product-offers/{draft['id']}",
                                {"publication": {"status": "ACTIVE"}})
    assert refused.status_code == 422
    assert [(e["code"], e["path"]) for e in refused.json()["errors"]] == [
        ("RESPONSIBLE_PRODUCER_NOT_SPECIFIED", "productSet[0].responsibleProducer"),
        ("SAFETY_INFO_NOT_DEFINED", "productSet[0].safetyInformation"),
    ]
    # a PATCH naming the same product keeps what it leaves out
    await seller.call("PATCH", f"/sale/product-offers/{draft['id']}", {"productSet": [
        {"product": {"id": seed.MUG_WHITE}, "responsibleProducer": GPSR["responsibleProducer"]}]})
    done = await seller.call("PATCH", f"/sale/product-offers/{draft['id']}", {"productSet": [
        {"product": {"id": seed.MUG_WHITE}, "safetyInformation": GPSR["safetyInformation"]}],
        "publication": {"status": "ACTIVE"}})
    assert done.status_code == 202, done.text
    assert done.json()["productSet"][0]["responsibleProducer"]["id"]


async def test_options_allowed_per_category_and_condition(seller: Seller) -> None:
    await make_table(seller)
    none = {"type": "NO_SAFETY_INFORMATION"}
    in_mugs = await seller.call("POST", "/sale/product-offers", {
        **mug(), "productSet": [{"product": {"id": seed.MUG_WHITE}, "safetyInformation": none}]})
    assert first_error(in_mugs)["code"] == "NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED"
    shirt = await make_offer(seller, name="Koszulka bawełniana biała S", productSet=[{
        "product": {"id": seed.TSHIRT_S}, "responsibleProducer": GPSR["responsibleProducer"],
        "safetyInformation": none}], parameters=[{"id": "11323", "valuesIds": ["11323_1"]}],
        publication={"status": "ACTIVE"})
    assert shirt["productSet"][0]["safetyInformation"] == none

    before = [{"product": {"id": seed.MUG_WHITE}, "marketedBeforeGPSRObligation": True}]
    new = await seller.call("POST", "/sale/product-offers", {**mug(), "productSet": before})
    assert first_error(new)["code"] == "PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION_OPTION_NOT_ALLOWED"
    used = await make_offer(seller, productSet=before, publication={"status": "ACTIVE"},
                            parameters=[{"id": "11323", "valuesIds": ["11323_2"]}])
    assert used["productSet"][0]["marketedBeforeGPSRObligation"] is True  # needs nothing else


async def test_modification_command_sets_gpsr_on_many_offers(
    seller: Seller, backend: Backend
) -> None:
    backend.settings.processing_delay = 0.0
    await make_table(seller)
    first, second = await make_offer(seller), await make_offer(seller, external={"id": "B"})
    created = await seller.call("POST", "/sale/responsible-producers", producer())
    body = {
        "modification": {
            "responsibleProducer": {"id": created.json()["id"]},
            "safetyInformation": {"type": "TEXT", "description": "Szkło: ostrożnie."},
        },
        "offerCriteria": [{"type": "CONTAINS_OFFERS",
                           "offers": [{"id": first["id"]}, {"id": second["id"]}]}],
    }
    command = str(uuid.uuid4())
    put = await seller.call("PUT", f"/sale/offer-modification-commands/{command}", body)
    assert put.status_code == 201
    tasks = (await seller.get(f"/sale/offer-modification-commands/{command}/tasks")).json()
    assert {t["status"] for t in tasks["tasks"]} == {"SUCCESS"}
    assert tasks["tasks"][0]["field"] == (
        "productSet.responsibleProducer,productSet.safetyInformation")
    offer = (await seller.get(f"/sale/product-offers/{first['id']}")).json()
    assert offer["productSet"][0]["responsibleProducer"] == {"id": created.json()["id"]}
    assert offer["productSet"][0]["safetyInformation"]["description"] == "Szkło: ostrożnie."

    unknown = {**body, "modification": {"responsibleProducer": {"id": str(uuid.uuid4())}}}
    command = str(uuid.uuid4())
    await seller.call("PUT", f"/sale/offer-modification-commands/{command}", unknown)
    tasks = (await seller.get(f"/sale/offer-modification-commands/{command}/tasks")).json()
    assert {t["status"] for t in tasks["tasks"]} == {"FAIL"}
