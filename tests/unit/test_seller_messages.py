"""Mistakes a Polish seller makes, each refused at its `file:line` with the value and what to
write instead: a file saved as Windows-1250, tabs, units and currencies after numbers, a
decimal comma, an EAN written in groups."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogsync.catalog.loader import load_catalog
from catalogsync.errors import CatalogError


def problems(tmp_path: Path, offers: bytes) -> list[str]:
    (tmp_path / "catalogsync.yaml").write_text("environment: local\n")
    (tmp_path / "offers.yaml").write_bytes(offers)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    return [str(p).split(f"{tmp_path}{os.sep}", 1)[-1] for p in info.value.problems]


def offer(line: str) -> bytes:
    return f"offers:\n  MUG-1:\n    name: Kubek ceramiczny biały\n    {line}\n".encode()


def test_a_file_saved_as_cp1250_is_told_to_be_saved_as_utf8(tmp_path: Path) -> None:
    text = "offers:\n  MUG-1:\n    name: Kubek ceramiczny żółty\n"
    (found,) = problems(tmp_path, text.encode("cp1250"))
    assert found.startswith("offers.yaml:3:28: the file is not UTF-8 text (byte 0xbf)")
    assert "'name: Kubek ceramiczny żółty'" in found
    assert found.endswith("save the file as UTF-8 (in Notepad or Excel: Save as, Encoding UTF-8)")
    assert "octet" not in found


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (b"offers:\n  MUG-1:\n\tname: Kubek ceramiczny bia\xc5\x82y\n", "offers.yaml:3:1"),
        (b"offers:\n  MUG-1:\n    price: 5\n\tstock: 5\n", "offers.yaml:4:1"),
    ],
)
def test_a_tab_in_the_indentation_is_told_to_be_spaces(
    tmp_path: Path, text: bytes, where: str
) -> None:
    assert problems(tmp_path, text) == [
        f"{where}: invalid YAML: a tab character indents this line, and YAML indents with "
        "spaces only; replace the tab with spaces (most editors can convert tabs to spaces)"
    ]


def test_stock_with_a_unit_says_to_write_the_number_alone(tmp_path: Path) -> None:
    assert problems(tmp_path, offer("stock: 10 szt")) == [
        "offers.yaml:4:12: offers.MUG-1.stock: '10 szt' is not a number; write the number "
        "alone: 10"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("price: 49,99", "'49,99' is not a number; write 49.99 (a dot, not a comma)"),
        ("price: 49.99 zł", "'49.99 zł' is not a number; write 49.99 (without the currency, "
                            "which `currency:` sets)"),
        ("price: 1 299,00 zł", "'1 299,00 zł' is not a number; write 1299.00 (a dot, not a "
                               "comma; without the currency, which `currency:` sets; no spaces)"),
    ],
)
def test_a_price_as_a_seller_writes_it_says_how_to_write_it(
    tmp_path: Path, line: str, message: str
) -> None:
    assert problems(tmp_path, offer(line)) == [f"offers.yaml:4:12: offers.MUG-1.price: {message}"]


def test_an_ean_in_groups_says_to_remove_the_spaces(tmp_path: Path) -> None:
    assert problems(tmp_path, offer("product: {ean: 590 1234 123457}")) == [
        "offers.yaml:4:20: offers.MUG-1.product.ean: '590 1234 123457': write the EAN's digits "
        "alone, 5901234123457 (remove the spaces and dashes)"
    ]
