"""Kill an apply of 1000 offers with SIGKILL at 23 points, and resume each with a plain apply.

    python benchmarks/kill_resume.py [--offers 1000] [--only N]

Real processes: `catalogsync emulator serve` on a free port and the CLI as `sandbox`, pointed at
it (CATALOGSYNC_API_URL/AUTH_URL, a device-flow token). Each kill point (spread over reading,
creating, a command in flight and polling) starts from a fresh account; the last two kill a
price change of every offer (each to its own price, so a command each) made with
--allow-mass-change. `apply --auto-approve` is killed once the emulator has answered that many
requests of that route; then a plain `apply --auto-approve` (no flags) must exit 0,
`plan --detailed-exitcode` must exit 0, and the
account must hold exactly one offer per external id. Prints x/N converged.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.kill_points import KillPoint, kill_and_resume
from tests.e2e.served import served_emulator

CREATE = "POST /sale/product-offers"
PUBLISH = "PUT /sale/offer-publication-commands/{commandId}"
TASKS = "GET /sale/offer-publication-commands/{commandId}/tasks"
#: every offer its own price: bulk modification commands of 25
BULK = "POST /sale/offer-bulk-modification-commands"


def kill_points(offers: int) -> list[KillPoint]:
    reading = [
        KillPoint("reading", "GET /sale/shipping-rates", 1),
        KillPoint("reading", "GET /sale/offers", 1),
        KillPoint("reading", "GET /sale/products", 1),
        KillPoint("reading", "GET /sale/products", 2),
        KillPoint("reading", "GET /sale/categories/{categoryId}/parameters", 1),
        KillPoint("reading", "GET /sale/delivery-methods", 1),
    ]
    creating = [KillPoint("creating", "POST /sale/shipping-rates", 1)] + [
        KillPoint("creating", CREATE, max(1, offers * share // 100))
        for share in (0, 5, 15, 30, 45, 60, 75, 90, 99, 100)
    ]
    return [
        *reading,
        *creating,
        KillPoint("command in flight", PUBLISH, 1),
        KillPoint("polling", TASKS, 1),
        KillPoint("polling", TASKS, 2),
        KillPoint("polling", TASKS, 3),
        KillPoint("command in flight", BULK, 3, mass_change=True),
        KillPoint("command in flight", BULK, max(1, offers // 50), mass_change=True),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--only", type=int, help="run only kill point number N (from 1)")
    args = parser.parse_args()
    points = kill_points(args.offers)
    chosen = [points[args.only - 1]] if args.only else points
    converged = 0
    with tempfile.TemporaryDirectory() as scratch, served_emulator(Path(scratch)) as emulator:
        for number, point in enumerate(chosen, 1):
            started = time.monotonic()
            outcome = kill_and_resume(emulator, Path(scratch) / "run", point, args.offers)
            converged += outcome.converged
            print(
                f"{number:2}. {point}: {'killed' if outcome.killed else 'NOT killed (ended)'}; "
                f"resume exit {outcome.resume_exit}, plan exit {outcome.plan_exit}, "
                f"{outcome.duplicates} duplicates, {outcome.missing} missing "
                f"({time.monotonic() - started:.0f} s)",
                flush=True,
            )
            if outcome.detail:
                print("    " + outcome.detail.replace("\n", "\n    "))
    print(f"converged: {converged}/{len(chosen)}")
    return 0 if converged == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
