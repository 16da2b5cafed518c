"""Feeds read as plain values: the three formats, bad rows with their lines, the overlay on the
catalog, the feed stock step, the shrink check and the URL fetch's conditional requests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from catalogsync.catalog.feeds import FeedSpec
from catalogsync.catalog.models import Catalog, Settings
from catalogsync.errors import CatalogError, ConfigError
from catalogsync.feeds.fetch import fetch_feed
from catalogsync.feeds.load import read_feeds, with_feed_values
from catalogsync.feeds.rows import FeedFileError, Row, rows
from catalogsync.feeds.shrink import remember_counts, shrink_problems
from catalogsync.live.state import FeedStock, LiveOffer
from catalogsync.plan.feed_stock import feed_stock_step


def spec(**more: object) -> FeedSpec:
    return FeedSpec.model_validate({"file": "feeds/erp.csv", "fields": {"price": "price"},
                                    **more})


def read(path: Path, feed: FeedSpec, *columns: str) -> list[Row | FeedFileError]:
    return list(rows(path, feed, frozenset(columns)))


def catalog(tmp_path: Path, feeds: list[dict[str, object]], skus: dict[str, object]) -> Catalog:
    return Catalog.model_validate({"settings": {"feeds": feeds}, "offers": skus})


def test_csv_rows_keep_their_starting_line_also_over_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_text('external_id,name,price\nA,"two\nlines",1.00\n\nB,x,2.00\n')
    got = read(path, spec(), "external_id", "price")
    assert got == [Row(2, {"external_id": "A", "price": "1.00"}),
                   Row(5, {"external_id": "B", "price": "2.00"})]


def test_a_missing_column_names_the_header_and_hints_at_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_text("kod;cena\nA;1,00\n")
    [problem] = read(path, spec(), "external_id", "price")
    assert isinstance(problem, FeedFileError) and problem.line == 1
    assert "no column 'external_id', 'price' in the header (kod;cena)" in str(problem)
    assert "delimiter" in str(problem)


def test_json_lines_and_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "erp.jsonl"
    path.write_text('{"sku": "A", "price": 1.5}\n{oops\n["no"]\n{"sku": "B", "price": "2"}\n')
    got = read(path, spec(file="erp.jsonl"), "sku", "price")
    assert got[0] == Row(1, {"sku": "A", "price": "1.5"})
    assert [(p.line, str(p)[:10]) for p in got[1:3] if isinstance(p, FeedFileError)] == [
        (2, "is not JSO"), (3, "is not a J")]
    assert got[3] == Row(4, {"sku": "B", "price": "2"})


def test_xml_one_element_per_product_with_attributes_and_children(tmp_path: Path) -> None:
    path = tmp_path / "erp.xml"
    path.write_text('<?xml version="1.0"?>\n<products>\n <product id="A">\n  <price>1.00</price>'
                    '\n  <stock>4</stock>\n </product>\n <product id="B"><price>2.00</price>'
                    '<stock>0</stock></product>\n</products>\n')
    got = read(path, spec(file="erp.xml"), "id", "price", "stock")
    assert got == [Row(3, {"id": "A", "price": "1.00", "stock": "4"}),
                   Row(7, {"id": "B", "price": "2.00", "stock": "0"})]


def test_xml_items_named_deeper_as_in_a_merchant_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>A</g:id>'
                    '<g:price>3.00</g:price></item></channel></rss>')
    got = read(path, spec(file="feed.xml", item="item"), "g:id", "g:price")
    assert got == [Row(1, {"g:id": "A", "g:price": "3.00"})]


def test_xml_with_a_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
                    '<p><o><id>&lol;</id></o></p>')
    [problem] = read(path, spec(file="bomb.xml"), "id")
    assert isinstance(problem, FeedFileError) and "DOCTYPE" in str(problem)


def test_values_overlay_the_catalog_and_unknown_keys_are_counted(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "erp.csv").write_text(
        "sku;cena;stan;czk\nA;49,99;7;300,00\nZZZ;1,00;1;1,00\n")
    feeds = [{"file": "feeds/erp.csv", "key": "sku", "delimiter": ";", "decimal_comma": True,
              "fields": {"price": "cena", "stock": "stan", "allegro-cz": "czk"}}]
    wanted = catalog(tmp_path, feeds, {"A": {"price": 10, "stock": 1}, "B": {"price": 5}})
    values = read_feeds(tmp_path, wanted, {})
    overlaid = with_feed_values(wanted, values)
    offer = overlaid.offers["A"]
    assert (offer.price, offer.stock, offer.marketplaces) == (
        Decimal("49.99"), 7, {"allegro-cz": Decimal("300.00")})
    assert overlaid.offers["B"].price == Decimal("5.00")
    assert values.source("A", "price") == "feeds/erp.csv:2"
    assert (values.feeds[0].unknown, values.feeds[0].unknown_count) == ([("ZZZ", 3)], 1)


def test_match_by_ean_reaches_every_offer_of_the_product(tmp_path: Path) -> None:
    (tmp_path / "erp.csv").write_text("ean,price\n5901234123457,9.00\n")
    product = {"ean": "5901234123457"}
    wanted = catalog(tmp_path, [{"file": "erp.csv", "key": "ean", "match": "ean",
                                 "fields": {"price": "price"}}],
                     {"A": {"product": product}, "B": {"product": product}, "C": {}})
    values = read_feeds(tmp_path, wanted, {})
    assert sorted(values.values) == ["A", "B"]


@pytest.mark.parametrize(("cell", "problem"), [
    ("", "price is empty"),
    ("0", "an amount above 0"),
    ("1.999", "at most two decimal places"),
    ("12,50", "a decimal comma? set `decimal_comma: true`"),
])
def test_bad_cells_are_problems_at_their_line(tmp_path: Path, cell: str, problem: str) -> None:
    (tmp_path / "erp.csv").write_text(f'external_id,price\nA,"{cell}"\n')
    wanted = catalog(tmp_path, [{"file": "erp.csv", "fields": {"price": "price"}}], {"A": {}})
    with pytest.raises(CatalogError) as caught:
        read_feeds(tmp_path, wanted, {})
    text = str(caught.value)
    assert "erp.csv:2:1: price " in text and problem in text


def test_a_spec_names_a_file_or_a_url_and_only_feedable_fields() -> None:
    with pytest.raises(ValueError, match="file or its url"):
        FeedSpec.model_validate({"fields": {"price": "p"}})
    with pytest.raises(ValueError, match="not name"):
        FeedSpec.model_validate({"file": "a.csv", "fields": {"name": "n"}})
    assert Settings.model_validate({"feeds": [{"file": "a.csv", "fields": {"price": "p"}}]})


def offer(stock: int, ended_by: str | None = None) -> LiveOffer:
    return LiveOffer(id="1", status="ACTIVE", fields={"stock": stock, "ended_by": ended_by})


def test_feed_stock_less_sales_since_is_reached_with_a_gain() -> None:
    feed = FeedStock(count=40, at="2026-12-07T10:00:00Z", source="feeds/erp.csv:12", sold=3)
    step = feed_stock_step(feed, offer(30))
    assert step.diff is not None and (step.diff.old, step.diff.new) == (30, 37)
    assert step.diff.source == ("feeds/erp.csv:12: stock 40 (feed at 2026-12-07 10:00 UTC) "
                                "− 3 sold since → 37")
    assert step.command is not None and step.command.fields == {"change": "GAIN", "value": 7}


def test_feed_stock_never_goes_below_zero_and_unknown_sales_warn() -> None:
    assert feed_stock_step(FeedStock(2, "t", "f:2", 5), offer(0)).diff is None
    unknown = feed_stock_step(FeedStock(5, "2026-12-07T10:00:00Z", "f:2", None), offer(1))
    assert "units sold since may be put on sale again" in unknown.notes[0][1]


def test_a_shrunk_feed_is_reported_and_counts_are_remembered(tmp_path: Path) -> None:
    (tmp_path / "erp.csv").write_text("external_id,price\n" + "A,1.00\n")
    wanted = catalog(tmp_path, [{"file": "erp.csv", "fields": {"price": "price"}}], {"A": {}})
    values = read_feeds(tmp_path, wanted, {})
    counts = tmp_path / "counts.json"
    counts.write_text('{"erp.csv": 10}')
    [problem] = shrink_problems(values, counts, 0.8)
    assert "has 1 row, 90% fewer than the 10 of the last run" in problem
    assert shrink_problems(values, counts, 0.95) == []
    remember_counts(values, counts)
    assert shrink_problems(values, counts, 0.5) == []


def test_url_feed_is_fetched_once_and_then_asked_conditionally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERP_TOKEN", "s3cret-token")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, content=b"external_id,price\nA,1.00\n", headers={
            "ETag": '"v1"', "Last-Modified": "Mon, 07 Dec 2026 10:00:00 GMT"})

    feed = FeedSpec.model_validate({"url": "https://erp.example/feed.csv?token=x",
                                    "headers": {"Authorization": "ERP_TOKEN"},
                                    "fields": {"price": "price"}})
    transport = httpx.MockTransport(answer)
    first = fetch_feed(feed, tmp_path, transport)
    second = fetch_feed(feed, tmp_path, transport)
    assert first == second and first[1] == "2026-12-07T10:00:00Z"
    assert first[0].read_bytes().startswith(b"external_id")
    assert seen[0].headers["authorization"] == "s3cret-token"
    assert seen[1].headers["if-modified-since"] == "Mon, 07 Dec 2026 10:00:00 GMT"
    assert feed.name == "https://erp.example/feed.csv"


def test_url_feed_errors_name_the_feed_but_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = FeedSpec.model_validate({"url": "https://erp.example/f.csv?token=s3cret",
                                    "headers": {"X-Key": "ERP_KEY"}, "fields": {"price": "p"}})
    monkeypatch.delenv("ERP_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"ERP_KEY .* is not set"):
        fetch_feed(feed, tmp_path, httpx.MockTransport(lambda r: httpx.Response(200)))
    monkeypatch.setenv("ERP_KEY", "s3cret")
    with pytest.raises(ConfigError) as caught:
        fetch_feed(feed, tmp_path, httpx.MockTransport(lambda r: httpx.Response(403)))
    assert "403" in str(caught.value) and "s3cret" not in str(caught.value)


def test_a_time_column_gives_the_feed_its_earliest_time(tmp_path: Path) -> None:
    (tmp_path / "erp.csv").write_text(
        "external_id,stock,at\nA,1,2026-12-07T11:00:00+01:00\nB,2,2026-12-07T09:30:00Z\n")
    wanted = catalog(tmp_path, [{"file": "erp.csv", "fields": {"stock": "stock"},
                                 "time_column": "at"}], {"A": {}, "B": {}})
    assert read_feeds(tmp_path, wanted, {}).feeds[0].at == "2026-12-07T09:30:00Z"
