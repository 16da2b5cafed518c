"""Offers' own translations end to end: stood up from an empty account by one apply, changed in
place, a removed language kept unless pruning, and imported back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run, offer_id

SELLER = "1000001"
CZECH = """    translations:
      cs-CZ:
        name: Keramický hrnek bílý 330 ml
        description:
          - text: <p>Klasický bílý hrnek na kávu a čaj.</p>
      sk-SK: {name: Keramický hrnček biely 330 ml}
"""


def translate(catalog_dir: Path, block: str = CZECH) -> Path:
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "    marketplaces:                 #", f"{block}    marketplaces:                 #", 1))
    return mugs


def own(backend: Backend, offer: str) -> dict[str, Any]:
    found = backend.translations.get(SELLER, offer, None)["translations"]
    return {t["language"]: {k: t[k]["translation"] for k in ("title", "description")
                            if (t.get(k) or {}).get("type") == "MANUAL"}
            for t in found}


def test_translations_stand_up_change_in_place_and_import_back(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    mugs = translate(catalog_dir)
    applied = run("apply", catalog_dir, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    white = offer_id(catalog_dir, "MUG-WHITE-330")
    found = own(backend, white)
    assert found["cs-CZ"] == {
        "title": "Keramický hrnek bílý 330 ml",
        "description": {"sections": [{"items": [
            {"type": "TEXT", "content": "<p>Klasický bílý hrnek na kávu a čaj.</p>"}]}]}}
    assert found["sk-SK"] == {"title": "Keramický hrnček biely 330 ml"}
    assert found["hu-HU"] == {}  # Allegro's automatic translation, left alone
    quiet = run("plan", catalog_dir, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output

    mugs.write_text(mugs.read_text().replace("na kávu a čaj", "na kávu"))
    changed = run("plan", catalog_dir, "--detailed-exitcode")
    assert changed.exit_code == 2, changed.output
    assert "offer_translation MUG-WHITE-330/cs-CZ" in changed.output
    before = backend.stats["PATCH /sale/offers/{offerId}/translations/{language}"]
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert backend.stats["PATCH /sale/offers/{offerId}/translations/{language}"] == before + 1
    assert "na kávu.</p>" in str(own(backend, white)["cs-CZ"]["description"])
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0

    adopted = tmp_path / "adopted"
    imported = run("import", adopted)
    assert imported.exit_code == 0, imported.output
    offers: dict[str, Any] = {}
    for path in (adopted / "offers").glob("*.yaml"):
        offers.update(yaml.safe_load(path.read_text())["offers"])
    assert offers["MUG-WHITE-330"]["translations"]["sk-SK"] == {
        "name": "Keramický hrnček biely 330 ml"}
    assert "translations" not in offers["MUG-BLACK-330"]
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0, again.output

    reads = backend.stats["GET /sale/offers/{offerId}/translations"]
    assert run("import", tmp_path / "lean", "--without", "translations").exit_code == 0
    assert backend.stats["GET /sale/offers/{offerId}/translations"] == reads


def test_a_removed_language_is_kept_unless_pruning(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    mugs = translate(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    mugs.write_text(mugs.read_text().replace(
        "      sk-SK: {name: Keramický hrnček biely 330 ml}\n", ""))
    kept = run("plan", catalog_dir, "--detailed-exitcode")
    assert kept.exit_code == 0, kept.output
    assert "sk-SK translation is no longer in the catalog; kept" in kept.output
    pruned = run("apply", catalog_dir, "--auto-approve", "--prune")
    assert pruned.exit_code == 0, pruned.output
    white = offer_id(catalog_dir, "MUG-WHITE-330")
    assert own(backend, white)["sk-SK"] == {}  # the automatic one is back
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_an_unknown_language_is_an_error_at_the_offer(run: Run, catalog_dir: Path) -> None:
    translate(catalog_dir, "    translations:\n      de-DE: {name: Keramikbecher weiß 330 ml}\n")
    planned = run("plan", catalog_dir)
    assert planned.exit_code != 0
    assert "offers/mugs.yaml:" in planned.output
    assert ("translations.de-DE: de-DE is not a language of an additional marketplace; known: "
            "cs-CZ, hu-HU, sk-SK") in planned.output
