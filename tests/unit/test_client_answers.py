"""A GET the run already holds the answer to is answered from it, not sent (allegro/client.py
`answers`: what a settled plan's checks confirmed a moment ago, for the narrowed read)."""

from __future__ import annotations

import asyncio

import httpx

from tests.unit.mock_allegro import json_answer, mock_client


def test_a_held_answer_is_given_for_the_same_get_and_nothing_else() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        return json_answer({"sent": True})

    async def run() -> None:
        client = mock_client(answer)
        client.answers["/sale/products?ean=590&mode=GTIN"] = json_answer({"sent": False})
        assert await client.get("/sale/products", {"ean": "590", "mode": "GTIN"}) == {
            "sent": False}
        assert await client.get("/sale/products", {"ean": "591", "mode": "GTIN"}) == {
            "sent": True}
        await client.post("/sale/products", {"ean": "590"})
        assert client.reused == 1 and sum(client.requests.values()) == 2
        # given once: a later GET (after an apply's write, say) is asked anew
        assert await client.get("/sale/products", {"ean": "590", "mode": "GTIN"}) == {
            "sent": True}

    asyncio.run(run())
    assert sent == ["GET /sale/products?ean=591&mode=GTIN", "POST /sale/products?",
                    "GET /sale/products?ean=590&mode=GTIN"]
