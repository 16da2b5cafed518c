"""Offers' own translations (`translations:`): one change per offer and language, after the
offer itself, by `PATCH /sale/offers/{offerId}/translations/{language}` (only the elements that
differ) or `DELETE …/{language}`.

Only offers that say `translations` are read and managed (live/translations.py); of those, each
language named is the seller's own (MANUAL) translation, compared like the offer's description
(the same canonical sections, the same size limit). A seller's translation of a language the
catalog no longer names is deleted only when pruning is on (`prune: true` or `--prune`), as an
offer removed from the catalog is ended only then; otherwise the plan says it is kept. Allegro's
automatic (AUTO) translations are never touched: deleting a manual one brings them back.
"""

from __future__ import annotations

from typing import Any

from catalogsync.allegro.translations_wire import translation_body
from catalogsync.catalog.limits import DESCRIPTION_MAX_BYTES, description_bytes
from catalogsync.catalog.models import Catalog, ImageItem, Offer, TextItem
from catalogsync.live.state import LiveState
from catalogsync.plan.model import (
    Action,
    Change,
    Diagnostic,
    FieldDiff,
    Request,
    Resource,
    Severity,
)
from catalogsync.plan.offers import description_fields

#: where apply puts the id of an offer this plan creates (apply/translations.py)
OFFER_ID = "{offerId}"


def desired_translations(offer: Offer, live: LiveState) -> dict[str, dict[str, Any]]:
    """language -> the elements the catalog gives, in canonical form."""
    out: dict[str, dict[str, Any]] = {}
    for language, translation in (offer.translations or {}).items():
        values: dict[str, Any] = {}
        if translation.name is not None:
            values["name"] = translation.name
        if translation.description is not None:
            sections = tuple(
                tuple(ImageItem(i.image) if hasattr(i, "image") else TextItem(i.text) for i in s)
                for s in translation.description)
            values["description"] = description_fields(Offer(description=sections), live)
        out[language] = values
    return out


def plan_translations(
    catalog: Catalog, live: LiveState, prune: bool, diagnostics: list[Diagnostic]
) -> list[Change]:
    """The translation changes of every offer that has `translations`; what needs saying goes
    into `diagnostics`."""
    changes: list[Change] = []
    languages = set(live.translation_languages)
    ignored = "translations" in catalog.settings.defaults.ignore_fields
    for sku, offer in catalog.offers.items():
        if offer.translations is None or ignored or "translations" in offer.ignore_fields:
            continue
        current = live.offers.get(sku)
        offer_id = current.id if current is not None else None
        have = live.translations.get(sku, {})
        for language, wanted in desired_translations(offer, live).items():
            problem = _problem(language, wanted, languages, offer)
            if problem:
                diagnostics.append(Diagnostic(severity=Severity.ERROR, subject=f"offer {sku}",
                                              message=f"translations.{language}: {problem}"))
                continue
            change = _set(sku, offer_id, language, wanted, have.get(language))
            if change is not None:
                changes.append(change)
        for language in sorted(set(have) - set(offer.translations)):
            if prune and offer_id is not None:
                changes.append(_delete(sku, offer_id, language, have[language]))
            else:
                diagnostics.append(Diagnostic(
                    severity=Severity.NOTE, subject=f"offer {sku}",
                    message=f"the seller's {language} translation is no longer in the catalog; "
                            "kept (pruning deletes it, and Allegro's automatic one returns)"))
    return changes


def _problem(language: str, wanted: dict[str, Any], languages: set[str], offer: Offer
             ) -> str | None:
    if languages and language not in languages:
        return (f"{language} is not a language of an additional marketplace; known: "
                f"{', '.join(sorted(languages))}")
    for section in (offer.translations or {})[language].description or ():
        for entry in section:
            if hasattr(entry, "image") and entry.image not in (offer.images or ()):
                return (f"description uses image {entry.image} which is not in the offer's "
                        "images; add it to images (R18)")
    size = description_bytes(wanted.get("description") or [])
    if size > DESCRIPTION_MAX_BYTES:
        return (f"description is {size} bytes as Allegro counts them (its JSON, UTF-8); "
                f"Allegro takes at most {DESCRIPTION_MAX_BYTES}")
    return None


def _set(sku: str, offer_id: str | None, language: str, wanted: dict[str, Any],
         have: dict[str, Any] | None) -> Change | None:
    have = have or {}
    changed = {k: v for k, v in wanted.items() if have.get(k) != v}
    if not changed:
        return None
    path = f"/sale/offers/{offer_id or OFFER_ID}/translations/{language}"
    return Change(
        resource=Resource.OFFER_TRANSLATION,
        key=f"{sku}/{language}",
        action=Action.UPDATE if have else Action.CREATE,
        id=offer_id,
        diffs=tuple(FieldDiff(field=k, old=have.get(k), new=v) for k, v in sorted(changed.items())),
        request=Request(method="PATCH", path=path, body=translation_body(changed)),
    )


def _delete(sku: str, offer_id: str, language: str, have: dict[str, Any]) -> Change:
    return Change(
        resource=Resource.OFFER_TRANSLATION,
        key=f"{sku}/{language}",
        action=Action.DELETE,
        id=offer_id,
        diffs=tuple(FieldDiff(field=k, old=v) for k, v in sorted(have.items())),
        request=Request(method="DELETE", path=f"/sale/offers/{offer_id}/translations/{language}"),
        reason="no longer in the catalog, and pruning is on",
    )
