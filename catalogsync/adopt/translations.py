"""`catalogsync import` and offers' own translations: one `GET /sale/offers/{id}/translations`
per imported offer (`--without translations` skips them), written out as `translations:` with
the seller's own (MANUAL) elements only; Allegro's automatic ones are left to Allegro."""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.translations_wire import manual_translations
from catalogsync.live.fetch import gather_map


async def read_own_translations(client: AllegroClient, offer_ids: list[str]
                                ) -> dict[str, dict[str, Any]]:
    found = await gather_map(offer_ids,
                             lambda i: client.get(f"/sale/offers/{i}/translations"))
    return {i: own for i, doc in found.items() if (own := manual_translations(doc))}


def written_translations(own: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """As a person writes them: sections of `text:` / `image:` items, a lone item bare."""
    out: dict[str, Any] = {}
    for language, values in sorted(own.items()):
        entry: dict[str, Any] = {}
        if "name" in values:
            entry["name"] = values["name"]
        if "description" in values:
            entry["description"] = [_section(s) for s in values["description"]]
        out[language] = entry
    return out


def _section(items: list[dict[str, str]]) -> Any:
    written = [{"image": i["url"]} if i["type"] == "IMAGE" else {"text": i["content"]}
               for i in items]
    return written[0] if len(written) == 1 else written
