"""Offers' own translations: the wire form, and the plan's changes per offer and language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalogsync.allegro.translations_wire import manual_translations, translation_body
from catalogsync.catalog import loader
from catalogsync.catalog.loader import load_catalog
from catalogsync.plan.model import Action, Resource, Severity
from catalogsync.plan.planner import Options, plan
from tests.unit.test_planner import NOW, catalog, live, live_mug, mug

TEXT = [[{"type": "TEXT", "content": "<p>Hrnek.</p>"}]]
CZECH = {"name": "Keramický hrnek bílý 330 ml", "description": TEXT}


def state(translations: dict[str, Any] | None = None) -> Any:
    return live(offers={"MUG-1": live_mug()}, translation_languages=("cs-CZ", "hu-HU", "sk-SK"),
                translations={"MUG-1": translations or {}})


def czech_mug(**translation: Any) -> dict[str, Any]:
    written = {"name": "Keramický hrnek bílý 330 ml", "description": [{"text": "<p>Hrnek.</p>"}]}
    return mug(translations={"cs-CZ": {**written, **translation}})


def test_only_the_sellers_own_elements_are_read() -> None:
    answer = {"translations": [
        {"language": "pl-PL", "title": {"translation": "Kubek", "type": "BASE"}},
        {"language": "cs-CZ", "title": {"translation": "Hrnek auto", "type": "AUTO"},
         "description": {"translation": {"sections": [{"items": TEXT[0]}]}, "type": "MANUAL"}},
        {"language": "hu-HU", "title": {"translation": "Bögre", "type": "AUTO"}}]}
    assert manual_translations(answer) == {"cs-CZ": {"description": TEXT}}
    assert translation_body({"name": "Hrnek bílý", "description": TEXT}) == {
        "title": {"translation": "Hrnek bílý"},
        "description": {"translation": {"sections": [{"items": TEXT[0]}]}}}


def test_a_new_language_is_one_patch_after_the_offer() -> None:
    result = plan(catalog({"MUG-1": czech_mug()}), state(), NOW)
    (change,) = result.changes
    assert change.resource is Resource.OFFER_TRANSLATION and change.key == "MUG-1/cs-CZ"
    assert change.action is Action.CREATE
    assert change.request is not None
    assert change.request.path == "/sale/offers/777/translations/cs-CZ"
    assert change.request.body == translation_body(CZECH)


def test_only_what_differs_is_sent_and_equal_text_plans_nothing() -> None:
    assert plan(catalog({"MUG-1": czech_mug()}), state({"cs-CZ": CZECH}), NOW).changes == ()
    current = state({"cs-CZ": {**CZECH, "name": "Hrnek bílý keramický 330"}})
    (change,) = plan(catalog({"MUG-1": czech_mug()}), current, NOW).changes
    assert change.action is Action.UPDATE
    assert change.request is not None
    assert change.request.body == {"title": {"translation": CZECH["name"]}}


def test_an_offer_without_translations_leaves_them_alone() -> None:
    assert plan(catalog({"MUG-1": mug()}), state({"sk-SK": {"name": "x"}}), NOW).changes == ()


def test_a_removed_language_is_deleted_only_when_pruning() -> None:
    current = state({"cs-CZ": CZECH, "sk-SK": {"name": "Keramický hrnček 330 ml"}})
    kept = plan(catalog({"MUG-1": czech_mug()}), current, NOW)
    assert kept.changes == ()
    (note,) = [d for d in kept.diagnostics if d.severity is Severity.NOTE]
    assert "sk-SK translation is no longer in the catalog; kept" in note.message
    (change,) = plan(catalog({"MUG-1": czech_mug()}), current, NOW, Options(prune=True)).changes
    assert change.action is Action.DELETE
    assert change.request is not None and change.request.method == "DELETE"
    assert change.request.path == "/sale/offers/777/translations/sk-SK"


def test_a_created_offer_gets_its_translations_by_its_new_id() -> None:
    result = plan(catalog({"MUG-1": czech_mug()}), live(translation_languages=("cs-CZ",)), NOW)
    (translation,) = [c for c in result.changes if c.resource is Resource.OFFER_TRANSLATION]
    assert translation.request is not None
    assert translation.request.path == "/sale/offers/{offerId}/translations/cs-CZ"


def test_an_unknown_language_is_an_error_and_nothing_is_sent() -> None:
    german = {"de-DE": {"name": "Keramikbecher weiß 330 ml"}}
    result = plan(catalog({"MUG-1": mug(translations=german)}), state(), NOW)
    assert result.changes == ()
    assert [e.message for e in result.errors] == [
        "translations.de-DE: de-DE is not a language of an additional marketplace; known: "
        "cs-CZ, hu-HU, sk-SK"]


def test_ignored_translations_are_left_alone() -> None:
    current = state({"cs-CZ": {"name": "Hrnek bílý keramický 330"}})
    offer = czech_mug()
    offer["ignore_fields"] = ["translations"]
    assert plan(catalog({"MUG-1": offer}), current, NOW).changes == ()


def test_r18_a_translated_description_uses_only_the_offers_images() -> None:
    offer = czech_mug(description=[{"image": "https://img/2.jpg"}])
    result = plan(catalog({"MUG-1": offer}), state(), NOW)
    assert [e.message for e in result.errors] == [
        "translations.cs-CZ: description uses image https://img/2.jpg which is not in the "
        "offer's images; add it to images (R18)"]
    offer = czech_mug(description=[{"image": "https://img/1.jpg"}])
    assert plan(catalog({"MUG-1": offer}), state(), NOW).errors == ()


def test_a_warm_load_keeps_tax_and_translations(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """What a file with tax and translations yielded is kept in `.catalogsync/load/` too."""
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "o.yaml").write_text(
        "offers:\n  A:\n    stock: 1\n    tax: {rates: {PL: 23}}\n"
        "    translations:\n      cs-CZ:\n        name: Keramický hrnek bílý 330 ml\n"
        "        description: [{text: <p>Hrnek.</p>}, {image: https://img/1.jpg}]\n")
    fresh = load_catalog(tmp_path, cache=tmp_path / "load")
    parsed: list[str] = []
    compose = loader.compose

    def spy(file: Path, sections: object = None) -> object:
        parsed.append(file.name)
        return compose(file, sections)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "compose", spy)
    warm = load_catalog(tmp_path, cache=tmp_path / "load")
    assert warm == fresh and "o.yaml" not in parsed
