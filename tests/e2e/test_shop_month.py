"""The short mode of benchmarks/shop_month.py: a small shop's few days, every check held.

The measure (1000 offers, 14 days): `python benchmarks/shop_month.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.shop_month import run_month


def test_a_small_shop_s_days_keep_one_offer_per_key_and_never_oversell(tmp_path: Path) -> None:
    days = run_month(tmp_path, offers=12, days=3, echo=False)
    assert len(days) == 3
    for day in days:
        if not day.ok:  # in full: pytest would cut the plan's output short
            pytest.fail(f"{day}\n" + "\n---\n".join(day.problems), pytrace=False)
        assert day.duplicates == 0 and day.over == 0
    assert any(day.killed for day in days)  # a SIGKILL mid-apply, resumed the next day
    assert all(day.plan_exit == 0 for day in days if not day.killed)
    assert sum(day.bought for day in days) > 0
