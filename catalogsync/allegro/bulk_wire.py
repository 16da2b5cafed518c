"""The bulk modification command's wire format (`POST /sale/offer-bulk-modification-commands`,
beta, [SL]). Pure: no I/O.

An offer's part is canonical fields `{"prices": {marketplace: "49.99 PLN"}, "stock":
{"change": "GAIN" | "FIXED", "value": n}}`; its prices and its stock go as two modifications,
as in Allegro's own example (each has a task of its own: `prices`, `stock`).
"""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.wire import split_money

PATH = "/sale/offer-bulk-modification-commands"
BETA_MEDIA_TYPE = "application/vnd.allegro.beta.v1+json"
#: the task fields of an offer's two modifications
FIELDS = ("prices", "stock")


def modification(offer_id: str, field: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The modification setting one field (`prices` or `stock`) of an offer's part."""
    if field == "prices":
        prices = {marketplace: {"changeType": "FIXED", "value": split_money(price)}
                  for marketplace, price in sorted(fields["prices"].items())}
        return {"offerId": offer_id, "prices": prices}
    stock = fields["stock"]
    return {"offerId": offer_id, "stock": {"changeType": stock["change"], "value": stock["value"]}}


def body(command_id: str, modifications: list[dict[str, Any]]) -> dict[str, Any]:
    return {"commandId": command_id, "modifications": modifications}
