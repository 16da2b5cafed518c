"""The catalog loader: YAML files in, a frozen Catalog or every located problem out."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from catalogsync.catalog.loader import load_catalog, load_settings
from catalogsync.catalog.models import (
    Environment,
    ImageItem,
    ParamRange,
    Product,
    Status,
    TextItem,
)
from catalogsync.errors import CatalogError, Problem

SETTINGS = "environment: local\n"
OFFER = """
    offers:
      MUG-001:
        name: Ceramic mug red 330 ml
        price: 29.99
        stock: 5
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path so that the catalog is given as the relative path `cat`."""
    monkeypatch.chdir(tmp_path)


def write(files: dict[str, str], root: str = "cat") -> Path:
    for name, text in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return Path(root)


def problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(directory)
    return [str(problem) for problem in info.value.problems]


def test_a_multi_file_catalog_loads_and_merges() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": """
            environment: sandbox
            defaults:
              currency: PLN
              handling_time: P2D
            shipping_rates:
              standard:
                rates:
                  - delivery_method: inpost
                    first_item: 9.99
        """,
                "offers/mugs.yaml": OFFER,
                "offers/more/cups.yml": """
            offers:
              CUP-7:
                product: {ean: "5901234123457"}
                price: 12
                status: inactive
                location: {city: Kraków, province: MALOPOLSKIE, post_code: 30-001}
        """,
                "sets.yaml": """
            variant_sets:
              mugs-and-cups:
                parameters: [Kolor]
                offers: [MUG-001, CUP-7]
        """,
                "offers/later.yaml": "offers:\n",
                "empty.yaml": "# nothing yet\n",
                ".catalogsync/state.yaml": "not: [a, catalog",
                ".pre-commit-config.yaml": "repos: []\n",
                "notes.txt": "not yaml",
            }
        )
    )

    assert catalog.settings.environment is Environment.SANDBOX
    assert catalog.settings.defaults.handling_time == "P2D"
    assert list(catalog.offers) == ["CUP-7", "MUG-001"]  # files in sorted path order
    mug, cup = catalog.offers["MUG-001"], catalog.offers["CUP-7"]
    assert (mug.name, mug.price, mug.stock) == ("Ceramic mug red 330 ml", Decimal("29.99"), 5)
    assert cup.product is not None and cup.product.ean == "5901234123457"
    assert (cup.price, cup.status) == (Decimal("12.00"), Status.INACTIVE)
    assert cup.location is not None and cup.location.post_code == "30-001"
    assert catalog.shipping_rates["standard"].rates[0].first_item == Decimal("9.99")
    assert catalog.variant_sets["mugs-and-cups"].offers == ("MUG-001", "CUP-7")


def test_a_description_section_is_a_list_of_items_or_one_bare_item() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "offers.yaml": """
            offers:
              MUG-001:
                images: [https://img.example.com/1.jpg]
                description:
                  - text: <p>Stoneware.</p>
                  - - image: https://img.example.com/1.jpg
                    - text: <p>Holds 330 ml.</p>
        """,
            }
        )
    )

    assert catalog.offers["MUG-001"].description == (
        (TextItem(text="<p>Stoneware.</p>"),),
        (ImageItem(image="https://img.example.com/1.jpg"), TextItem(text="<p>Holds 330 ml.</p>")),
    )


def test_description_errors_point_into_bare_and_listed_sections() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "offers.yaml": """
            offers:
              MUG-001:
                description:
                  - image: ""
                  - - text: a
                    - tex: b
                  - {text: a, image: b.jpg}
                  - just words
        """,
            }
        )
    )

    assert found == [
        "cat/offers.yaml:4:16: offers.MUG-001.description.0.image: must have at least 1 character",
        "cat/offers.yaml:6:11: offers.MUG-001.description.1.1.tex: unknown key; "
        "did you mean 'text'?",
        "cat/offers.yaml:7:9: offers.MUG-001.description.2: must have only one of the keys "
        "text, image",
        "cat/offers.yaml:8:9: offers.MUG-001.description.3: must be a list",
    ]


def test_validation_errors_are_located_and_worded_for_humans() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "offers/mugs.yaml": """
            offers:
              MUG-001:
                name: Ceramic mug red 330 ml
                price: 1.234
                stok: 3
                status: activ
                handling_time: 2 days
                product: {id: ""}
                location:
                  province: MAZOWIECKIE
                  post_code: 00-950
        """,
            }
        )
    )

    assert found == [
        "cat/offers/mugs.yaml:4:12: offers.MUG-001.price: must have at most two decimal places",
        "cat/offers/mugs.yaml:5:5: offers.MUG-001.stok: unknown key; did you mean 'stock'?",
        "cat/offers/mugs.yaml:6:13: offers.MUG-001.status: must be one of active, inactive, "
        "ended; did you mean 'active'?",
        "cat/offers/mugs.yaml:7:20: offers.MUG-001.handling_time: must be one of PT0S, PT24H, "
        "P2D, P3D, P4D, P5D, P7D, P10D, P14D, P21D, P30D, P60D",
        "cat/offers/mugs.yaml:8:14: offers.MUG-001.product: give the product's ean or its id",
        # a missing field: the mapping that lacks it
        "cat/offers/mugs.yaml:10:7: offers.MUG-001.location.city: field required",
    ]


def test_an_unknown_key_without_a_close_match_lists_the_known_ones() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": "shipping_rates:\n  std:\n"
                "    rates: [{delivery_method: x, first_item: 1}]\n"
                "    zzz: 1\n",
            }
        )
    )

    assert found == [
        "cat/o.yaml:4:5: shipping_rates.std.zzz: unknown key; expected one of rates, "
        "moved_from, renamed_from"
    ]


def test_yaml_1_1_scalars_and_the_quote_hint() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              MUG-001:
                category: 257931
                stock: 0x10
                location: {country_code: NO, city: Oslo, post_code: "0150"}
                scheduled_for: 2026-13-01
              1001: {stock: 1}
        """,
            }
        )
    )

    # Numbers are fine where a string is expected (ids); YAML 1.1 booleans are not.
    assert found == [
        "cat/o.yaml:5:30: offers.MUG-001.location.country_code: must be a string; "
        "put it in quotes: 'NO'",
        "cat/o.yaml:6:20: offers.MUG-001.scheduled_for: invalid timestamp: month must be in 1..12",
    ]


def test_scalars_are_built_as_yaml_1_1_safe_loading_does() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              MUG-001:
                stock: 0x10
                price: 1_000.5
                scheduled_for: 2099-12-01 10:00:00Z
                product: {ean: "5901234123457", parameters: {Kolor: [red, 2]}}
        """,
            }
        )
    )

    offer = catalog.offers["MUG-001"]
    assert (offer.stock, offer.price) == (16, Decimal("1000.50"))
    assert offer.scheduled_for is not None and offer.scheduled_for.isoformat() == (
        "2099-12-01T10:00:00+00:00"
    )
    assert offer.product is not None and offer.product.parameters == {"Kolor": ("red", "2")}


def test_duplicate_keys_inside_a_file_are_errors_naming_both_lines() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              MUG-001:
                price: 10
                stock: 1
                price: 12
              MUG-001:
                price: 3
            offers: {}
        """,
            }
        )
    )

    assert found == [
        "cat/o.yaml:5:5: offers.MUG-001.price: duplicate key; first defined on line 3",
        "cat/o.yaml:6:3: offers.MUG-001: duplicate key; first defined on line 2",
        "cat/o.yaml:8:1: offers: duplicate key; first defined on line 1",
    ]


def test_the_same_offer_in_two_files_names_both_and_still_checks_the_copy() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": OFFER,
                "b/more.yaml": """
            variant_sets: {}
            offers:
              MUG-001:
                price: -1
        """,
            }
        )
    )

    assert found == [
        "cat/b/more.yaml:3:3: offers.MUG-001: defined twice; first at cat/a.yaml:2:3",
        "cat/b/more.yaml:4:12: offers.MUG-001.price: must be greater than 0",
    ]


def test_a_yaml_syntax_error_is_located_and_other_files_are_still_checked() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": "offers:\n  MUG-001:\n    name: [Ceramic mug\n    price: 3\n",
                "b.yaml": "offers:\n  MUG-002:\n    price: 0.001\n",
                "c.yaml": "offers:\n  MUG-003:\n    price: 1\n   stock: 2\n",
            }
        )
    )

    assert found == [
        "cat/a.yaml:4:10: invalid YAML: while parsing a flow sequence on line 3; "
        "did not find expected ',' or ']'",
        "cat/b.yaml:3:12: offers.MUG-002.price: must have at most two decimal places",
        "cat/c.yaml:4:4: invalid YAML: while parsing a block mapping on line 2; "
        "did not find expected key",
    ]


def test_every_problem_of_every_file_is_reported_at_once() -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(
            write(
                {
                    "catalogsync.yaml": "environment: prod\ndefaults:\n  curency: PLN\n",
                    "a.yaml": "offers:\n  A-1: {price: 1.001}\n  A-2: {stock: -1}\n",
                    "b.yaml": "ofers: {}\nenvironment: local\n",
                    "c.yaml": "- not a mapping\n",
                    "d.yaml": "variant_sets: [a, b]\n",
                }
            )
        )

    assert info.value.problems == [
        Problem(
            Path("cat/a.yaml"), 2, 16, "offers.A-1.price: must have at most two decimal places"
        ),
        Problem(Path("cat/a.yaml"), 3, 16, "offers.A-2.stock: must be greater than or equal to 0"),
        Problem(Path("cat/b.yaml"), 1, 1, "ofers: unknown section; did you mean 'offers'?"),
        Problem(
            Path("cat/b.yaml"), 2, 1, "environment: is a setting; it belongs in catalogsync.yaml"
        ),
        Problem(
            Path("cat/c.yaml"),
            1,
            1,
            "must be a mapping with any of the sections offers:, shipping_rates:, variant_sets:, "
                "responsible_producers:, responsible_persons:, return_policies:, "
                "implied_warranties:, warranties:, size_tables:, contacts:, price_rules:",
        ),
        Problem(
            Path("cat/catalogsync.yaml"),
            1,
            14,
            "environment: must be one of local, sandbox, production",
        ),
        Problem(
            Path("cat/catalogsync.yaml"),
            3,
            3,
            "defaults.curency: unknown key; did you mean 'currency'?",
        ),
        Problem(
            Path("cat/d.yaml"), 1, 15, "variant_sets: must be a mapping of set name to variant set"
        ),
    ]
    assert str(info.value).endswith("\ncatalog is invalid: 8 problems")


def test_variant_sets_must_name_catalog_offers_each_in_one_set() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": "offers:\n  A: {}\n  B: {}\n  C: {}\n",
                "sets.yaml": """
            variant_sets:
              one:
                parameters: [Kolor]
                offers: [A, B, X]
              two:
                parameters: [Kolor]
                offers:
                  - C
                  - B
        """,
            }
        )
    )

    assert found == [
        "cat/sets.yaml:4:20: variant_sets.one.offers.2: no offer 'X' in the catalog",
        "cat/sets.yaml:9:9: variant_sets.two.offers.1: offer 'B' is already in variant set 'one'",
    ]


def test_an_unreadable_file_does_not_cause_false_missing_offer_reports() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": "offers:\n  A: {}\n  B: [\n",
                "sets.yaml": "variant_sets:\n  s: {parameters: [Kolor], offers: [A, B]}\n",
            }
        )
    )

    assert len(found) == 1 and found[0].startswith("cat/a.yaml:4:1: invalid YAML:")


def test_offers_checked_file_by_file_are_still_known_to_the_other_files() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": "offers:\n  A: {}\n  B: {price: -1}\n",
                "b.yaml": "offers:\n  C: {stock: -1}\n  D: {}\n",
                "sets.yaml": "variant_sets:\n  s: {parameters: [Kolor], offers: [A, B, C, D, X]}\n",
            }
        )
    )

    assert found == [
        "cat/a.yaml:3:14: offers.B.price: must be greater than 0",
        "cat/b.yaml:2:14: offers.C.stock: must be greater than or equal to 0",
        "cat/sets.yaml:2:49: variant_sets.s.offers.4: no offer 'X' in the catalog",
    ]


def test_offers_may_be_kept_in_the_settings_file_alone_or_beside_other_files() -> None:
    with_offers = SETTINGS + dedent(OFFER)
    alone = load_catalog(write({"catalogsync.yaml": with_offers}))
    beside = load_catalog(
        write({"catalogsync.yaml": with_offers, "b.yaml": "offers:\n  B: {}\n"}, "two")
    )
    broken = problems(write({"catalogsync.yaml": SETTINGS + "offers:\n  A: {stock: -1}\n"}, "bad"))

    assert list(alone.offers) == ["MUG-001"] and alone.offers["MUG-001"].stock == 5
    assert list(beside.offers) == ["MUG-001", "B"]
    assert broken == [
        "bad/catalogsync.yaml:3:14: offers.A.stock: must be greater than or equal to 0"
    ]


def test_merge_keys_are_applied_and_explicit_keys_win_without_a_duplicate_error() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              MUG-001: &mug
                name: Ceramic mug red 330 ml
                price: 10
              MUG-002:
                <<: *mug
                price: 12
        """,
            }
        )
    )

    assert catalog.offers["MUG-002"].name == "Ceramic mug red 330 ml"
    assert catalog.offers["MUG-002"].price == Decimal("12.00")


def test_a_missing_settings_file_says_how_to_create_it_and_the_rest_is_checked() -> None:
    found = problems(write({"o.yaml": "offers:\n  A: {price: 0}\n"}))

    assert found == [
        "cat/catalogsync.yaml: missing: every catalog needs a catalogsync.yaml at its top; "
        "create one, e.g. with the single line `environment: local` (or sandbox, production)",
        "cat/o.yaml:2:14: offers.A.price: must be greater than 0",
    ]


def test_a_directory_without_any_catalog_is_an_error(tmp_path: Path) -> None:
    Path("empty").mkdir()
    assert problems(Path("empty")) == [
        "empty: not a catalog: no catalogsync.yaml and no *.yaml files; create catalogsync.yaml "
        "(e.g. `environment: local`) and put offers in *.yaml files next to it"
    ]
    assert problems(Path("nowhere")) == ["nowhere: no such directory"]


def test_load_settings_reads_only_the_settings_file() -> None:
    directory = write(
        {
            "catalogsync.yaml": "environment: production\noffers: {A: {price: 0}}\n",
            "broken.yaml": "offers: [",
        }
    )

    settings = load_settings(directory)

    assert settings.environment is Environment.PRODUCTION
    assert settings.defaults.currency == "PLN"


def test_load_settings_reports_problems_the_same_way() -> None:
    write({"catalogsync.yaml": "environment: local\ndefaults:\n  status: on\n"})
    with pytest.raises(CatalogError) as info:
        load_settings(Path("cat"))
    assert [str(p) for p in info.value.problems] == [
        "cat/catalogsync.yaml:3:11: defaults.status: must be one of active, inactive, ended",
    ]

    with pytest.raises(CatalogError) as missing:
        load_settings(Path("elsewhere"))
    assert [str(p) for p in missing.value.problems] == ["elsewhere: no such directory"]


def test_unusual_yaml_is_reported_as_problems_not_raised() -> None:
    Path("cat").mkdir()
    Path("cat/b.yaml").write_bytes(b'offers:\n  E: {name: "\xff"}\n')  # not UTF-8
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "a.yaml": """
            offers:
              A: &a {x: *a}
              B:
                <<: 5
              ? [a]
              : 1
              C: {price: !foo 3}
        """,
            }
        )
    )

    assert found == [
        "cat/a.yaml:2:6: offers.A: an alias refers to a node that contains it",
        "cat/a.yaml:4:9: offers.B.<<: '<<' merges a mapping or a list of mappings "
        "(e.g. <<: *defaults)",
        "cat/a.yaml:5:5: offers: a key must be a plain value",
        "cat/a.yaml:7:14: offers.C.price: could not determine a constructor for the tag '!foo'",
        "cat/b.yaml:2:14: the file is not UTF-8 text (byte 0xff); read as Windows-1250 this "
        "line says 'E: {name: \"˙\"}': save the file as UTF-8 (in Notepad or Excel: Save as, "
        "Encoding UTF-8)",
    ]


def test_identifiers_are_their_source_text_never_yaml_1_1_numbers_or_booleans() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": "defaults: {shipping_rates: 2024}\n",
                "o.yaml": """
            offers:
              0755: {stock: 1, product: {ean: 0123456701236}}
              12:30: {stock: 1, product: {id: 0x1F}}
              on:
                stock: 1
                category: 0257931
                location: {country_code: "NO", city: Oslo, post_code: 0150}
              no: {stock: 1, parameters: {Waga: 1.50, Kod: [007, yes]}}
              1_000: {stock: 1}
            shipping_rates:
              2024:
                renamed_from: 1e3
                rates: [{delivery_method: 0x10, first_item: 0x10}]
            variant_sets:
              Kubki: {parameters: [0755], offers: [0755, 12:30]}
        """,
            }
        )
    )

    assert sorted(catalog.offers) == ["0755", "12:30", "1_000", "no", "on"]
    product = catalog.offers["0755"].product
    assert product is not None and product.ean == "0123456701236"
    assert catalog.offers["12:30"].product == Product(id="0x1F")
    assert catalog.offers["on"].category == "0257931"
    location = catalog.offers["on"].location
    assert location is not None and location.post_code == "0150"
    assert catalog.offers["no"].parameters == {"Waga": ("1.50",), "Kod": ("007", "yes")}
    table = catalog.shipping_rates["2024"]
    assert table.renamed_from == "1e3"
    assert table.rates[0].delivery_method == "0x10"
    assert table.rates[0].first_item == Decimal("16.00")  # a price is a number: 0x10 is 16
    assert catalog.settings.defaults.shipping_rates == "2024"
    assert catalog.variant_sets["Kubki"].offers == ("0755", "12:30")


def test_a_key_yaml_reads_as_null_is_refused_with_quote_it() -> None:
    found = problems(
        write({"catalogsync.yaml": SETTINGS, "o.yaml": "offers:\n  ~: {stock: 1}\n"})
    )

    assert found == ["cat/o.yaml:2:3: offers: YAML reads ~ as null; quote it: '~'"]


def test_validate_checks_ean_gtin_check_digits_and_lengths() -> None:
    found = problems(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              A: {stock: 1, product: {ean: "5901234123458"}}
              B: {stock: 1, product: {ean: "590123412345"}}
              C: {stock: 1, product: {ean: "96385074"}}
              D: {stock: 1, product: {ean: "00012345600012"}}
              E: {stock: 1, product: {ean: "036000291452"}}
        """,
            }
        )
    )

    assert found == [
        "cat/o.yaml:2:32: offers.A.product.ean: the check digit of EAN 5901234123458 is 8, "
        "but its other digits give 7: a typo?",
        "cat/o.yaml:3:32: offers.B.product.ean: the check digit of EAN 590123412345 is 5, "
        "but its other digits give 2: a typo?",
    ]


def test_a_parameter_is_values_or_a_range_from_to() -> None:
    catalog = load_catalog(
        write(
            {
                "catalogsync.yaml": SETTINGS,
                "o.yaml": """
            offers:
              A: {stock: 1, parameters: {Temperatura: {from: 60, to: 90.50}, Cechy: [a, b]}}
        """,
            }
        )
    )
    parameters = catalog.offers["A"].parameters
    assert parameters is not None
    assert parameters["Temperatura"] == ParamRange(start="60", end="90.50")
    assert parameters["Cechy"] == ("a", "b")

    found = problems(
        write({"catalogsync.yaml": SETTINGS,
               "o.yaml": "offers:\n  A: {stock: 1, parameters: {T: {from: 1}}}\n"})
    )
    assert found == [
        "cat/o.yaml:2:33: offers.A.parameters.T: a range is written {from: 60, to: 90}; "
        "other values as text or a list"
    ]


# --------------------------------------------------------------------------- which files


def test_yaml_of_other_tools_is_skipped_with_a_note() -> None:
    directory = write({
        "catalogsync.yaml": SETTINGS,
        "offers.yaml": OFFER,
        "docker-compose.yaml": "services:\n  db:\n    image: postgres\n",
        "deploy/pipeline.yml": "stages: [test]\n",
    })
    notes: list[str] = []
    catalog = load_catalog(directory, notes)
    assert list(catalog.offers) == ["MUG-001"]
    assert [n.split(" is not")[0] for n in notes] == [
        "note: deploy/pipeline.yml", "note: docker-compose.yaml"
    ]


def test_a_misspelt_section_is_still_an_error_not_a_skipped_file() -> None:
    directory = write({"catalogsync.yaml": SETTINGS, "offers.yaml": "ofers:\n  X: {}\n"})
    assert problems(directory) == [
        "cat/offers.yaml:1:1: ofers: unknown section; did you mean 'offers'?"
    ]


def test_files_setting_chooses_the_catalog_files_and_skips_nothing_it_names() -> None:
    directory = write({
        "catalogsync.yaml": SETTINGS + "files: [offers/*.yaml]\n",
        "offers/mugs.yaml": OFFER,
        "offers/compose.yaml": "services: {}\n",
        "other.yaml": "this: is not read\n",
    })
    found = problems(directory)
    assert len(found) == 1
    assert found[0].startswith("cat/offers/compose.yaml:1:1: services: unknown section")
