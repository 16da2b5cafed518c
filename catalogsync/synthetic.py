"""Synthetic catalogs for benchmarks, load tests and demos: N offers over the demo products."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

_PRODUCTS = (
    ("5901234123457", "Kubek ceramiczny biały 330 ml"),
    ("5901234123464", "Kubek ceramiczny czarny 330 ml"),
)
SETTINGS = {
    "environment": "local",
    "marketplace": "allegro-pl",
    "defaults": {
        "currency": "PLN",
        "handling_time": "PT24H",
        "shipping_rates": "Standard",
        "invoice": "VAT",
        "location": {"province": "MAZOWIECKIE", "city": "Warszawa", "post_code": "00-950"},
        # GPSR: the emulator's demo seller has this producer on its account
        "responsible_producer": "Producent Demo",
        "safety_information": "Chronić przed dziećmi.",
    },
}
TABLES = {
    "Standard": {
        "rates": [
            {
                "delivery_method": "Allegro Kurier DPD",
                "first_item": "16.99",
                "max_quantity_per_package": 20,
            }
        ]
    }
}


def synthetic_offer(number: int, price: Decimal = Decimal("29.99")) -> dict[str, object]:
    ean, name = _PRODUCTS[number % len(_PRODUCTS)]
    image = f"https://a.allegroimg.com/original/synthetic/{number:06d}.jpg"
    return {
        "name": f"{name} nr {number:06d}",
        "product": {"ean": ean},
        "parameters": {"Stan": "Nowy"},
        "price": str(price),
        "stock": 10 + number % 50,
        "images": [image],
        "description": [
            {"text": f"<h1>{name}</h1><p>Egzemplarz numer {number}.</p>"},
            [{"image": image}, {"text": "<p>Można myć w zmywarce.</p>"}],
        ],
    }


def write_catalog(
    directory: Path, offers: int, price: Decimal = Decimal("29.99"), per_file: int = 10_000
) -> Path:
    """Write a catalog of `offers` offers (SKUs SYN-000000 …) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalogsync.yaml").write_text(yaml.safe_dump(SETTINGS, sort_keys=False))
    (directory / "shipping.yaml").write_text(yaml.safe_dump({"shipping_rates": TABLES}))
    for start in range(0, offers, per_file):
        chunk = {
            f"SYN-{n:06d}": synthetic_offer(n, price)
            for n in range(start, min(offers, start + per_file))
        }
        path = directory / "offers" / f"offers-{start // per_file:03d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            yaml.dump(
                {"offers": chunk}, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True
            )
        )
    return directory
