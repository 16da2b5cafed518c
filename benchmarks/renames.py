"""A rename of many SKUs (`moved_from`) against the in-process emulator: the requests apply
sends, and that no offer is ended or created.

    python benchmarks/renames.py [--offers 1000] [--json out.json]

A shop of N offers is set up by a first `catalogsync apply` (not measured). Every key is then
renamed (`SYN-000123` -> `REN-000123`, `moved_from: SYN-000123`) and one `catalogsync apply
--prune` is measured: requests by endpoint as the emulator counted them, wall time, and the
account afterwards (offers, their statuses and external ids). A `plan --detailed-exitcode`
after it must exit 0 and the lock must hold only the new keys.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogsync.cli.main import cli
from catalogsync.emulator.backend import Backend
from catalogsync.runs.options import CliContext
from catalogsync.synthetic import write_catalog

SELLER = "1000001"  # the emulator's demo seller


def rename_all(catalog: Path) -> None:
    for path in sorted((catalog / "offers").glob("*.yaml")):
        offers = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["offers"]
        renamed = {sku.replace("SYN-", "REN-"): {"moved_from": sku, **offer}
                   for sku, offer in offers.items()}
        path.write_text(yaml.dump({"offers": renamed}, Dumper=yaml.CSafeDumper,
                                  sort_keys=False, allow_unicode=True))


def account(backend: Backend) -> Counter[str]:
    """(status, key prefix) -> offers on the account."""
    found: Counter[str] = Counter()
    offset = 0
    while True:
        page = backend.offers.find(SELLER, {"limit": ["1000"], "offset": [str(offset)]})
        for offer in page["offers"]:
            found[f"{offer['publication']['status']} {offer['external']['id'][:4]}"] += 1
        offset += len(page["offers"])
        if not page["offers"]:
            return found


def measure(offers: int) -> dict[str, Any]:
    backend = Backend()
    backend.settings.processing_delay = 0.0

    def run(*args: str | Path) -> Result:
        result = CliRunner().invoke(cli, [str(a) for a in args], obj=CliContext(emulator=backend))
        if result.exit_code not in (0,):
            raise SystemExit(f"catalogsync {' '.join(map(str, args))}: {result.output[-2000:]}")
        return result

    with tempfile.TemporaryDirectory() as tmp:
        catalog = write_catalog(Path(tmp) / "shop", offers)
        run("apply", catalog, "--auto-approve")
        before = account(backend)
        rename_all(catalog)
        backend.stats.clear()
        started = time.perf_counter()
        run("apply", catalog, "--auto-approve", "--prune", "--allow-mass-change")
        seconds = time.perf_counter() - started
        requests = dict(sorted(backend.stats.items()))
        after = account(backend)
        run("plan", catalog, "--detailed-exitcode", "--prune")
        lock = (catalog / ".catalogsync" / "catalogsync.lock").read_text()
    return {
        "offers": offers,
        "apply_seconds": round(seconds, 2),
        "requests": requests,
        "requests_total": sum(requests.values()),
        "creates": requests.get("POST /sale/product-offers", 0),
        "publication_commands": requests.get(
            "PUT /sale/offer-publication-commands/{commandId}", 0),
        "account_before": dict(before),
        "account_after": dict(after),
        "lock_old_keys": lock.count('"SYN-'),
        "plan_after": "no changes (exit 0)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = measure(args.offers)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
