"""The apply report's summary: steps counted by their route, what a step says after it kept."""

from __future__ import annotations

from catalogsync.apply.report import ApplyReport, Outcome


def test_steps_are_counted_by_route_and_keep_what_follows_the_path() -> None:
    report = ApplyReport()
    rule = "POST /sale/offer-price-automation-commands (allegro-cz: Kurs CZ +5%)"
    report.outcomes += [
        Outcome("offer A", "PATCH /sale/product-offers/17700000001", True),
        Outcome("offer B", "PATCH /sale/product-offers/17700000002", False, "refused"),
        Outcome("offer C", rule, True),
        Outcome("offer D", "offer-publication-commands ACTIVATE", True),
    ]

    assert report.by_step() == {
        "PATCH /sale/product-offers/{id}": {"done": 1, "failed": 1},
        rule: {"done": 1},
        "offer-publication-commands ACTIVATE": {"done": 1},
    }
