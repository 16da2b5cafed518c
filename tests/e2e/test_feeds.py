"""Feeds: prices and stock from the seller's own system (catalogsync.yaml `feeds:`), planned
with their source and applied through the normal planner, with the sales Allegro made after
the feed counted its stock kept sold."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from email.utils import formatdate
from pathlib import Path
from typing import ClassVar

import pytest

from catalogsync.emulator.backend import Backend
from tests.e2e.conftest import Run
from tests.e2e.test_stock_and_sales import applied, buy, live, steer

MUG = "MUG-WHITE-330"  # price 29.99, stock 40 in the example catalog
LAPTOP = "LAPTOP-X14-512"


def with_feed(catalog_dir: Path, rows: str, *, name: str = "erp.csv", spec: str = "",
              at: float | None = None) -> Path:
    """Declare a feed in catalogsync.yaml (once) and write its file, dated `at`."""
    settings = catalog_dir / "catalogsync.yaml"
    if "feeds:" not in settings.read_text():
        spec = spec or "    key: external_id\n    fields: {price: price, stock: stock}\n"
        settings.write_text(settings.read_text() + f"feeds:\n  - file: feeds/{name}\n{spec}")
    path = catalog_dir / "feeds" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(rows)
    if at is not None:
        os.utime(path, (at, at))
    return path


def test_minimal_csv_feed_sets_prices_with_their_source(run: Run, catalog_dir: Path) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"external_id,price\n{MUG},31.50\nNOT-IN-CATALOG,9.99\n",
              spec="    key: external_id\n    fields: {price: price}\n")

    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "~ price: 29.99 PLN → 31.50 PLN" in planned.output
    assert "from feeds/erp.csv:2" in planned.output
    assert ("warning: feed feeds/erp.csv: 1 row for offers the catalog does not have, not "
            "created: NOT-IN-CATALOG (line 3)") in planned.output

    as_json = json.loads(run("plan", catalog_dir, "--format", "json").stdout)
    diffs = [d for c in as_json["changes"] for d in c["diffs"] if c["key"] == MUG]
    assert {"field": "price", "source": "feeds/erp.csv:2"}.items() <= diffs[0].items()
    markdown = run("plan", catalog_dir, "--format", "markdown").output
    assert "from feeds/erp.csv:2" in markdown

    applied(run, catalog_dir)
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_polish_export_semicolons_and_decimal_commas(run: Run, catalog_dir: Path) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"kod;cena_brutto\n{MUG};49,99\n", spec=(
        "    key: kod\n    delimiter: ';'\n    decimal_comma: true\n"
        "    fields: {price: cena_brutto}\n"))
    planned = run("plan", catalog_dir)
    assert "~ price: 29.99 PLN → 49.99 PLN" in planned.output, planned.output


def test_bad_rows_get_file_and_line_errors_also_from_validate(
    run: Run, catalog_dir: Path
) -> None:
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},abc,4\n{LAPTOP},1.00,3\n"
                           f"{LAPTOP},2.00,-2\n")
    for command in ("validate", "plan"):
        result = run(command, catalog_dir)
        assert result.exit_code == 1, result.output
        assert "erp.csv:2:1: price is abc, not an amount like 49.99" in result.output
        assert (f"erp.csv:4:1: key {LAPTOP} again; first on line 3; stock is -2, not a "
                "whole number") in result.output
        assert "Traceback" not in result.output


def test_a_feed_outside_the_catalog_is_refused(run: Run, catalog_dir: Path) -> None:
    (catalog_dir.parent / "secret.csv").write_text("external_id,price\n")
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text() + "feeds:\n  - file: ../secret.csv\n"
                        "    fields: {price: price}\n")
    result = run("validate", catalog_dir)
    assert result.exit_code == 1
    assert "lies outside the catalog directory" in result.output


def test_a_purchase_after_the_feed_time_is_not_put_back_on_sale(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},29.99,50\n", at=time.time() - 60)
    buy(backend, catalog_dir, MUG, 3)  # after the feed's time, before the plan

    planned = run("plan", catalog_dir, "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "~ stock: 37 → 47" in planned.output
    assert "stock 50 (feed at " in planned.output
    assert "− 3 sold since → 47" in planned.output
    assert "via offer-quantity-change-commands GAIN +10" in planned.output

    applied(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 47
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_purchase_before_the_feed_time_is_in_the_count(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    buy(backend, catalog_dir, MUG, 3)  # the warehouse saw it: its count is after it
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},29.99,50\n", at=time.time() + 5)
    applied(run, catalog_dir)
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 50


def test_a_purchase_during_apply_stays_sold(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},29.99,60\n", at=time.time() - 60)
    steer(backend, "/_emulator/settings", {"purchase_on_command": 2})
    applied(run, catalog_dir)
    steer(backend, "/_emulator/settings", {"purchase_on_command": 0})
    assert live(backend, catalog_dir, MUG)["stock"]["available"] == 60 - 2


def test_a_truncated_feed_blocks_the_plan_until_allowed(run: Run, catalog_dir: Path) -> None:
    skus = [f"X-{i}" for i in range(10)]
    rows = "".join(f"{s},10.00,1\n" for s in skus)
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},29.99,40\n{rows}")
    assert run("plan", catalog_dir).exit_code == 0
    with_feed(catalog_dir, f"external_id,price,stock\n{MUG},29.99,40\n")

    blocked = run("plan", catalog_dir, "--detailed-exitcode")
    assert blocked.exit_code == 3, blocked.output
    assert "feed feeds/erp.csv has 1 row, 91% fewer than the 11 of the last run" in blocked.output
    allowed = run("plan", catalog_dir, "--allow-feed-shrink")
    assert allowed.exit_code == 0, allowed.output
    assert run("plan", catalog_dir).exit_code == 0  # the new size is remembered


def test_only_feeds_changes_only_the_fields_feeds_give(run: Run, catalog_dir: Path) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, f"external_id,price\n{MUG},33.00\nMUG-NEW,20.00\n",
              spec="    fields: {price: price}\n")
    mugs = catalog_dir / "offers" / "mugs.yaml"
    text = mugs.read_text()
    new = text[text.index("  MUG-WHITE-330:"):].split("\n  MUG-", 2)[0].replace(
        "MUG-WHITE-330", "MUG-NEW").replace("5901234123457", "5901234123464")
    mugs.write_text(text.replace("Kubek ceramiczny biały 330 ml",
                                 "Kubek ceramiczny biały 330 ml NOWY", 1) + new + "\n")
    assert "+ offer MUG-NEW" in run("plan", catalog_dir).output

    planned = run("plan", catalog_dir, "--only-feeds")
    assert "~ price: 29.99 PLN → 33.00 PLN" in planned.output, planned.output
    assert "NOWY" not in planned.output and "+ offer MUG-NEW" not in planned.output
    assert ("note: feeds: 1 offer of the feeds not on Allegro yet: --only-feeds creates none; "
            "a full apply does") in planned.output
    assert "Plan: 0 to create, 1 to update" in planned.output


class _Feed(http.server.BaseHTTPRequestHandler):
    """A seller's feed server: the feed with an ETag; 304 when asked with it."""

    body: ClassVar[bytes] = b""
    seen: ClassVar[list[tuple[str | None, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.headers.get("Authorization"), self.headers.get("If-None-Match")))
        etag = f'"{hash(self.body)}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(time.time() - 60, usegmt=True))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def test_url_feed_sends_its_header_from_the_environment_and_costs_nothing_unchanged(
    run: Run, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(run, catalog_dir)
    monkeypatch.setenv("ERP_TOKEN", "Bearer s3cret-value")
    _Feed.body, _Feed.seen = f"external_id;cena\n{MUG};35,00\n".encode(), []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/export.csv?key=s3cret-query"
        settings = catalog_dir / "catalogsync.yaml"
        settings.write_text(settings.read_text() + (
            f"feeds:\n  - url: {url}\n    headers: {{Authorization: ERP_TOKEN}}\n"
            "    delimiter: ';'\n    decimal_comma: true\n    fields: {price: cena}\n"))
        first = run("plan", catalog_dir)
        second = run("plan", catalog_dir)
    finally:
        server.shutdown()
        server.server_close()
    for result in (first, second):
        assert result.exit_code == 0, result.output
        assert "~ price: 29.99 PLN → 35.00 PLN" in result.output
        assert f"from http://127.0.0.1:{server.server_address[1]}/export.csv:2" in result.output
        assert "s3cret" not in result.output
    assert [auth for auth, _ in _Feed.seen] == ["Bearer s3cret-value"] * 2
    assert _Feed.seen[0][1] is None and _Feed.seen[1][1] is not None  # the second: a 304


def test_a_marketplace_price_from_a_feed_names_its_source(run: Run, catalog_dir: Path) -> None:
    applied(run, catalog_dir)
    with_feed(catalog_dir, "external_id,czk\nMUG-WHITE-330,150.00\n",
              spec="    fields: {allegro-cz: czk}\n")
    planned = run("plan", catalog_dir)
    assert ("~ marketplaces.allegro-cz: 179.00 CZK → 150.00 CZK\n"
            "          from feeds/erp.csv:2") in planned.output, planned.output
    assert "~ price" not in planned.output
