"""One table of Allegro's field limits (catalogsync/catalog/limits.py), read by the planner and
the emulator: for each limit, a value just past it is refused by the emulator (422) and by
`plan` before anything is sent; what plans cannot know is listed in `NOT_AT_PLAN_TIME`."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import yaml

from catalogsync.catalog import limits as L
from catalogsync.emulator.app import create_app
from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import EXAMPLE, Run
from tests.emulator.support import MEDIA_TYPE, mug, rate, user_token

Doc = dict[str, Any]
LONG_TEXT = "<p>" + "a" * L.DESCRIPTION_MAX_BYTES + "</p>"
IMAGES = [f"https://a.allegroimg.com/original/11a1b2/{n}.jpg" for n in range(17)]


@dataclass(frozen=True)
class Limit:
    name: str
    catalog: Callable[[Doc], None]  # edits MUG-WHITE-330 in offers/mugs.yaml
    wire: Callable[[Doc], None]  # edits the same offer's create body


def _set(doc: Doc, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        doc = doc.setdefault(key, {})
    doc[last] = value


def both(catalog_path: str, wire_path: str, value: Any) -> tuple[Any, Any]:
    return (lambda o: _set(o, catalog_path, value)), (lambda b: _set(b, wire_path, value))


OFFER_LIMITS = [
    Limit("name too long", *both("name", "name", "Kubek " * 12 + "abcd")),
    Limit("name too short", *both("name", "name", "Kubek biały")),
    Limit("stock past int32", *both("stock", "stock.available", L.INT32_MAX + 1)),
    Limit(
        "gallery past 16 images",
        lambda o: o.update(images=IMAGES, description=None),
        lambda b: _set(b, "images", IMAGES),
    ),
    Limit(
        "description past 40 000 bytes",
        lambda o: _set(o, "description", [{"text": LONG_TEXT}]),
        lambda b: _set(b, "description.sections", [
            {"items": [{"type": "TEXT", "content": LONG_TEXT}]}]),
    ),
    Limit(
        "a section of three items",
        lambda o: _set(o, "description", [[{"text": "<p>a</p>"}] * 3]),
        lambda b: _set(b, "description.sections", [
            {"items": [{"type": "TEXT", "content": "<p>a</p>"}] * 3}]),
    ),
    Limit(
        "city past 50 characters",
        lambda o: _set(o, "location", {"province": "MAZOWIECKIE", "city": "W" * 51,
                                       "post_code": "00-950"}),
        lambda b: _set(b, "location.city", "W" * 51),
    ),
    Limit(
        "external id past 100 characters",
        lambda o: o.update(external_id="S" * (L.EXTERNAL_ID_MAX_CHARS + 1)),
        lambda b: _set(b, "external.id", "S" * (L.EXTERNAL_ID_MAX_CHARS + 1)),
    ),
    Limit(
        "integer parameter past its max",
        lambda o: _set(o, "parameters.Pojemność", "100001"),
        lambda b: b["parameters"].append({"id": "17448", "values": ["100001"]}),
    ),
    Limit(
        "integer parameter that is not a number",
        lambda o: _set(o, "parameters.Pojemność", "dużo"),
        lambda b: b["parameters"].append({"id": "17448", "values": ["dużo"]}),
    ),
    Limit(
        "two values of a single-choice parameter",
        lambda o: _set(o, "parameters.Stan", ["Nowy", "Używany"]),
        lambda b: _set(b, "parameters", [{"id": "11323", "valuesIds": ["11323_1", "11323_2"]}]),
    ),
]
TABLE_NAMES = ["T" * (L.TABLE_NAME_MAX_CHARS + 1), "Standard/DPD", "Kurier (DPD)"]


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """The example catalog (these requests are off the spec on purpose: not under tests/e2e,
    whose requests the contract suite holds to the spec)."""
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".catalogsync"))
    return target


@pytest.fixture
def api(backend: Backend) -> Callable[[str, Doc], int]:
    app = create_app(backend)
    headers = {"Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE,
               "Authorization": f"Bearer {user_token(backend, '1000001')}"}

    async def send(path: str, body: Doc) -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            return (await http.post(path, json=body, headers=headers)).status_code

    def post(path: str, body: Doc) -> int:
        return anyio.run(send, path, body)

    assert post("/sale/shipping-rates", {"name": "Standard", "rates": [rate()]}) == 201
    return post


def edit_mug(catalog_dir: Path, change: Callable[[Doc], None]) -> None:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    data = yaml.safe_load(mugs.read_text())
    offer = data["offers"]["MUG-WHITE-330"]
    change(offer)
    key = offer.pop("external_id", "MUG-WHITE-330")
    data["offers"][key] = data["offers"].pop("MUG-WHITE-330")
    mugs.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("limit", OFFER_LIMITS, ids=lambda limit: limit.name)
def test_the_planner_refuses_every_offer_the_emulator_refuses(
    run: Run, catalog_dir: Path, backend: Backend, api: Callable[[str, Doc], int], limit: Limit
) -> None:
    assert api("/sale/product-offers", mug(external={"id": "CONTROL"})) in (201, 202)
    body = copy.deepcopy(mug())
    limit.wire(body)
    assert api("/sale/product-offers", body) in (400, 422)  # the spec's checks answer 400

    edit_mug(catalog_dir, limit.catalog)
    before = backend.stats["POST /sale/product-offers"]
    result = run("plan", catalog_dir, "--detailed-exitcode")
    assert result.exit_code in (1, 3), result.output  # invalid catalog / plan blocked
    assert "Traceback" not in result.output
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 1
    assert backend.stats["POST /sale/product-offers"] == before


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_the_planner_refuses_every_table_name_the_emulator_refuses(
    run: Run, catalog_dir: Path, backend: Backend, api: Callable[[str, Doc], int], name: str
) -> None:
    assert api("/sale/shipping-rates", {"name": name, "rates": [rate()]}) in (400, 422)
    shipping = catalog_dir / "shipping.yaml"
    data = yaml.safe_load(shipping.read_text())
    data["shipping_rates"][name] = data["shipping_rates"].pop("Gabaryt")
    shipping.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = run("validate", catalog_dir)
    assert result.exit_code == 1 and "a shipping-rate table's name" in result.output


def test_what_plans_cannot_check_is_listed_with_the_reason() -> None:
    assert all(len(why) > 40 for why in L.NOT_AT_PLAN_TIME.values())
