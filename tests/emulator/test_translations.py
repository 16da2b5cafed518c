"""`/sale/offers/{offerId}/translations`: BASE, AUTO and the seller's MANUAL elements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from catalogsync.emulator.backend import Backend
from tests.emulator.support import Seller, first_error, make_offer, make_table, user_token

pytestmark = pytest.mark.anyio
TITLE = {"title": {"translation": "Keramický hrnek bílý 330 ml"}}


def by_language(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["language"]: t for t in answer["translations"]}


async def test_manual_elements_replace_the_automatic_ones_until_deleted(seller: Seller) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    path = f"/sale/offers/{offer['id']}/translations"
    found = by_language((await seller.get(path)).json())
    assert found["pl-PL"]["title"] == {"translation": offer["name"], "type": "BASE"}
    assert found["cs-CZ"]["title"]["type"] == "AUTO"
    assert set(found) == {"pl-PL", "cs-CZ", "sk-SK", "hu-HU"}

    description = {"sections": [{"items": [{"type": "TEXT", "content": "<p>Hrnek.</p>"}]}]}
    set_ = await seller.call("PATCH", f"{path}/cs-CZ",
                             {**TITLE, "description": {"translation": description}})
    assert set_.status_code == 200, set_.text
    czech = by_language((await seller.get(path, language="cs-CZ")).json())
    assert list(czech) == ["cs-CZ"]
    assert czech["cs-CZ"]["title"] == {"translation": TITLE["title"]["translation"],
                                       "type": "MANUAL"}
    assert czech["cs-CZ"]["description"] == {"translation": description, "type": "MANUAL"}

    events = (await seller.get("/sale/offer-events", type="OFFER_TRANSLATION_UPDATED")).json()
    assert [e["offer"]["id"] for e in events["offerEvents"]] == [offer["id"]]
    gone = await seller.call("DELETE", f"{path}/cs-CZ", params={"element": "title"})
    assert gone.status_code == 204
    czech = by_language((await seller.get(path)).json())["cs-CZ"]
    assert czech["title"]["type"] == "AUTO" and czech["description"]["type"] == "MANUAL"
    assert (await seller.call("DELETE", f"{path}/cs-CZ")).status_code == 204
    assert (await seller.call("DELETE", f"{path}/cs-CZ")).status_code == 204  # nothing left
    assert by_language((await seller.get(path)).json())["cs-CZ"]["description"]["type"] == "AUTO"


async def test_bad_translations_are_refused(seller: Seller) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    path = f"/sale/offers/{offer['id']}/translations"
    empty = await seller.call("PATCH", f"{path}/cs-CZ", {})
    assert empty.status_code == 422
    german = await seller.call("PATCH", f"{path}/de-DE", TITLE)
    assert first_error(german)["path"] == "language"
    short = await seller.call("PATCH", f"{path}/cs-CZ", {"title": {"translation": "Hrnek"}})
    assert first_error(short)["path"] == "title.translation"


async def test_another_sellers_offer_is_forbidden(
    seller: Seller, http: httpx.AsyncClient, backend: Backend
) -> None:
    await make_table(seller)
    offer = await make_offer(seller)
    other = Seller(http, user_token(backend, "1000002"))
    path = f"/sale/offers/{offer['id']}/translations"
    assert (await other.get(path)).status_code == 403
    assert (await other.call("PATCH", f"{path}/cs-CZ", TITLE)).status_code == 403
