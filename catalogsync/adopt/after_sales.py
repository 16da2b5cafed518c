"""After-sales conditions as `catalogsync import` writes them: every return policy, implied
warranty and warranty of the account the catalog does not declare yet, in `after_sales.yaml`
(offers name them by name, `adopt/entries.py`). One the catalog would refuse (a withdrawal
period under 14 days, say) is left out with a note: offers still name it as it is on Allegro.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalogsync.adopt.files import dump, free_path
from catalogsync.catalog.after_sales import ImpliedWarranty, ReturnPolicy, Warranty
from catalogsync.catalog.models import Catalog
from catalogsync.live.state import LiveCondition

#: kind -> the catalog section and the model the loader reads it with
SECTIONS: dict[str, tuple[str, type[ReturnPolicy] | type[ImpliedWarranty] | type[Warranty]]] = {
    "return_policy": ("return_policies", ReturnPolicy),
    "implied_warranty": ("implied_warranties", ImpliedWarranty),
    "warranty": ("warranties", Warranty),
}


def _written(value: Any) -> Any:
    """Unset values and false options left out (false is what the loader fills in)."""
    if isinstance(value, dict):
        return {k: _written(v) for k, v in value.items() if v is not None and v is not False}
    return value


def condition_sections(conditions: dict[str, dict[str, LiveCondition]],
                       existing: Catalog | None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The catalog sections with the account's conditions `existing` lacks, and notes."""
    sections: dict[str, dict[str, Any]] = {}
    notes = []
    for kind, (section, model) in SECTIONS.items():
        declared = set(getattr(existing, section)) if existing else set()
        for name, condition in sorted(conditions.get(kind, {}).items()):
            if name in declared or condition.data is None:
                continue
            data = _written(condition.data)
            try:
                model.model_validate(data)
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in error["loc"])
                notes.append(f"{kind.replace('_', ' ')} {name} left out of the catalog (offers "
                             f"name it as it is on Allegro): {where + ': ' if where else ''}"
                             f"{error['msg']}")
                continue
            sections.setdefault(section, {})[name] = data
    return sections, notes


def after_sales_file(directory: Path, sections: dict[str, dict[str, Any]], header: str
                     ) -> dict[Path, str]:
    if not sections:
        return {}
    data = {section: sections[section] for section, _ in SECTIONS.values() if section in sections}
    return {free_path(directory, "after_sales", set()): dump(data, header)}
