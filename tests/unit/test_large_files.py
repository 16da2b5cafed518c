"""A file holding a whole catalog: `compose` hands the entries of large sections over as it
composes them and drops them from the tree, with the same refusals, values and problems as
a file composed whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from yaml.nodes import MappingNode, Node

from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.yaml_files import Pairs, compose
from catalogsync.errors import CatalogError, Problem
from catalogsync.synthetic import SETTINGS, TABLES, synthetic_offer


class Recorder:
    """Takes the entries of `offers:` and keeps those whose key ends in 7."""

    names = ("offers",)

    def __init__(self) -> None:
        self.taken: list[str] = []
        self.before: list[list[str]] = []  # the top-level keys before, at each call
        self.values: dict[str, Node] = {}

    def take(self, root: MappingNode, key: Node, section: MappingNode, entries: Pairs) -> Pairs:
        assert key.value == "offers" and section.value[-len(entries) :] == entries
        self.before.append([k.value for k, _ in root.value])
        self.taken += [k.value for k, _ in entries]
        self.values.update((k.value, v) for k, v in entries)
        return [(k, v) for k, v in entries if k.value.endswith("7")]


def entries(count: int, first: str = "", each: str = "") -> str:
    lines = []
    for n in range(count):
        lines += [f"  K{n:04d}:{first if n == 0 else ''}", f"    name: n{n}", f"    n: {n}"]
        lines += [each] if each and n else []
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "offers.yaml"
    file.write_text(text)
    return file


def test_a_large_section_is_handed_over_in_order_and_leaves_the_tree(tmp_path: Path) -> None:
    file = write(tmp_path, "x: 1\noffers:\n" + entries(600) + "y: 2\n")
    recorder = Recorder()
    root = compose(file, recorder)
    assert isinstance(root, MappingNode)
    names = [f"K{n:04d}" for n in range(600)]
    assert recorder.taken == names[: len(recorder.taken)] and len(recorder.taken) > 500
    assert all(before == ["x"] for before in recorder.before)
    offers = [k.value for k, _ in root.value[1][1].value]
    kept = [name for name in recorder.taken if name.endswith("7")]
    assert offers == kept + names[len(recorder.taken) :]
    assert [k.value for k, _ in root.value] == ["x", "offers", "y"]


def test_a_small_section_stays_in_the_tree(tmp_path: Path) -> None:
    file = write(tmp_path, "offers:\n" + entries(3) + "shipping_rates: {}\n")
    recorder = Recorder()
    root = compose(file, recorder)
    assert recorder.taken == []
    assert isinstance(root, Node)
    assert yaml.serialize(root) == yaml.serialize(yaml.compose(file.read_text()))


def test_an_anchor_in_an_entry_handed_over_stays_resolvable(tmp_path: Path) -> None:
    text = "offers:\n" + entries(600, first=" &defaults", each="    <<: *defaults")
    recorder = Recorder()
    root = compose(write(tmp_path, text), recorder)
    assert isinstance(root, Node)
    last = recorder.values[recorder.taken[-1]]
    assert isinstance(last, MappingNode)
    assert last.value[-1][1] is recorder.values["K0000"]


def bomb_across_entries() -> str:
    """A "billion laughs" whose levels lie in entries far apart."""
    levels = [f"  L0: &l0 [{', '.join(['a'] * 9)}]\n"]
    levels += [f"  L{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 6)]
    filler = entries(300)
    return "offers:\n" + "".join(level + filler.replace("K", f"F{i}-") for i, level in
                                 enumerate(levels))


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            bomb_across_entries(),
            (2705, 7, "an alias to the anchor here would expand to 7381 values"),
        ),
        (  # a large anchor is fine until an entry far below aliases it
            "offers:\n  A:\n    p: &big [" + ", ".join(["a"] * 1500) + "]\n"
            + entries(400) + "  Z: {p: *big}\n",
            (3, 8, "an alias to the anchor here would expand to 1501 values"),
        ),
        (
            "offers:\n" + entries(400) + f"  Z: {{p: {deep(60)}}}\n",
            (1202, 58, "nested deeper than 50 levels"),
        ),
        (  # an alias to the whole section: refused as a whole file would be
            "offers: &all\n" + entries(400) + "more: *all\n",
            (1, 9, "an alias to the anchor here would expand to 2401 values"),
        ),
    ],
)
def test_refusals_are_those_of_the_file_composed_whole(
    tmp_path: Path, text: str, expected: tuple[int, int, str]
) -> None:
    file = write(tmp_path, text)
    recorder = Recorder()
    handed = compose(file, recorder)
    whole = compose(file)
    assert isinstance(handed, Problem) and handed == whole
    line, column, message = expected
    assert (handed.line, handed.column) == (line, column)
    assert handed.message.startswith(message)
    assert recorder.taken  # refused after entries were handed over


def test_an_alias_to_its_own_large_section_is_not_a_refusal(tmp_path: Path) -> None:
    text = "--- &root\noffers: &all\n" + entries(400) + "  Z: {back: *root, up: *all}\n"
    recorder = Recorder()
    file = write(tmp_path, text)
    assert isinstance(compose(file, recorder), MappingNode)
    assert isinstance(compose(file), MappingNode)
    assert len(recorder.taken) > 390


def test_nesting_deeper_than_libyaml_can_compose_is_refused(tmp_path: Path) -> None:
    problem = compose(write(tmp_path, "offers: " + deep(100_000) + "\n"))
    assert isinstance(problem, Problem)
    assert problem.message == "invalid YAML: nested deeper than 50 levels"


def catalog_dir(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "catalogsync.yaml").write_text(yaml.safe_dump(SETTINGS, sort_keys=False))
    (directory / "shipping.yaml").write_text(yaml.safe_dump({"shipping_rates": TABLES}))
    for file, text in files.items():
        (directory / file).write_text(text)
    return directory


def offer_text(number: int, parameters: str, price: str = "'29.99'") -> list[str]:
    offer = synthetic_offer(number)
    product, images = offer["product"], offer["images"]
    assert isinstance(product, dict) and isinstance(images, list)
    return [
        f"  SYN-{number:06d}:",
        f"    name: {offer['name']}",
        f"    product: {{ean: '{product['ean']}'}}",
        f"    parameters: {parameters}",
        f"    price: {price}",
        f"    stock: {offer['stock']}",
        f"    images: ['{images[0]}']",
    ]


def offers_file(numbers: range, bad: int | None = None) -> tuple[str, int]:
    """Offers sharing one anchored `parameters` mapping; the line of `bad`'s price."""
    lines = ["offers:"]
    bad_line = 0
    for number in numbers:
        shared = "&stan {Stan: Nowy}" if number == numbers[0] else "*stan"
        price = "'-1'" if number == bad else "'29.99'"
        lines += offer_text(number, shared, price)
        if number == bad:
            bad_line = len(lines) - 2
    return "\n".join(lines) + "\n", bad_line


def test_one_file_of_many_offers_loads_as_the_same_offers_in_many_files(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    count, per_file = 3000, 500
    one = catalog_dir(tmp_path, "one", {"offers.yaml": offers_file(range(count))[0]})
    many = catalog_dir(tmp_path, "many", {
        f"offers-{start:04d}.yaml": offers_file(range(start, start + per_file))[0]
        for start in range(0, count, per_file)
    })
    loaded = load_catalog(one)
    assert loaded == load_catalog(many)
    assert len(loaded.offers) == count
    shared = loaded.offers["SYN-000000"].parameters
    assert shared and loaded.offers["SYN-002999"].parameters == shared

    text, line = offers_file(range(count), bad=2950)
    (one / "offers.yaml").write_text(text)
    with pytest.raises(CatalogError) as error:
        load_catalog(one)
    assert [str(p) for p in error.value.problems] == [
        f"{one / 'offers.yaml'}:{line}:12: offers.SYN-002950.price: must be greater than 0"
    ]
    result = run("validate", one)
    assert f"offers.yaml:{line}:12: offers.SYN-002950.price: must be greater than 0" in (
        result.output
    )


def test_a_yaml_error_late_in_a_large_file_is_its_only_problem(tmp_path: Path) -> None:
    text, _ = offers_file(range(1000), bad=3)
    directory = catalog_dir(tmp_path, "cat", {"offers.yaml": text + "broken: [\n"})
    with pytest.raises(CatalogError) as error:
        load_catalog(directory)
    assert [str(p) for p in error.value.problems] == [
        f"{directory / 'offers.yaml'}:{text.count(chr(10)) + 2}:1: invalid YAML: while parsing a "
        "flow node; did not find expected node content"
    ]


def test_offers_and_a_duplicate_late_in_a_large_file_are_located(tmp_path: Path) -> None:
    text, _ = offers_file(range(1000))
    twice = "\n".join(offer_text(5, "{Stan: Nowy}")) + "\n"
    directory = catalog_dir(tmp_path, "cat", {"offers.yaml": text + twice})
    with pytest.raises(CatalogError) as error:
        load_catalog(directory)
    first = 2 + 7 * 5
    assert [str(p).split(": ", 1)[1] for p in error.value.problems] == [
        f"offers.SYN-000005: duplicate key; first defined on line {first}"
    ]
    assert error.value.problems[0].line == text.count("\n") + 1


def batches(file: Path, walked: bool, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The batches of entries handed over, with the per-node walk forced on or refused."""
    import catalogsync.catalog.yaml_files as yaml_files

    def refused(*args: object) -> int:
        raise AssertionError("a file without aliases is walked")

    with monkeypatch.context() as patch:
        patch.setattr(yaml_files, "_may_alias", lambda file: walked)
        if not walked:
            patch.setattr(yaml_files._Measure, "size", refused)
        seen: list[list[str]] = []

        class Batches(Recorder):
            def take(self, root: MappingNode, key: Node, section: MappingNode,
                     entries: Pairs) -> Pairs:
                seen.append([k.value for k, _ in entries])
                return super().take(root, key, section, entries)

        assert isinstance(compose(file, Batches()), MappingNode)
    return seen


def test_a_file_without_aliases_is_counted_not_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path, "x: 1\noffers:\n" + entries(600) + "y: [1, 2]\n")
    counted = batches(file, False, monkeypatch)
    assert counted == batches(file, True, monkeypatch)
    assert sum(map(len, counted)) > 500


@pytest.mark.parametrize(
    ("text", "may_alias"),
    [
        ("a: '5 * 3 = 15'\nb: [1, 2]\nc: {d: 2*}\n", False),
        ("a: *x\n", True),
        ("a: [*x]\n", True),
        ("a: 'a *bold* word'\n", True),  # a star in a text: measured, as if it were one
    ],
)
def test_only_a_text_that_may_hold_an_alias_is_walked(
    tmp_path: Path, text: str, may_alias: bool
) -> None:
    from catalogsync.catalog.yaml_files import _may_alias

    assert _may_alias(write(tmp_path, text)) is may_alias


def test_an_alias_token_across_the_scans_chunks_is_found(tmp_path: Path) -> None:
    from catalogsync.catalog.yaml_files import _may_alias

    padding = "#" + "x" * ((1 << 20) - 6) + "\n"
    file = write(tmp_path, padding + "a: *x\n")
    assert file.read_bytes()[: 1 << 20].endswith(b"*")  # the star ends the first chunk
    assert _may_alias(file)


@pytest.mark.parametrize(
    "text",
    [
        "offers: " + deep(200) + "\n",
        "x: " + "{k: " * 60 + "1" + "}" * 60 + "\n",  # mapping values
        "x: {" + deep(60) + ": 1}\n",  # a mapping key
        "x: " + "[" * 51 + "leaf" + "]" * 51 + "\n",  # a scalar just too deep
        "x: " + "[" * 50 + "leaf, []" + "]" * 50 + "\n",  # an empty list just too deep
        "offers:\n" + entries(400) + f"  Z: {{p: [1, {deep(60)}]}}\n",
    ],
)
def test_a_file_without_aliases_is_refused_where_the_walk_refuses_it(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalogsync.catalog.yaml_files as yaml_files

    file = write(tmp_path, text)
    counted = compose(file, Recorder()), compose(file)
    monkeypatch.setattr(yaml_files, "_may_alias", lambda file: True)
    walked = compose(file, Recorder()), compose(file)
    assert isinstance(counted[0], Problem) and "nested deeper than 50" in counted[0].message
    assert counted == walked
