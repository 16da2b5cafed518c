"""The load cache (catalog/load_cache.py): a load that finds the files it read before gives
exactly what a fresh load gives, parses only the files that changed, and never trusts a
cache it cannot vouch for."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from catalogsync.catalog import loader
from catalogsync.catalog.load_cache import FORMAT
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.errors import CatalogError, Problem
from catalogsync.synthetic import write_catalog
from tests.fuzz.mutations import cases, rewrite

Outcome = tuple[Catalog, dict[tuple[str, str], str]] | list[Problem]


def outcome(directory: Path, cache: Path | None = None) -> Outcome:
    """What a load gives: the catalog with where each entry was read, or the problems."""
    try:
        catalog = load_catalog(directory, cache=cache)
    except CatalogError as exc:
        return exc.problems
    return catalog, dict(catalog._origins)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the catalog files (not catalogsync.yaml) each load parses."""
    names: list[str] = []
    compose = loader.compose

    def spy(file: Path, sections: object = None) -> object:
        if file.name != "catalogsync.yaml":
            names.append(file.name)
        return compose(file, sections)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "compose", spy)
    return names


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    directory = write_catalog(tmp_path / "catalog", 60, per_file=20)
    (directory / "offers" / "extra.yaml").write_text(EXTRA)
    return directory


EXTRA = """\
offers:
  EXTRA-1: &base
    name: Kubek z uchem ceramiczny
    product: {ean: "5901234123457"}
    price: "10.00"
    stock: 3
    images: [https://a.allegroimg.com/original/x/1.jpg]
  EXTRA-2:
    <<: *base
    name: Kubek z uchem ceramiczny duży
variant_sets:
  Kubki:
    parameters: [Kolor]
    offers: [SYN-000000, SYN-000001]
responsible_persons:
  Osoba:
    name: Jan Kowalski
    address: {country_code: PL, street: Polna 1, postal_code: 00-001, city: Warszawa}
    contact: {email: jan@example.com}
"""


def cache_of(directory: Path) -> Path:
    return directory / ".catalogsync" / "load"


def test_a_warm_load_gives_what_a_fresh_one_gives(catalog: Path, parsed: list[str]) -> None:
    fresh = outcome(catalog)
    assert not isinstance(fresh, list), fresh
    parsed.clear()
    assert outcome(catalog, cache_of(catalog)) == fresh  # cold: parses and keeps
    assert len(parsed) == 5
    parsed.clear()
    warm = outcome(catalog, cache_of(catalog))
    assert warm == fresh and parsed == []
    assert list(warm[0].offers) == list(fresh[0].offers)  # in the same order


def test_an_edit_of_one_file_parses_only_that_file(catalog: Path, parsed: list[str]) -> None:
    outcome(catalog, cache_of(catalog))
    edited = catalog / "offers" / "offers-001.yaml"
    edited.write_text(edited.read_text().replace("stock: 30", "stock: 31"))
    parsed.clear()
    warm = outcome(catalog, cache_of(catalog))
    assert parsed == ["offers-001.yaml"]
    assert warm == outcome(catalog)
    assert not isinstance(warm, list) and warm[0].offers["SYN-000020"].stock == 31
    # the old version's entry is forgotten: one entry a catalog file
    assert len(list(cache_of(catalog).iterdir())) == 5


def test_a_file_with_a_problem_is_parsed_every_time(catalog: Path, parsed: list[str]) -> None:
    broken = catalog / "offers" / "offers-002.yaml"
    broken.write_text(broken.read_text().replace("stock: 50", "stock: -1", 1))
    fresh = outcome(catalog)
    assert isinstance(fresh, list) and any("offers-002.yaml" in str(p) for p in fresh)
    outcome(catalog, cache_of(catalog))
    parsed.clear()
    assert outcome(catalog, cache_of(catalog)) == fresh
    assert parsed == ["offers-002.yaml"]


def test_a_kept_file_defined_again_elsewhere_is_reported_as_a_fresh_load_does(
    catalog: Path,
) -> None:
    outcome(catalog, cache_of(catalog))
    first = catalog / "offers" / "a-first.yaml"  # read before the kept files
    first.write_text('offers:\n  SYN-000005: {name: "Kubek zielony 330 ml", stock: 1}\n')
    fresh = outcome(catalog)
    assert isinstance(fresh, list) and any("defined twice" in p.message for p in fresh)
    assert outcome(catalog, cache_of(catalog)) == fresh


def test_settings_are_read_afresh_and_files_chosen_changes_the_key(
    catalog: Path, parsed: list[str]
) -> None:
    outcome(catalog, cache_of(catalog))
    settings = catalog / "catalogsync.yaml"
    data = yaml.safe_load(settings.read_text())
    data["defaults"]["handling_time"] = "P2D"  # offers merge with defaults when planned
    settings.write_text(yaml.safe_dump(data))
    fresh = outcome(catalog)
    parsed.clear()
    warm = outcome(catalog, cache_of(catalog))
    assert warm == fresh and parsed == []
    assert not isinstance(warm, list) and warm[0].settings.defaults.handling_time == "P2D"
    data["files"] = ["shipping.yaml", "offers/*.yaml"]  # no file is skipped as another tool's
    settings.write_text(yaml.safe_dump(data))
    fresh = outcome(catalog)
    parsed.clear()
    assert outcome(catalog, cache_of(catalog)) == fresh
    assert sorted(parsed) == sorted(["shipping.yaml", *(p.name for p in catalog.glob("offers/*"))])


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[:-10],  # cut short
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # a bit flipped
        lambda blob: b"not a cache at all",
        lambda blob: blob.replace(FORMAT, b"catalogsync-load-cache 0\n"),  # another format
    ],
)
def test_a_damaged_cache_is_ignored(
    catalog: Path, parsed: list[str], damage: Callable[[bytes], bytes]
) -> None:
    fresh = outcome(catalog)
    outcome(catalog, cache_of(catalog))
    for entry in cache_of(catalog).iterdir():
        entry.write_bytes(damage(entry.read_bytes()))
    parsed.clear()
    assert outcome(catalog, cache_of(catalog)) == fresh
    assert len(parsed) == 5
    parsed.clear()
    assert outcome(catalog, cache_of(catalog)) == fresh and parsed == []  # written again


class Run:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, ("touch pwned",)


def test_a_forged_entry_with_a_valid_digest_runs_nothing(catalog: Path, tmp_path: Path) -> None:
    import hashlib

    fresh = outcome(catalog)
    outcome(catalog, cache_of(catalog))
    for entry in cache_of(catalog).iterdir():
        payload = pickle.dumps(([("offers", "X", Run())], []))
        head = FORMAT + bytes.fromhex(entry.name) + hashlib.sha256(payload).digest()
        entry.write_bytes(head + payload)
    os.chdir(tmp_path)
    assert outcome(catalog, cache_of(catalog)) == fresh
    assert not (tmp_path / "pwned").exists()


def test_a_cache_that_cannot_be_written_changes_nothing(catalog: Path) -> None:
    blocked = catalog / ".catalogsync"
    blocked.write_text("a file where the cache's folder would be")  # as root, chmod won't do
    assert outcome(catalog, cache_of(catalog)) == outcome(catalog)
    assert blocked.is_file()


def test_mutated_catalogs_load_the_same_with_and_without_the_cache() -> None:
    """The fuzz harness's mutations, each loaded with the cache the earlier ones left."""
    with tempfile.TemporaryDirectory() as scratch:
        directory, cache = Path(scratch) / "catalog", Path(scratch) / "cache"
        previous = None
        for case in cases(400, seed=7):
            rewrite(case, directory, previous)
            previous = case
            assert outcome(directory, cache) == outcome(directory), case


def test_validate_keeps_the_cache_and_says_the_same_warm(catalog: Path, parsed: list[str]) -> None:
    from click.testing import CliRunner

    from catalogsync.cli.main import cli

    cold = CliRunner().invoke(cli, ["validate", str(catalog)])
    parsed.clear()
    warm = CliRunner().invoke(cli, ["validate", str(catalog)])
    assert cold.exit_code == warm.exit_code == 0, cold.output
    assert warm.output == cold.output and "62 offers" in warm.output
    assert parsed == [] and len(list(cache_of(catalog).iterdir())) == 5
    assert (catalog / ".catalogsync" / ".gitignore").read_text() == "*\n"


def test_validate_of_a_folder_that_is_no_catalog_leaves_it_as_it_was(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from catalogsync.cli.main import cli

    (tmp_path / "compose.yaml").write_text("services: {}\n")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code != 0 and "catalogsync.yaml" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml"]
