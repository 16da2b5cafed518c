"""apply/translations.py: after the offers, each translation by its offer's id; one whose offer
failed is not sent, and one that fails stops nothing else."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from catalogsync.allegro.client import AllegroClient
from catalogsync.allegro.errors import AllegroError, ErrorDetail
from catalogsync.apply.report import ApplyReport, Outcome
from catalogsync.apply.translations import apply_translations
from catalogsync.plan.model import Action, Change, Plan, Request, Resource
from catalogsync.state.index import StateIndex


class Client:
    def __init__(self, refuse: str = "") -> None:
        self.sent: list[tuple[str, str, Any]] = []
        self.refuse = refuse

    async def request(self, method: str, path: str, **kwargs: Any) -> None:
        if self.refuse and self.refuse in path:
            raise AllegroError(422, method, path, [ErrorDetail("VALIDATION_ERROR", "too short")])
        self.sent.append((method, path, kwargs.get("json")))


def change(sku: str, language: str, offer_id: str | None) -> Change:
    path = f"/sale/offers/{offer_id or '{offerId}'}/translations/{language}"
    return Change(resource=Resource.OFFER_TRANSLATION, key=f"{sku}/{language}",
                  action=Action.CREATE, id=offer_id,
                  request=Request(method="PATCH", path=path, body={"title": {"translation": "x"}}))


def run(client: Client, changes: list[Change], index: StateIndex, report: ApplyReport) -> None:
    plan = Plan(environment="local", marketplace="allegro-pl", fingerprint="f",
                changes=tuple(changes))
    asyncio.run(apply_translations(cast(AllegroClient, client), plan, index, report))


def test_a_new_offer_gets_its_translations_by_the_id_apply_recorded() -> None:
    client = Client()
    report = ApplyReport()
    run(client, [change("NEW", "cs-CZ", None)],
        StateIndex(offers={"NEW": "1234"}), report)
    assert client.sent == [("PATCH", "/sale/offers/1234/translations/cs-CZ",
                            {"title": {"translation": "x"}})]
    assert [o.ok for o in report.outcomes] == [True]


def test_a_failed_offer_stops_only_its_own_translations() -> None:
    client = Client(refuse="/9/")
    report = ApplyReport(outcomes=[Outcome("offer BAD", "POST /sale/product-offers", False, "no")])
    run(client, [change("BAD", "cs-CZ", None), change("GOOD", "cs-CZ", "7"),
                 change("WORSE", "sk-SK", "9")],
        StateIndex(offers={"GOOD": "7"}), report)
    assert [p for _, p, _ in client.sent] == ["/sale/offers/7/translations/cs-CZ"]
    outcomes = {o.address: o for o in report.outcomes[1:]}
    assert outcomes["offer_translation BAD/cs-CZ"].skipped
    assert outcomes["offer_translation GOOD/cs-CZ"].ok
    assert not outcomes["offer_translation WORSE/sk-SK"].ok
    assert "too short" in outcomes["offer_translation WORSE/sk-SK"].message
