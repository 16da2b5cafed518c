"""GPSR and additional marketplaces of live offers as the catalog writes them (pure).

Producers and persons are named as on Allegro and written as catalog resources where an
imported offer names them; safety information is its text or `none`. Safety manuals exist on
Allegro only (ATTACHMENTS) and cannot become local files, so an offer that has them leaves the
field unmanaged. A marketplace price is the amount in the marketplace's currency, which the
plan reads back from `GET /marketplaces`; a marketplace without a price is named alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from catalogsync.catalog.gpsr import ResponsiblePerson, ResponsibleProducer
from catalogsync.live.state import LiveResponsible

KINDS = ("responsible_producer", "responsible_person")
#: kind -> the catalog section its resources go in, and the model the loader reads them with
SECTIONS: dict[str, tuple[str, type[ResponsibleProducer] | type[ResponsiblePerson]]] = {
    "responsible_producer": ("responsible_producers", ResponsibleProducer),
    "responsible_person": ("responsible_persons", ResponsiblePerson),
}


def gpsr_and_marketplaces(
    live: dict[str, Any], known: dict[str, set[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The entry fields of an offer's canonical `live` fields, and the fields it leaves
    unmanaged -> why. `known` is kind -> the names of the account's producers and persons."""
    out: dict[str, Any] = {}
    unmanaged: dict[str, str] = {}
    for kind in KINDS:
        name = live.get(kind)
        if name is None:
            continue
        if name in known.get(kind, set()):
            out[kind] = name
        else:
            unmanaged[kind] = f"{kind.replace('_', ' ')} {name} is not among the account's"
    safety = live.get("safety_information")
    if safety and safety.get("type") == "TEXT":
        text = str(safety.get("description") or "")
        if text and text == text.strip() and text.lower() != "none":
            out["safety_information"] = text
        else:  # the loader strips a text and reads the word as no safety information
            unmanaged["safety_information"] = "its text would not read back as it is"
    elif safety and safety.get("type") == "NO_SAFETY_INFORMATION":
        out["safety_information"] = "none"
    elif safety:
        unmanaged["safety_information"] = (
            "safety manuals kept on Allegro cannot become local files; list the files "
            "(PDF, JPEG, PNG) under safety_information to manage it")
    if live.get("marketed_before_gpsr") is not None:
        out["marketed_before_gpsr"] = bool(live["marketed_before_gpsr"])
    if live.get("marketplaces"):
        out["marketplaces"] = {
            marketplace: None if price is None else Decimal(str(price).split(" ")[0])
            for marketplace, price in sorted(live["marketplaces"].items())
        }
    return out, unmanaged


def as_written(fields: dict[str, Any]) -> dict[str, Any]:
    """A copy of `fields` as YAML shows them: marketplaces none of which has a price as a
    list."""
    out = dict(fields)
    marketplaces = out.get("marketplaces")
    if marketplaces and all(price is None for price in marketplaces.values()):
        out["marketplaces"] = list(marketplaces)
    return out


def responsible_resources(
    responsible: dict[str, dict[str, LiveResponsible]],
    used: dict[str, set[str]],
    declared: dict[str, set[str]],
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The catalog sections (`responsible_producers`, `responsible_persons`) with the account's
    entries that imported offers (or defaults) name (`used`, kind -> names) and the catalog
    does not declare yet (`declared`), in the loader's shapes; one the catalog would refuse
    (no e-mail or form from before 2025-03-10, say) is left out with a note: offers still name
    it as it is on Allegro."""
    sections: dict[str, dict[str, Any]] = {}
    notes = []
    for kind, (section, model) in SECTIONS.items():
        for name in sorted(used.get(kind, set()) - declared.get(kind, set())):
            entry = responsible.get(kind, {}).get(name)
            if entry is None:
                continue
            try:
                data = model.model_validate(entry.data).model_dump(exclude_none=True)
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
                notes.append(f"{kind.replace('_', ' ')} {name} left out of the catalog (offers "
                             f"name it as it is on Allegro): {error['msg']}")
                continue
            sections.setdefault(section, {})[name] = data
    return sections, notes
