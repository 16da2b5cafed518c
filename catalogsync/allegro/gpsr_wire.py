"""GPSR's JSON shapes <-> canonical fields. Pure: no I/O.

Canonical offer fields (of the offer's first product, which is what Allegro's modification
command changes too):
    responsible_producer str (its name) · responsible_person str (its name)
    · safety_information {"type": "TEXT", "description"} | {"type": "ATTACHMENTS",
      "attachments": [attachment id]} | {"type": "NO_SAFETY_INFORMATION"}
    · marketed_before_gpsr bool

Canonical producer / person data: `{"trade_name"|"name", "address": {...}, "contact": {...}}`
with the catalog's snake_case keys and unset contact fields left out.
"""

from __future__ import annotations

from typing import Any

#: canonical field -> key of a `productSet` element
PRODUCT_SET_KEYS = {
    "responsible_producer": "responsibleProducer",
    "responsible_person": "responsiblePerson",
    "safety_information": "safetyInformation",
    "marketed_before_gpsr": "marketedBeforeGPSRObligation",
}
GPSR_FIELDS = frozenset(PRODUCT_SET_KEYS)
#: what `offer-modification-commands` can set ([SL] Modification*): not the flag, and safety
#: information only as TEXT or ATTACHMENTS
COMMAND_FIELDS = frozenset({"responsible_producer", "responsible_person", "safety_information"})
NO_SAFETY_INFORMATION = {"type": "NO_SAFETY_INFORMATION"}

_ADDRESS = {"country_code": "countryCode", "street": "street", "postal_code": "postalCode",
            "city": "city"}
_CONTACT = {"email": "email", "phone": "phoneNumber", "form_url": "formUrl"}
#: kind -> (collection path, list key, data key, holder key)
RESOURCES = {
    "responsible_producer": ("/sale/responsible-producers", "responsibleProducers",
                             "producerData", "tradeName"),
    "responsible_person": ("/sale/responsible-persons", "responsiblePersons", "personalData",
                           "name"),
}


def gpsr_fields(entry: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A product-set element's GPSR data as canonical fields; `names` maps kind -> id -> name
    (an id not in it is kept as it is)."""
    out: dict[str, Any] = {}
    for kind in ("responsible_producer", "responsible_person"):
        reference = entry.get(PRODUCT_SET_KEYS[kind]) or {}
        if reference.get("id"):
            out[kind] = names.get(kind, {}).get(str(reference["id"]), str(reference["id"]))
    safety = entry.get("safetyInformation") or {}
    if safety.get("type") == "TEXT":
        out["safety_information"] = {"type": "TEXT", "description": safety.get("description")}
    elif safety.get("type") == "ATTACHMENTS":
        ids = [str(a.get("id")) for a in safety.get("attachments") or []]
        out["safety_information"] = {"type": "ATTACHMENTS", "attachments": ids}
    elif safety.get("type"):
        out["safety_information"] = {"type": str(safety["type"])}
    if entry.get("marketedBeforeGPSRObligation") is not None:
        out["marketed_before_gpsr"] = bool(entry["marketedBeforeGPSRObligation"])
    return out


def _safety_body(safety: dict[str, Any]) -> dict[str, Any]:
    if safety.get("type") == "ATTACHMENTS":
        return {"type": "ATTACHMENTS", "attachments": [{"id": a} for a in safety["attachments"]]}
    return dict(safety)


def product_set_entry(fields: dict[str, Any]) -> dict[str, Any]:
    """The GPSR keys of a `productSet` element for a create or PATCH: producer and person by
    name, so that one created in the same run needs no id yet."""
    entry: dict[str, Any] = {}
    if "responsible_producer" in fields:
        entry["responsibleProducer"] = {"type": "NAME", "name": fields["responsible_producer"]}
    if "responsible_person" in fields:
        entry["responsiblePerson"] = {"name": fields["responsible_person"]}
    if "safety_information" in fields:
        entry["safetyInformation"] = _safety_body(fields["safety_information"])
    if "marketed_before_gpsr" in fields:
        entry["marketedBeforeGPSRObligation"] = fields["marketed_before_gpsr"]
    return entry


def modification(fields: dict[str, Any], references: dict[str, dict[str, str]]
                 ) -> dict[str, Any]:
    """The GPSR part of an `offer-modification-commands` body; producers and persons by id
    (KeyError when one has no id yet)."""
    out: dict[str, Any] = {}
    for kind in ("responsible_producer", "responsible_person"):
        if kind in fields:
            out[PRODUCT_SET_KEYS[kind]] = {"id": references[kind][fields[kind]]}
    if "safety_information" in fields:
        out["safetyInformation"] = _safety_body(fields["safety_information"])
    return out


def by_command(fields: dict[str, Any]) -> bool:
    """Whether a modification command can carry these GPSR fields."""
    return set(fields) <= COMMAND_FIELDS and (
        fields.get("safety_information") != NO_SAFETY_INFORMATION)


def resource_data(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A producer's or person's data as canonical fields."""
    _, _, data_key, holder_key = RESOURCES[kind]
    data = doc.get(data_key) or {}
    address = data.get("address") or {}
    contact = data.get("contact") or {}
    holder = "trade_name" if kind == "responsible_producer" else "name"
    return {
        holder: data.get(holder_key),
        "address": {ours: address.get(theirs) for ours, theirs in _ADDRESS.items()},
        "contact": {ours: contact[theirs] for ours, theirs in _CONTACT.items()
                    if contact.get(theirs)},
    }


def resource_body(kind: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A `Create…Request` / `Update…Request` body from canonical data."""
    _, _, data_key, holder_key = RESOURCES[kind]
    holder = "trade_name" if kind == "responsible_producer" else "name"
    return {
        "name": name,
        data_key: {
            holder_key: data[holder],
            "address": {theirs: data["address"][ours] for ours, theirs in _ADDRESS.items()},
            "contact": {theirs: data["contact"][ours] for ours, theirs in _CONTACT.items()
                        if data["contact"].get(ours)},
        },
    }
