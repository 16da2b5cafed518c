"""The emulator's knobs, steerable with `POST /_emulator/settings` (or set in-process)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.core.errors import ERROR_SHAPES
from catalogsync.emulator.core.limits import LimitSettings


@dataclass
class Settings(LimitSettings):
    """Emulator knobs, steerable with `POST /_emulator/settings` (or set in-process).

    The request limits (R1-R3, per seller, per command kind) come from `LimitSettings`."""

    processing_delay: float = 0.2  # seconds until 202 operations and command tasks settle
    draft_limit: int = 20_000  # R13
    shipping_rates_limit: int = 250  # R4
    image_ttl_seconds: float = 4 * 3600.0  # POST /sale/images `expiresAt` ([I#6988])
    image_max_bytes: int = 10_000_000  # 413 above (Allegro does not publish its limit)
    legacy_variants: bool = False  # /sale/offer-variants as before 2026-04-14 (R24, R25)
    variants_processing_seconds: float = 3600.0  # R24 "not processed yet" ([I#4795]: ≤ 60 min)
    #: how REST errors are answered: Allegro's usual `{"errors": [...]}`, or one of the other
    #: shapes seen from Allegro and the proxies before it (`ERROR_SHAPES`), for client tests
    error_shape: str = "errors"
    #: units a buyer purchases of each active offer a batch command names, the moment the
    #: command is registered (before its tasks run): sales racing an apply
    purchase_on_command: int = 0


def coerced(key: str, default: Any, value: Any) -> Any:
    """A new value for a setting, of the type of its default."""
    if isinstance(default, str):
        if value not in ERROR_SHAPES:
            raise ValueError(f"{key} must be one of {', '.join(ERROR_SHAPES)}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a number >= 0")
    return float(value) if isinstance(default, float) else int(value)
