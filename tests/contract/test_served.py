"""Proof of fidelity without us in the loop: an end-to-end session of the CLI against
`catalogsync emulator serve`, over real HTTP through a recording proxy, every exchange checked
by openapi-core (a third-party validator) against Allegro's newest official spec as published.

Known departures of Allegro's server from its spec pass only through the one allow-list,
`catalogsync/emulator/deviations.py` (each with its reason and source).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from click.testing import CliRunner

from catalogsync.cli.main import CliContext, cli
from catalogsync.emulator import conformance, deviations
from tests.e2e.served import served_emulator
from tests.e2e.test_after_sales import with_conditions
from tests.e2e.test_size_tables import use_size_tables
from tests.recording_proxy import Exchange, recording_proxy

openapi_core = pytest.importorskip("openapi_core")
from openapi_core import Config, OpenAPI  # noqa: E402
from openapi_core.datatypes import RequestParameters  # noqa: E402
from werkzeug.datastructures import Headers, ImmutableMultiDict  # noqa: E402

#: openapi-core checks no OAuth2 scheme (the spec's bearer tokens); the auth tests cover them.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")
ROOT = Path(__file__).resolve().parents[2]
#: Allegro's newest spec copy (2026-07-18, see scripts/derive_openapi.py), kept compressed in
#: the repository so that the check runs on any machine.
NEWEST = Path(__file__).parent / "data" / "openapi-latest-bundled-2026-07-18.yaml.gz"
EXAMPLE = ROOT / "examples" / "catalog"
#: Where the spec's servers put an operation (the proxy serves them all on one host).
UPLOAD_HOST = ("POST /sale/images", "PUT /sale/offer-attachments/")
MEDIA = "application/vnd.allegro.public.v1+json"
#: a second size table, which one t-shirt moves to by modification command
XL = """\
  Koszulki XL:
    template: Koszulki
    headers: [Rozmiar, Obwód klatki piersiowej (cm)]
    rows: [[XL, 104]]
"""


@cache
def spec() -> Any:
    """The newest official spec as published (loaded once: a few seconds)."""
    text = gzip.decompress(NEWEST.read_bytes())
    document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    json_media = {MEDIA: json.loads, "application/vnd.allegro.beta.v1+json": json.loads}
    return OpenAPI.from_dict(document, config=Config(extra_media_type_deserializers=json_media))


class SpecRequest:
    """An exchange's request as openapi-core reads it."""

    def __init__(self, exchange: Exchange) -> None:
        upload = any(f"{exchange.method} {exchange.path}".startswith(p) for p in UPLOAD_HOST)
        self.host_url = "https://upload.allegro.pl" if upload else "https://api.allegro.pl"
        self.path = exchange.path
        self.method = exchange.method.lower()
        self.body = exchange.request_body or None
        headers = Headers(list(exchange.request_headers.items()))
        self.content_type = headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(exchange.query, keep_blank_values=True)),
            header=headers, cookie=ImmutableMultiDict(), path={})


class SpecResponse:
    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.headers = Headers(list(exchange.response_headers.items()))
        self.content_type = self.headers.get("content-type", "")
        self.data = exchange.response_body


def _schema_errors(exc: BaseException) -> list[Any]:
    """The jsonschema errors inside an openapi-core validation error, innermost first."""
    found: list[Any] = []
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        errors = getattr(node, "schema_errors", None)
        if errors:
            found += _leaves(errors)
        pending += [getattr(node, "__cause__", None), getattr(node, "__context__", None)]
    return found


def _leaves(errors: Any) -> list[Any]:
    out: list[Any] = []
    for error in errors:
        if error.context:
            out += _leaves(error.context)
        else:
            out.append(error)
    return out


def violations(exchanges: list[Exchange]) -> list[str]:
    """Every request and response the spec refuses and the allow-list does not explain."""
    api = spec()
    found: dict[str, int] = {}
    for exchange in exchanges:
        request, response = SpecRequest(exchange), SpecResponse(exchange)
        for side in ("request", "response"):
            try:
                if side == "request":
                    api.validate_request(request)
                else:
                    api.validate_response(request, response)
            except Exception as exc:  # openapi-core's validation errors
                errors = _schema_errors(exc)
                if errors and all(deviations.allowed(side, e) for e in errors):
                    continue
                detail = "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:3])
                key = (f"{exchange.method} {exchange.path} → {exchange.status}: {side}: "
                       f"{type(exc).__name__}: {detail or exc}")
                found[key] = found.get(key, 0) + 1
    return [f"{key} (×{count})" for key, count in found.items()]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Exchange]]:
    """The CLI's whole session (plan, apply, edits, apply, plan) as recorded by the proxy."""
    work = tmp_path_factory.mktemp("served")
    catalog = work / "catalog"
    shutil.copytree(EXAMPLE, catalog, ignore=shutil.ignore_patterns(".catalogsync"))
    settings = catalog / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace("environment: local",
                                                     "environment: sandbox"))
    (catalog / "images").mkdir()
    (catalog / "images" / "kubek.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    mugs = catalog / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "      - https://a.allegroimg.com/original/11a1b2/kubek-czarny-1.jpg\n",
        "      - https://a.allegroimg.com/original/11a1b2/kubek-czarny-1.jpg\n"
        "      - images/kubek.jpg\n"
        "      - https://sklep.example/zdjecia/kubek-czarny-2.jpg\n"))  # copied by Allegro
    conditions = catalog / "after_sales.yaml"
    with_conditions(catalog)
    mugs.write_text(mugs.read_text().replace(  # on allegro.cz at a price rule's price
        "  MUG-BLACK-330:\n",
        "  MUG-BLACK-330:\n    marketplaces: [allegro-cz]\n"
        "    price_rules: {allegro-cz: Kurs CZ}\n"))
    rules = catalog / "price_rules.yaml"
    rules.write_text("price_rules:\n  Kurs CZ:\n    type: EXCHANGE_RATE\n")
    settings.write_text(settings.read_text().replace(  # tax settings, checked per category
        "  invoice: VAT\n", "  invoice: VAT\n  tax: {rates: {PL: 23, CZ: 21}, subject: GOODS}\n"))
    mugs.write_text(mugs.read_text().replace(  # the seller's own translations
        "    marketplaces:                 #", "    translations:\n"
        "      cs-CZ: {name: Keramický hrnek bílý 330 ml, description: [text: <p>Hrnek.</p>]}\n"
        "      sk-SK: {name: Keramický hrnček biely 330 ml}\n"
        "    marketplaces:                 #", 1))
    with served_emulator(work) as emulator, recording_proxy(emulator.base) as (proxy, record):
        emulator.steer("settings", {"processing_delay": 0.0})
        env = {"CATALOGSYNC_API_URL": proxy, "CATALOGSYNC_ACCESS_TOKEN": emulator.token(),
               "HOME": str(work)}

        def run(*args: str) -> str:
            result = CliRunner().invoke(cli, list(args), obj=CliContext(), env=env)
            assert result.exit_code in (0, 2), result.output
            return result.output

        use_size_tables(catalog)
        run("plan", str(catalog))
        run("apply", str(catalog), "--auto-approve")
        assert "No changes" in run("plan", str(catalog))
        mugs.write_text(mugs.read_text().replace("price: 29.99", "price: 27.99")
                        .replace("allegro-cz: 179.00", "allegro-cz: 169.00")
                        .replace("<p>Hrnek.</p>", "<p>Hrnek na kávu.</p>")
                        .replace("      sk-SK: {name: Keramický hrnček biely 330 ml}\n", ""))
        settings.write_text(settings.read_text().replace("responsible_producer: Fabryka Demo",
                                                         "responsible_producer: Producent Demo"))
        conditions.write_text(conditions.read_text().replace("P21D", "P30D"))
        rules.write_text(rules.read_text() + "    change_by_amount: {operation: ADD, "
                         "values: {CZK: 10.00}}\n")
        shirts = catalog / "offers" / "tshirts.yaml"
        text = shirts.read_text().replace(
            "    stock: 12\n", "    stock: 12\n    safety_information: none\n")
        medium = text.index("TSHIRT-WHITE-M:")
        shirts.write_text(text[:medium] + text[medium:].replace(
            "size_table: Koszulki damskie", "size_table: Koszulki XL", 1))
        sizes = catalog / "sizes.yaml"
        sizes.write_text(sizes.read_text().replace("[L, 96, 66]", "[L, 97, 67]").replace(
            "12 345 67 89", "12 345 67 80").replace("contacts:\n", XL + "contacts:\n"))
        run("apply", str(catalog), "--auto-approve", "--allow-mass-change", "--prune")
        assert "No changes" in run("plan", str(catalog))
        yield [e for e in record.exchanges if not e.path.startswith(("/_emulator", "/auth"))]


def test_the_session_went_over_real_http_through_the_proxy(session: list[Exchange]) -> None:
    operations = {f"{e.method} {e.path.split('/')[2] if e.path.count('/') > 1 else e.path}"
                  for e in session}
    # the mug's two new prices (allegro.pl and .cz) go in one bulk modification (beta)
    assert {"POST images", "POST product-offers", "POST offer-bulk-modification-commands",
            "GET offer-bulk-modification-commands",
            "PUT offer-modification-commands", "POST offer-attachments",
            "POST price-automation", "PUT price-automation",
            "POST offer-price-automation-commands", "GET offer-price-automation-commands",
            "PUT offer-attachments", "POST responsible-producers", "PATCH product-offers",
            "GET offers", "POST return-policies", "PUT return-policies", "GET return-policies",
            "POST implied-warranties", "GET warranties", "POST warranties",
            "GET size-tables-templates", "POST size-tables", "PUT size-tables",
            "POST offer-contacts", "PUT offer-contacts",
            "GET tax-settings", "PATCH offers", "DELETE offers"} <= operations
    assert all(e.status < 400 for e in session), [(e.method, e.path, e.status) for e in session
                                                   if e.status >= 400]
    assert len(session) > 60
    moved = [json.loads(e.request_body)["modification"] for e in session
             if e.path.startswith("/sale/offer-modification-commands/") and e.method == "PUT"]
    assert any("sizeTable" in m for m in moved), moved  # a t-shirt to Koszulki XL, by id
    links = [e for e in session if e.path == "/sale/images" and e.request_body.startswith(b"{")]
    assert [json.loads(e.request_body) for e in links] == [
        {"url": "https://sklep.example/zdjecia/kubek-czarny-2.jpg"}]  # the outside image, once


def test_every_exchange_conforms_to_the_newest_official_spec(session: list[Exchange]) -> None:
    problems = violations(session)
    assert not problems, f"{len(problems)} unexplained violations:\n" + "\n".join(problems[:40])


def test_the_spec_checked_against_is_allegros_as_published() -> None:
    """The copy is byte for byte the file the emulator's served subset was derived from."""
    sources = conformance.spec()["x-derived"]["sources"]
    pinned = {s["file"]: s["sha256"] for s in sources}["openapi-latest-bundled.yaml"]
    assert hashlib.sha256(gzip.decompress(NEWEST.read_bytes())).hexdigest() == pinned


def test_the_check_catches_what_the_spec_refuses() -> None:
    """The validator is no rubber stamp: a body, a query and a null the spec refuse."""
    headers = {"accept": MEDIA, "authorization": "Bearer x"}
    answer = {"content-type": MEDIA}

    def listing(query: str, body: bytes) -> Exchange:
        return Exchange("GET", "/sale/offers", query, headers, b"", 200, answer, body)

    assert violations([listing("limit=5", b'{"offers": [], "count": 0, "totalCount": 0}')]) == []
    (wrong_body,) = violations([listing("limit=5", b'{"offers": "x"}')])
    assert "'x' is not of type 'array'" in wrong_body
    (wrong_query,) = violations([listing("limit=5000", b'{"offers": []}')])
    assert "5000 is greater than the maximum of 1000" in wrong_query
    (null_string,) = violations([listing("", b'{"offers": [{"id": null}]}')])
    assert "None is not of type 'string'" in null_string  # no pass for a null string


def test_the_allow_list_names_a_reason_and_a_source_for_each_entry() -> None:
    for entry in deviations.DEVIATIONS:
        assert entry.side in ("request", "response")
        assert entry.reason and entry.source

