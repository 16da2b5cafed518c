"""10 000 mutated catalogs through `validate`, a sample through `plan`: no traceback, no hang.

The larger run by hand: `python benchmarks/fuzz_catalogs.py --count 100000`.
"""

from __future__ import annotations

from tests.fuzz.harness import fuzz


def test_ten_thousand_mutated_catalogs_give_messages_not_tracebacks() -> None:
    report = fuzz(count=10_000, seed=0, plan_every=10)
    assert report.failures == []
    assert report.validated == 10_000
    # the mutations reach both sides: catalogs that still load and plan, and broken ones
    assert report.outcomes["valid"] > 1000 and report.outcomes["invalid"] > 5000
    assert report.planned > 250
    assert report.outcomes["plan exit 2"] > 0 and report.outcomes["plan exit 3"] > 0
