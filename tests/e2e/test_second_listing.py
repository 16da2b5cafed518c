"""Allegro forbids listing one item twice: a product the account already sells outside the
catalog is adopted, not listed again, unless the offer opts in to a second listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalogsync.allegro.client import AllegroClient
from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, drop_local_state, offer_ids


def _offer_ids(catalog_dir: Path) -> dict[str, str]:
    return offer_ids(catalog_dir)


def test_a_new_sku_for_a_product_sold_outside_the_catalog_is_an_error_naming_that_offer(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    white = _offer_ids(catalog_dir)["MUG-WHITE-330"]
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("MUG-WHITE-330:", "MUG-WHITE-NEW:"))

    blocked = run("plan", catalog_dir, "--detailed-exitcode")

    assert blocked.exit_code == 3, blocked.output
    assert (
        f"is already sold by offer {white} (external id 'MUG-WHITE-330', ACTIVE) outside "
        "the catalog" in blocked.output
    )
    assert "rename this offer's key to 'MUG-WHITE-330'" in blocked.output
    assert "catalogsync import" in blocked.output

    mugs.write_text(
        mugs.read_text().replace("MUG-WHITE-NEW:", "MUG-WHITE-NEW:\n    allow_second_listing: true")
    )
    allowed = run("plan", catalog_dir, "--detailed-exitcode")
    assert allowed.exit_code == 2, allowed.output
    assert "+ offer MUG-WHITE-NEW" in allowed.output


def test_an_offer_without_external_id_selling_the_product_is_named_with_how_to_adopt_it(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    black = _offer_ids(catalog_dir)["MUG-BLACK-330"]
    backend.offers.patch("1000001", black, {"external": None})
    drop_local_state(catalog_dir)  # as if made by hand
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("MUG-BLACK-330:", "MUG-BLACK:"))

    blocked = run("plan", catalog_dir, "--detailed-exitcode", "--target", "MUG-BLACK")

    assert blocked.exit_code == 3, blocked.output
    assert f"already sold by offer {black} (no external id, ACTIVE)" in blocked.output
    assert f"catalogsync import DIR --offer-id {black}" in blocked.output


def test_two_live_offers_with_one_external_id_the_younger_is_ended(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    ids = _offer_ids(catalog_dir)
    white, black = ids["MUG-WHITE-330"], ids["MUG-BLACK-330"]
    backend.offers.patch("1000001", black, {"external": {"id": "MUG-WHITE-330"}})
    drop_local_state(catalog_dir, lock=True)  # nothing tells them apart

    result = run("plan", catalog_dir, "--detailed-exitcode", "--target", "MUG-WHITE-330")

    assert result.exit_code == 2, result.output
    assert (f"other offers not ended share this external id ({black}): the item is listed "
            f"more than once, which Allegro forbids; catalogsync manages {white}, the oldest, "
            "and ends the younger ones") in result.output
    assert f"- offer MUG-WHITE-330#{black} ({black})" in result.output
    applied = run("apply", catalog_dir, "--auto-approve", "--target", "MUG-WHITE-330")
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    assert backend.offers.get("1000001", black)["publication"]["status"] == "ENDED"
    assert backend.offers.get("1000001", white)["publication"]["status"] == "ACTIVE"
    again = run("plan", catalog_dir, "--detailed-exitcode", "--target", "MUG-WHITE-330")
    assert again.exit_code == 0, again.output


def test_an_offer_replaced_in_one_commit_is_ended_before_its_successor_is_created(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    white = _offer_ids(catalog_dir)["MUG-WHITE-330"]
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace("MUG-WHITE-330:", "MUG-WHITE-NEW:"))

    saved = catalog_dir.parent / "replace.plan.json"
    planned = run("plan", catalog_dir, "--detailed-exitcode", "--prune", "-o", saved)
    assert planned.exit_code == 2, planned.output
    assert (f"replaces offer {white} ('MUG-WHITE-330', removed from the catalog), which this "
            "plan ends: apply ends it first, then creates this one") in planned.output
    assert "- offer MUG-WHITE-330" in planned.output or "ended" in planned.output

    sent: list[str] = []
    send = AllegroClient._send

    async def sending(self: AllegroClient, method: str, path: str, **more: Any) -> Any:
        sent.append(f"{method} {path.split('/')[2] if path.count('/') > 1 else path}")
        return await send(self, method, path, **more)

    monkeypatch.setattr(AllegroClient, "_send", sending)
    applied = run("apply", saved, "--catalog", catalog_dir, "--auto-approve")  # a prune is
    # checked against Allegro like any change of a saved plan (was: always "changed")
    ended = sent.index("PUT offer-publication-commands")
    assert ended < sent.index("POST product-offers")  # settled before: polled in between
    assert "GET offer-publication-commands" in sent[ended:sent.index("POST product-offers")]
    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    new = _offer_ids(catalog_dir)["MUG-WHITE-NEW"]
    assert backend.offers.get("1000001", white)["publication"]["status"] == "ENDED"
    assert backend.offers.get("1000001", new)["publication"]["status"] in ("ACTIVE", "ACTIVATING")
    assert run("plan", catalog_dir, "--detailed-exitcode", "--prune").exit_code == 0
