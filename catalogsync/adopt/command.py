"""`catalogsync import DIR`: bring an existing account (or a slice of it) under a catalog.

Like `terraform import`: it reads what the account has and writes the catalog a person would
(`entries.py`, `files.py`), records the ids in `catalogsync.lock`, and leaves the plan with
nothing to do — except, for offers that had no external id, the one change that writes their
new key into `external.id`. Into an existing catalog it adds only what is missing, in new
files.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from catalogsync import progress
from catalogsync.adopt.account import Account, Selection, read_account
from catalogsync.adopt.after_sales import after_sales_file, condition_sections
from catalogsync.adopt.entries import (
    DEFAULTABLE,
    Entry,
    entries,
    factor_defaults,
    unmanage_invalid,
)
from catalogsync.adopt.files import (
    dump,
    offer_files,
    responsible_file,
    sizes_file,
    table_file,
    variant_set_file,
    write_new,
)
from catalogsync.adopt.gpsr import KINDS, as_written, responsible_resources
from catalogsync.adopt.ledger import imported_ledger
from catalogsync.adopt.price_rules import add_price_rules, price_rule_file, rules_if_used
from catalogsync.adopt.seen import managed_ids, nothing_imported, record, unseen
from catalogsync.adopt.size_tables import sections as size_sections
from catalogsync.adopt.update import update_catalog
from catalogsync.allegro.connect import connect
from catalogsync.catalog.discovery import catalog_files
from catalogsync.catalog.loader import SETTINGS_FILE, load_catalog
from catalogsync.catalog.models import OFFER_FIELDS, Catalog, Environment
from catalogsync.config import WORK_DIR, lock_file, pacing_path, state_index_path
from catalogsync.live.sales import Window, around, read_sales
from catalogsync.live.state import LivePriceRule
from catalogsync.runs.guards import check_account
from catalogsync.safe_text import visible
from catalogsync.state.index import load_index, save_index
from catalogsync.state.pacing import load_pacing, save_pacing
from catalogsync.state.runlock import Holder, lock_path
from catalogsync.state.storelock import account_lock_everywhere

_STATUSES = {"active": "ACTIVE", "activating": "ACTIVATING", "inactive": "INACTIVE",
             "ended": "ENDED"}


@click.command("import")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--status", "statuses", multiple=True, type=click.Choice(sorted(_STATUSES)),
              help="Only offers in this publication status (repeatable).")
@click.option("--category", "categories", multiple=True, metavar="ID",
              help="Only offers of this category (repeatable).")
@click.option("--offer-id", "offer_ids", multiple=True, metavar="ID",
              help="Only this offer (repeatable); also finds an offer hidden from lists (R22).")
@click.option("--external-id", "external_ids", multiple=True, metavar="SKU",
              help="Only the offer with this external id (repeatable).")
@click.option("--without", multiple=True,
              type=click.Choice([f for f in OFFER_FIELDS if f != "status"]),
              help="Leave this field unmanaged, e.g. stock an ERP owns (repeatable).")
@click.option("--tables/--no-tables", default=True, show_default=True,
              help="Import the account's shipping-rate tables (and variant sets).")
@click.option("--environment", "--env", "environment",
              type=click.Choice([e.value for e in Environment]),
              help="For a new catalog: where it goes (default local).")
@click.option("--max-offers-per-file", default=500, show_default=True,
              type=click.IntRange(min=1), help="Offers in one file at most.")
@click.option("--update", is_flag=True,
              help="Instead: copy the fields changed on Allegro since the last apply into "
                   "the catalog's YAML files (comments and layout kept).")
@click.pass_obj
def import_command(obj: Any, directory: Path, statuses: tuple[str, ...],
                   categories: tuple[str, ...], offer_ids: tuple[str, ...],
                   external_ids: tuple[str, ...], without: tuple[str, ...], tables: bool,
                   environment: str | None, max_offers_per_file: int, update: bool) -> None:
    """Write the catalog of an existing account (or of a part of it) into DIRECTORY."""
    if update:
        if statuses or categories or offer_ids or external_ids or without or environment:
            raise click.UsageError("--update takes the catalog as it is: no selection options")
        update_catalog(obj, directory)
        return
    existing = load_catalog(directory) if (directory / SETTINGS_FILE).exists() else None
    if existing is not None and environment and environment != existing.settings.environment:
        raise click.UsageError(
            f"{directory / SETTINGS_FILE} says environment: {existing.settings.environment}"
        )
    env = existing.settings.environment if existing else Environment(environment or "local")
    directory.mkdir(parents=True, exist_ok=True)
    selection = Selection(
        frozenset(_STATUSES[s] for s in statuses), frozenset(categories),
        frozenset(offer_ids), frozenset(external_ids),
    )
    asyncio.run(_import(obj, directory, env, selection, tables, existing, frozenset(without),
                        max_offers_per_file))


async def _import(obj: Any, directory: Path, environment: Environment, selection: Selection,
                  tables: bool, existing: Catalog | None, without: frozenset[str],
                  per_file: int) -> None:
    """Read and write under the account's run lock: an apply running meanwhile would
    rewrite catalogsync.lock without the ids recorded here."""
    path = pacing_path(directory, environment)
    owner = lock_file(directory, environment).account()
    async with connect(environment, directory, getattr(obj, "emulator", None),
                       owner and owner[0]) as client:
        seller = client.seller.user_name
        click.echo(f"Acting as seller {seller} on {environment.value}.", err=True)
        lock = lock_path(environment.value, client.base_url, seller, directory)
        command = f"catalogsync import {directory}"
        with account_lock_everywhere(lock, command, 0, _ignore, _took_over):
            check_account(client, directory, environment)
            client.pacer.restore(load_pacing(path))
            position = load_index(state_index_path(directory, environment),
                                  lock_file(directory, environment)).stock.position
            try:
                sales = await read_sales(client, position)  # around the offers: live.sales
                account = await read_account(
                    client, selection, progress.for_output(), tables=tables,
                    translations="translations" not in without)
                window = await around(client, sales)
                rules = await rules_if_used(client, account.listed, _base(existing))
                me = await client.get("/me")
            finally:
                save_pacing(path, client.pacer.export())
            login = str(me.get("login") or "") if isinstance(me, dict) else ""
            _write(directory, environment, existing, account, without, per_file, selection,
                   window, rules, {seller: login})


def _ignore(holder: Holder) -> None:
    return None  # with no wait, a holder is named by the refusal itself


def _took_over(holder: Holder) -> None:
    click.echo(f"Took over the lock left by {holder.describe()}: that run ended without "
               "releasing it (crashed or killed).", err=True)


def _write(directory: Path, environment: Environment, existing: Catalog | None,
           account: Account, without: frozenset[str], per_file: int,
           selection: Selection, window: Window | str,
           rules: dict[str, LivePriceRule], seller: dict[str, str]) -> None:
    """`seller` (id: login) is recorded in the lock file as the account its ids belong to."""
    index_path = state_index_path(directory, environment)
    lock = lock_file(directory, environment)
    index = load_index(index_path, lock)
    managed = set(existing.offers) if existing else set()
    claimed = {i for key, i in index.offers.items() if key in managed}
    claimed |= {i for i, d in account.offers.items()
                if ((d.get("external") or {}).get("id")) in managed}
    taken: dict[str, str | None] = {**dict(index.offers), **dict.fromkeys(managed)}
    found = entries(account, without, taken, claimed)
    seen, notes = managed_ids(account, managed, index.offers)
    header = f"# Imported from Allegro by `catalogsync import` on {datetime.now(UTC):%Y-%m-%d}.\n"
    followed = add_price_rules(found, account.listed, _base(existing), rules)
    notes += [note for entry in found for note in entry.notes] + unmanage_invalid(found)
    existing_defaults = catalog_defaults(existing) if existing else None
    used = {kind: {e.fields[kind] for e in found if kind in e.fields} for kind in KINDS}
    responsible, responsible_notes = responsible_resources(
        account.responsible, used, _declared(existing))
    notes += responsible_notes
    conditions, condition_notes = condition_sections(account.conditions, existing)
    notes += condition_notes
    sizes, size_notes = size_sections(account.responsible, _sections(existing))
    notes += size_notes
    defaults = factor_defaults(found, existing_defaults)
    new_tables = {n: t for n, t in account.tables.items()
                  if not existing or n not in existing.shipping_rates}
    keys = {i: k for k, i in index.offers.items() if k in managed}
    keys |= {i: str(d["external"]["id"]) for i, d in account.offers.items() if i in claimed
             and (d.get("external") or {}).get("id") in managed}
    keys |= {e.offer_id: e.key for e in found}
    sets, set_notes = variant_sets(account, keys, set(existing.variant_sets) if existing else set())
    notes += set_notes
    files = offer_files(directory, found, per_file, header)
    files.update(table_file(directory, new_tables, header))
    files.update(variant_set_file(directory, sets, header))
    files.update(responsible_file(directory, responsible, header))
    files.update(after_sales_file(directory, conditions, header))
    files.update(sizes_file(directory, sizes, header))
    files.update(price_rule_file(directory, rules, followed,
                                 set(existing.price_rules) if existing else set(), header))
    if existing is None:
        settings = {"environment": environment.value, "marketplace": "allegro-pl",
                    "defaults": as_written(defaults)}
        files[directory / SETTINGS_FILE] = dump(settings, header)
    write_new(files)
    notes += _outside_patterns(directory, existing, files)
    ids = {**seen, **{e.key: e.offer_id for e in found}}
    saved = record(index, managed, ids, {n: t.id for n, t in new_tables.items()})
    if saved:
        imported_ledger(index, window, found)
        index.account = index.account or seller  # whose ids these are
        save_index(index_path, index)
    notes += unseen(managed - set(index.offers))
    for note in notes:
        click.echo(f"Note: {visible(note, newlines=True)}", err=True)
    _report(directory, found, new_tables, sets, responsible, files, lock.path if saved else None)
    if not found:
        click.echo(f"No offer imported: {nothing_imported(account, selection, len(seen))}.")


def variant_sets(
    account: Account, keys: dict[str, str], known: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """The account's variant sets the catalog lacks, by offer keys and parameter names; a set
    with an offer or a parameter the catalog cannot name is left out, with a note."""
    sets: dict[str, Any] = {}
    notes = []
    for name, found in sorted(account.variant_sets.items()):
        if name in known:
            continue
        offers = [keys.get(i) for i in found.offer_ids]
        parameters = [account.parameter_names.get(p) for p in found.parameter_ids]
        if None in offers or None in parameters or len(offers) < 2:
            notes.append(f"variant set {name} left out: import all its offers "
                         f"({', '.join(found.offer_ids)}) first")
            continue
        sets[name] = {"parameters": parameters, "offers": offers}
    return sets, notes


def catalog_defaults(catalog: Catalog) -> dict[str, Any]:
    """The catalog's defaults in the shapes `entries` writes, to compare offers with."""
    defaults = catalog.settings.defaults.model_dump(mode="json", exclude_none=True)
    location = defaults.get("location")
    if location:
        defaults["location"] = {k: v for k, v in location.items() if v is not None}
    safety = defaults.get("safety_information")
    if isinstance(safety, dict):  # {text: …} or {files: […]}: as an entry writes it
        defaults["safety_information"] = safety.get("text", safety.get("files"))
    if defaults.get("marketplaces"):
        defaults["marketplaces"] = {m: None if p is None else Decimal(p)
                                    for m, p in defaults["marketplaces"].items()}
    return {k: v for k, v in defaults.items() if k in (*DEFAULTABLE, "currency")}


def _outside_patterns(directory: Path, existing: Catalog | None, files: dict[Path, str]
                      ) -> list[str]:
    """New files the catalog's `files:` patterns do not choose: it would not load them."""
    patterns = existing.settings.files if existing else None
    if patterns is None:
        return []
    chosen = set(catalog_files(directory, patterns))
    return [f"{path.relative_to(directory)} is not matched by `files:` in {SETTINGS_FILE}; "
            "add it there, or the catalog will not load what import wrote"
            for path in sorted(files) if path not in chosen and path.name != SETTINGS_FILE]


def _base(catalog: Catalog | None) -> str:
    return catalog.settings.marketplace if catalog else "allegro-pl"


def _declared(catalog: Catalog | None) -> dict[str, set[str]]:
    if catalog is None:
        return {}
    return {"responsible_producer": set(catalog.responsible_producers),
            "responsible_person": set(catalog.responsible_persons)}


def _sections(catalog: Catalog | None) -> dict[str, set[str]]:
    if catalog is None:
        return {}
    return {"size_tables": set(catalog.size_tables), "contacts": set(catalog.contacts)}


def _report(directory: Path, found: list[Entry], tables: dict[str, Any], sets: dict[str, Any],
            responsible: dict[str, dict[str, Any]], files: dict[Path, str], lock: Path | None
            ) -> None:
    people = sum(len(entries) for entries in responsible.values())
    click.echo(f"Imported {len(found)} offers, {len(tables)} shipping-rate tables, "
               f"{len(sets)} variant sets and {people} responsible producers and persons "
               f"into {len(files)} new files under {directory}:")
    for path in sorted(files):
        click.echo(f"  {path.relative_to(directory)}")
    rekeyed = [e for e in found if e.rekey]
    if rekeyed:
        click.echo(
            f"{len(rekeyed)} offers had no external id of their own "
            f"(e.g. {visible(rekeyed[0].key)}): "
            "the next apply writes each key into the offer's external.id, and the account "
            "carries it from then on (catalogsync.lock links the key to the offer until then)."
        )
    if lock is None:
        return  # nothing recorded: why is said next
    keep = "kept with the local emulator's database" if WORK_DIR in lock.parts else (
        "commit it with the catalog")
    click.echo(f"Ids are recorded in {lock}: {keep}. "
               f"Next: catalogsync plan {directory} --detailed-exitcode")
