"""GPSR on offers: the desired producer, person and safety information, and what Allegro
would refuse before anything is sent.

Allegro publishes no list of the categories GPSR applies to ([I#11422]); its staff say that
in those categories a responsible producer and safety information are required unless the
product was on the EU market before 13 Dec 2024 ([I#10548], [I#10645]), and nearly every
category of goods is one. So the plan asks for both on every offer it publishes (a create that
is activated, or an activation), unless `marketed_before_gpsr: true`. Per category it checks
what it can read: the flag is allowed "only with the selected values of the Condition
parameter" ([SL] MarketedBeforeGPSRObligation); catalogsync takes a new product (`Stan: Nowy`)
to be the one value that never allows it (guess). Which categories allow `none` is not
published either: the plan warns, and Allegro answers NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED
where it does not allow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalogsync.allegro.gpsr_wire import NO_SAFETY_INFORMATION
from catalogsync.catalog.gpsr import SafetyManuals, SafetyText
from catalogsync.catalog.models import Catalog, Offer, Status
from catalogsync.images import ATTACHMENT_PLACEHOLDER
from catalogsync.live.state import LiveState
from catalogsync.plan.offers import Desired
from catalogsync.plan.responsible import desire_named

CONDITION = "Stan"
NEW = "Nowy"


def desired_gpsr(desired: Desired, offer: Offer, catalog: Catalog, live: LiveState) -> None:
    """Put the offer's GPSR fields (with `defaults`) into `desired.fields`."""
    defaults = catalog.settings.defaults
    for kind, declared in (("responsible_producer", catalog.responsible_producers),
                           ("responsible_person", catalog.responsible_persons)):
        desire_named(desired, kind, getattr(offer, kind) or getattr(defaults, kind),
                     f"{kind}s", declared, live)
    safety = offer.safety_information or defaults.safety_information
    if safety is not None:
        desired.fields["safety_information"] = _safety(desired, safety, live)
    flag = offer.marketed_before_gpsr
    flag = defaults.marketed_before_gpsr if flag is None else flag
    if flag is not None:
        desired.fields["marketed_before_gpsr"] = flag


def _safety(desired: Desired, safety: Any, live: LiveState) -> dict[str, Any]:
    if isinstance(safety, SafetyText):
        return {"type": "TEXT", "description": safety.text}
    if isinstance(safety, SafetyManuals):
        ids = []
        for path in safety.files:
            local = live.local_attachments.get(path)
            if local is None or not local.sha256:
                desired.error(f"safety manual {path} does not exist (paths are relative to the "
                              "catalog directory)")
                continue
            ids.append(local.url or f"{ATTACHMENT_PLACEHOLDER}{local.sha256}")
        return {"type": "ATTACHMENTS", "attachments": ids}
    return dict(NO_SAFETY_INFORMATION)


def check_gpsr(desired: Desired, current: Mapping[str, Any] | None) -> None:
    """What Allegro would refuse: the flag on a new product, and publishing without a
    producer or safety information. `current` is the live offer's fields (None: a create)."""
    effective = {**(current or {}), **desired.fields}
    marketed = effective.get("marketed_before_gpsr") is True
    condition = (effective.get("parameters") or {}).get(CONDITION) or []
    if desired.fields.get("marketed_before_gpsr") is True and NEW in condition:
        desired.error(
            f"marketed_before_gpsr: true is not allowed with {CONDITION}: {NEW}; Allegro "
            "accepts it only for products on the EU market before 13 Dec 2024 (not new ones) "
            "and refuses it with PRODUCT_MARKETED_BEFORE_GPSR_OBLIGATION_OPTION_NOT_ALLOWED")
    if desired.fields.get("safety_information") == NO_SAFETY_INFORMATION and (
            (current or {}).get("safety_information") != NO_SAFETY_INFORMATION):
        desired.warn("safety_information: none is accepted only in categories that allow going "
                     "without (Allegro does not publish which); elsewhere Allegro refuses it "
                     "with NO_SAFETY_INFORMATION_OPTION_NOT_ALLOWED")
    publishes = desired.fields.get("status") == Status.ACTIVE.value and (
        current is None or current.get("status") != Status.ACTIVE.value)
    if not publishes or marketed or "status" in desired.ignored:
        return
    _require(desired, effective, "publishing")


def check_published_edit(desired: Desired, current: Mapping[str, Any]) -> None:
    """Allegro also refuses to save an edit of a published offer that lacks GPSR data
    ([I#11556]): a PATCH of such an offer must bring it."""
    effective = {**current, **desired.fields}
    if current.get("status") == Status.ACTIVE.value and (
            effective.get("marketed_before_gpsr") is not True):
        _require(desired, effective, "editing this published offer")


def _require(desired: Desired, effective: dict[str, Any], doing: str) -> None:
    missing = [field for field in ("responsible_producer", "safety_information")
               if not effective.get(field)]
    if missing:
        desired.error(
            f"{doing} needs {' and '.join(missing)} (GPSR, since 13 Dec 2024; Allegro "
            "refuses with RESPONSIBLE_PRODUCER_NOT_SPECIFIED / SAFETY_INFO_NOT_DEFINED); set "
            "them on the offer or in defaults, or marketed_before_gpsr: true for a product "
            "on the EU market before")
