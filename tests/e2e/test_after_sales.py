"""After-sales conditions end to end: the catalog's return policy, implied warranty and
warranty are created before the offers that name them, updated and renamed in place, and an
import of the account writes them back out (a round trip to an empty plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogsync.emulator.backend import Backend
from catalogsync.emulator.core.errors import ApiError
from tests.e2e.conftest import Run, offer_id, offer_ids

SELLER = "1000001"
CONDITIONS = """\
return_policies:
  Zwroty 21 dni:
    withdrawal_period: P21D
    return_cost: seller
    address: {name: Demo Seller, street: Prosta 1, post_code: 00-950, city: Warszawa,
              country_code: PL}
    contact: {email: zwroty@demo-seller.example, phone: '123 123 123'}
    options: {business_return_allowed: on, free_accessories_return_required: yes}
  Bez zwrotów:
    availability: disabled
    restriction: custom_item
implied_warranties:
  Rękojmia sklepu:
    individual: P2Y
    corporate: P1Y
    address: {name: Demo Seller, street: Prosta 1, post_code: 00-950, city: Warszawa,
              country_code: PL}
    description: "Reklamacje: 12:30-16:00, pod adresem sklepu."
warranties:
  Gwarancja sklepu:
    type: seller
    individual: P36M
    corporate: lifetime
"""


def with_conditions(catalog_dir: Path) -> Path:
    """The catalog's `after_sales.yaml`, and its defaults naming those conditions."""
    (catalog_dir / "after_sales.yaml").write_text(CONDITIONS)
    settings = catalog_dir / "catalogsync.yaml"
    settings.write_text(settings.read_text().replace(
        "    return_policy: Zwroty 14 dni\n    implied_warranty: Rękojmia 24 miesiące\n",
        "    return_policy: Zwroty 21 dni\n    implied_warranty: Rękojmia sklepu\n"
        "    warranty: Gwarancja sklepu\n"))
    return settings


def _named(backend: Backend, kind: str) -> dict[str, dict[str, object]]:
    found = backend.after_sales.list(SELLER, kind, 0, 60)[kind]
    return {str(d["name"]): backend.after_sales.get(SELLER, kind, str(d["id"])) for d in found}


def test_conditions_stand_up_with_the_shop_and_round_trip_through_import(
    run: Run, catalog_dir: Path, backend: Backend, tmp_path: Path
) -> None:
    with_conditions(catalog_dir)
    planned = run("plan", catalog_dir)
    assert "+ return_policy Zwroty 21 dni" in planned.output, planned.output

    applied = run("apply", catalog_dir, "--auto-approve")

    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    policy = _named(backend, "returnPolicies")["Zwroty 21 dni"]
    assert policy["withdrawalPeriod"] == "P21D"
    assert policy["options"]["businessReturnAllowed"] is True  # type: ignore[index]
    implied = _named(backend, "impliedWarranties")["Rękojmia sklepu"]
    assert implied["description"] == "Reklamacje: 12:30-16:00, pod adresem sklepu."
    warranty = _named(backend, "warranties")["Gwarancja sklepu"]
    assert warranty["corporate"] == {"lifetime": True}
    mug = backend.offers.get(SELLER, offer_id(catalog_dir, "MUG-WHITE-330"))
    assert mug["afterSalesServices"]["returnPolicy"]["id"] == policy["id"]
    assert mug["afterSalesServices"]["warranty"]["id"] == warranty["id"]
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0

    adopted = tmp_path / "adopted"
    imported = run("import", adopted)
    assert imported.exit_code == 0, imported.output
    written = yaml.safe_load((adopted / "after_sales.yaml").read_text())
    assert written["warranties"]["Gwarancja sklepu"]["corporate"] == "lifetime"
    assert "Bez zwrotów" in written["return_policies"]
    settings = yaml.safe_load((adopted / "catalogsync.yaml").read_text())
    assert settings["defaults"]["after_sales"]["warranty"] == "Gwarancja sklepu"
    again = run("plan", adopted, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_change_updates_in_place_and_a_rename_keeps_the_id(
    run: Run, catalog_dir: Path, backend: Backend
) -> None:
    settings = with_conditions(catalog_dir)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    before = _named(backend, "returnPolicies")["Zwroty 21 dni"]
    conditions = catalog_dir / "after_sales.yaml"
    conditions.write_text(conditions.read_text().replace(
        "  Zwroty 21 dni:\n    withdrawal_period: P21D",
        "  Zwroty 30 dni sklepu:\n    moved_from: Zwroty 21 dni\n    withdrawal_period: P30D"))
    settings.write_text(settings.read_text().replace("return_policy: Zwroty 21 dni",
                                                     "return_policy: Zwroty 30 dni sklepu"))

    planned = run("plan", catalog_dir)
    assert "~ return_policy Zwroty 30 dni sklepu" in planned.output, planned.output
    assert "renamed from Zwroty 21 dni" in planned.output
    assert "~ withdrawal_period: P21D → P30D" in planned.output
    assert "+ return_policy" not in planned.output
    creates = backend.stats["POST /after-sales-service-conditions/return-policies"]
    applied = run("apply", catalog_dir, "--auto-approve")

    assert applied.exit_code == 0, applied.output
    after = _named(backend, "returnPolicies")
    assert "Zwroty 21 dni" not in after
    assert after["Zwroty 30 dni sklepu"]["id"] == before["id"]
    assert after["Zwroty 30 dni sklepu"]["withdrawalPeriod"] == "P30D"
    assert backend.stats["POST /after-sales-service-conditions/return-policies"] == creates
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_an_unknown_condition_name_is_an_error_at_its_line(
    run: Run, catalog_dir: Path
) -> None:
    settings = with_conditions(catalog_dir)
    settings.write_text(settings.read_text().replace("warranty: Gwarancja sklepu",
                                                     "warranty: Gwarancja sklepuu"))
    result = run("plan", catalog_dir)
    assert result.exit_code == 1
    assert "warranty 'Gwarancja sklepuu' is neither in the catalog (warranties:) nor on " \
           "Allegro" in result.output
    assert "did you mean 'Gwarancja sklepu'?" in result.output


def test_a_condition_that_fails_stops_only_the_offers_naming_it(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    (catalog_dir / "after_sales.yaml").write_text(CONDITIONS)
    mugs = catalog_dir / "offers" / "mugs.yaml"
    mugs.write_text(mugs.read_text().replace(
        "  MUG-WHITE-330:\n",
        "  MUG-WHITE-330:\n    after_sales: {return_policy: Zwroty 21 dni}\n"))
    create = backend.after_sales.create

    def refuse(seller: str, kind: str, body: Any) -> dict[str, Any]:
        if body.get("name") == "Zwroty 21 dni":
            raise ApiError(422, "VALIDATION_ERROR", "Address rejected.", "address")
        return create(seller, kind, body)

    monkeypatch.setattr(backend.after_sales, "create", refuse)
    applied = run("apply", catalog_dir, "--auto-approve")

    assert applied.exit_code == 1, applied.output
    assert "not sent: return policy 'Zwroty 21 dni' failed" in applied.output
    ids = offer_ids(catalog_dir)
    assert "MUG-WHITE-330" not in ids and "MUG-BLACK-330" in ids
    monkeypatch.setattr(backend.after_sales, "create", create)
    assert run("apply", catalog_dir, "--auto-approve").exit_code == 0
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0


def test_a_create_whose_answer_is_lost_is_found_by_name_not_made_twice(
    run: Run, catalog_dir: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_conditions(catalog_dir)
    create = backend.after_sales.create

    def made_but_unanswered(seller: str, kind: str, body: Any) -> dict[str, Any]:
        create(seller, kind, body)
        raise ApiError(503, "ServiceUnavailable", "The answer was lost.")

    monkeypatch.setattr(backend.after_sales, "create", made_but_unanswered)
    applied = run("apply", catalog_dir, "--auto-approve")

    assert applied.exit_code == 0 and "0 failed" in applied.output, applied.output
    for kind in ("returnPolicies", "impliedWarranties", "warranties"):
        names = [d["name"] for d in backend.after_sales.list(SELLER, kind, 0, 60)[kind]]
        assert len(names) == len(set(names))
    assert backend.stats["POST /after-sales-service-conditions/warranties"] == 1
    assert run("plan", catalog_dir, "--detailed-exitcode").exit_code == 0
