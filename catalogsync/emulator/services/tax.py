"""`GET /sale/tax-settings` and the `taxSettings` of product-offer bodies ([SL]
getTaxSettingsForCategory, CategoryTaxSettings, OfferTaxSettings).

Documented: the answer's shape and that rates are per country code (PL, CZ, SK, HU, LT) and per
category [SL]; PL's 23.00, 8.00, 5.00 and EXEMPT (`ZW`) with subjects GOODS and SERVICE
([I#10047], [I#9005]); SK's 23.00, 19.00 and 5.00 since 2025 ([I#10500]); LT since 2026-06-08
([I#13463]); a rate a category does not offer fails the offer with
`TransactionTaxSettingsNotFoundException` ([I#9870], [I#8610]; the 422 table of [SL]).

Guessed, where the docs are silent: every category lists the same rates (Allegro's reduced
rates differ by category); CZ 21.00, 12.00, 0.00, HU 27.00, 18.00, 5.00 and LT 21.00, 9.00,
5.00 (each country's VAT law); the exemptions are the spec's two examples (MONEY_EQUIVALENT,
MARGIN_SCHEME) and none is required by a listed rate.
"""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.core import checks
from catalogsync.emulator.core.errors import ApiError, Doc, invalid

#: country -> (label, value) of each VAT rate a category lists
RATES: dict[str, tuple[tuple[str, str], ...]] = {
    "PL": (("23%", "23.00"), ("8%", "8.00"), ("5%", "5.00"), ("0%", "0.00"), ("ZW", "EXEMPT")),
    "CZ": (("21%", "21.00"), ("12%", "12.00"), ("0%", "0.00")),
    "SK": (("23%", "23.00"), ("19%", "19.00"), ("5%", "5.00")),
    "HU": (("27%", "27.00"), ("18%", "18.00"), ("5%", "5.00")),
    "LT": (("21%", "21.00"), ("9%", "9.00"), ("5%", "5.00")),
}
SUBJECTS = (("Towar", "GOODS"), ("Usługa", "SERVICE"))
EXEMPTIONS = (("Ekwiwalent pieniężny", "MONEY_EQUIVALENT"), ("Procedura marży", "MARGIN_SCHEME"))
NOT_FOUND = "TransactionTaxSettingsNotFoundException"


def tax_settings(category: str | None, countries: list[str], known: bool) -> Doc:
    """`GET /sale/tax-settings?category.id=…[&countryCode=…]`."""
    if not category:
        raise invalid("category.id", "category.id is required.", status=400)
    for country in countries:
        checks.text(country, "countryCode", allowed=tuple(RATES))
    if not known:
        raise ApiError(404, "NOT_FOUND", f"Category {category} not found.", "category.id")
    wanted = countries or list(RATES)
    return {
        "subjects": [{"label": label, "value": value} for label, value in SUBJECTS],
        "rates": [{"countryCode": country,
                   "values": [{"label": label, "value": value, "exemptionRequired": False}
                              for label, value in RATES[country]]}
                  for country in wanted],
        "exemptions": [{"label": label, "value": value} for label, value in EXEMPTIONS],
    }


def offer_tax(value: Any) -> Doc | None:
    """A body's `taxSettings`, checked against what every category lists; `null` clears."""
    if value is None:
        return None
    settings = checks.json_object(value, "taxSettings")
    given = settings.get("rates")
    if not isinstance(given, list) or not given:
        raise invalid("taxSettings.rates", "taxSettings.rates must be a non-empty array.")
    rates = []
    seen = set()
    for i, entry in enumerate(given):
        path = f"taxSettings.rates[{i}]"
        entry = checks.json_object(entry, path)
        country = checks.text(entry.get("countryCode"), f"{path}.countryCode")
        rate = checks.text(entry.get("rate"), f"{path}.rate")
        if country in seen:
            raise invalid(f"{path}.countryCode", f"Tax rate for {country} given twice.")
        seen.add(country)
        if rate not in {v for _, v in RATES.get(country, ())}:
            raise _not_found(f"{path}.rate")
        rates.append({"rate": rate, "countryCode": country})
    out: Doc = {"rates": rates}
    for key, options in (("subject", SUBJECTS), ("exemption", EXEMPTIONS)):
        if settings.get(key) is not None:
            if settings[key] not in {v for _, v in options}:
                raise _not_found(f"taxSettings.{key}")
            out[key] = settings[key]
    return out


def _not_found(path: str) -> ApiError:
    return ApiError(422, NOT_FOUND, "Tax settings not found", path,
                    user_message="Wybrane ustawienia VAT nie są dostępne w tej kategorii.")
