"""`catalogsync import --update DIR`: copy fields changed on Allegro into the catalog.

The plan shows drift (plan/drift.py): fields someone changed on Allegro since the last apply.
Where Allegro should win, the value belongs in the catalog. This reads the account as a plan
does and writes each drifted field's live value into the offer's entry in its YAML file,
through a round-trip YAML library, so comments, key order, quoting and layout stay as they
were. A field set in `defaults` gets a value of its own in the offer's entry. A value that
has no plain form in the catalog (a product, ids) is named for the person to copy by hand.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from catalogsync.allegro.connect import connect
from catalogsync.catalog.discovery import catalog_files
from catalogsync.catalog.loader import load_catalog
from catalogsync.catalog.models import Catalog
from catalogsync.errors import ConfigError
from catalogsync.live.local_files import with_local_files
from catalogsync.live.moves import moved_index
from catalogsync.live.reader import read_live
from catalogsync.plan.drift import all_drift, describe
from catalogsync.plan.model import Drift
from catalogsync.runs.guards import load_state

#: canonical location keys -> the catalog's
_LOCATION = {"countryCode": "country_code", "province": "province", "city": "city",
             "postCode": "post_code"}
_PLAIN = frozenset({"name", "status", "handling_time", "invoice", "shipping_rates", "images",
                    "size_table", "contact"})


def update_catalog(obj: Any, directory: Path) -> None:
    catalog = load_catalog(directory)
    drift = asyncio.run(_drift(obj, directory, catalog))
    if not drift:
        click.echo("Nothing changed on Allegro since the last apply; the catalog is as it was.")
        return
    by_hand = write_back(directory, catalog, drift)
    copied = sum(len(d) for d in drift.values()) - len(by_hand)
    click.echo(f"Copied {copied} fields changed on Allegro into the catalog "
               f"({len(drift)} offers); review them with `git diff`.")
    for line in by_hand:
        click.echo(f"Copy by hand: {line}", err=True)


async def _drift(obj: Any, directory: Path, catalog: Catalog) -> dict[str, tuple[Drift, ...]]:
    environment = catalog.settings.environment
    async with connect(environment, directory, getattr(obj, "emulator", None)) as client:
        click.echo(f"Acting as seller {client.seller.user_name} on {environment.value}.",
                   err=True)
        index = moved_index(catalog, load_state(directory, environment))  # renames
        live = await read_live(client, catalog, index)
    live = replace(with_local_files(live, catalog, index, directory), applied=index.applied)
    return all_drift(catalog, live, datetime.now(UTC))


def write_back(directory: Path, catalog: Catalog, drift: dict[str, tuple[Drift, ...]]
               ) -> list[str]:
    """Write the drifted values into the offers' entries; what could not be written, as lines
    for the person to copy by hand."""
    by_hand: list[str] = []
    left = dict(drift)
    for path in catalog_files(directory, catalog.settings.files):
        text = path.read_text(encoding="utf-8")
        here = [sku for sku in left if sku in text]  # cheap: most files hold none of them
        if not here:
            continue
        try:
            data, sequence, offset = load_yaml_guess_indent(text, yaml=_yaml())
        except YAMLError as exc:
            raise ConfigError(f"{path}: cannot be read for --update: {exc}") from exc
        offers = data.get("offers") if isinstance(data, dict) else None
        if not isinstance(offers, dict):
            continue
        yaml = _yaml(sequence or 2, offset or 0)
        base = _dumped(yaml, data)
        changed = False
        for sku in here:
            entry = offers.get(sku)
            if not isinstance(entry, dict):
                continue
            currency = catalog.offers[sku].currency or catalog.settings.defaults.currency
            for item in left.pop(sku):
                value = _written(item, currency)
                if value is None:
                    by_hand.append(f"offer {sku} ({path.name}): {describe(item)}")
                    continue
                _put(entry, item.field, value)
                changed = True
        if changed:
            path.write_text(_merged(text, base, _dumped(yaml, data)), encoding="utf-8")
    by_hand += [f"offer {sku}: not found in the catalog's files" for sku in left]
    return by_hand


def _written(drift: Drift, currency: str) -> Any:
    """The live value as the catalog writes it; None where it has no plain form."""
    name, _, parameter = drift.field.partition(".")
    value = drift.now
    if value is None:
        return None
    if parameter:
        return value[0] if isinstance(value, list) and len(value) == 1 else value
    if name in _PLAIN:
        return value
    if name == "price":
        amount, _, unit = str(value).partition(" ")
        return Decimal(amount) if unit == currency else None
    if name == "location":
        return {_LOCATION[k]: v for k, v in value.items() if k in _LOCATION}
    if name == "description":
        return [_section(section) for section in value]
    return None


def _section(items: list[dict[str, str]]) -> Any:
    written = [{"image": i["url"]} if i.get("type") == "IMAGE" else {"text": i.get("content")}
               for i in items]
    return written[0] if len(written) == 1 else written


def _put(entry: dict[str, Any], field: str, value: Any) -> None:
    name, _, parameter = field.partition(".")
    if parameter:
        if not isinstance(entry.get("parameters"), dict):
            entry["parameters"] = CommentedMap()
        entry["parameters"][parameter] = value
    else:
        entry[name] = value


def _yaml(sequence: int = 2, offset: int = 0) -> YAML:
    """Round trip (comments, order and quotes kept); `sequence`: a list item's content below
    its key, `offset`: its dash, as the file has them."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never wrap a long line anew
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    yaml.representer.add_representer(
        Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", str(d)))
    return yaml


def _dumped(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _merged(original: str, base: str, changed: str) -> str:
    """`changed` (the edited document as the YAML library writes it), with the lines it would
    write differently without any edit (`base`: e.g. `- - item`, which it indents anew) kept
    as the file has them."""
    if base == original:
        return changed
    ours, ref, new = (t.splitlines(keepends=True) for t in (original, base, changed))
    if len(ours) != len(ref):
        return changed
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ref, new, autojunk=False).get_opcodes():
        out += ours[i1:i2] if tag == "equal" else new[j1:j2]
    return "".join(out)
