"""A catalog whose images are all outside URLs settles: apply, plan, apply again, plan.

    python benchmarks/outside_images.py [--offers 200]

Real processes: `catalogsync emulator serve` on a free port and the CLI as `sandbox`, pointed at
it. Every offer's gallery and description image is on the shop's own server; Allegro (and the
emulator) keeps a copy on its image host and shows the copy's URL. After each apply,
`plan --detailed-exitcode` must exit 0. Prints each step's exit code, seconds and the image
uploads the emulator answered.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.served import catalogsync, cli_env, sandbox_catalog, served_emulator

ALLEGRO = "https://a.allegroimg.com/original/synthetic/"
SHOP = "https://sklep.example/zdjecia/"
UPLOADS = "POST /sale/images"


def outside_catalog(directory: Path, offers: int) -> Path:
    """The synthetic catalog with every image moved to the shop's server."""
    sandbox_catalog(directory, offers)
    for path in (directory / "offers").glob("*.yaml"):
        path.write_text(path.read_text().replace(ALLEGRO, SHOP))
    return directory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=200)
    args = parser.parse_args()
    steps = [("apply", "--auto-approve"), ("plan", "--detailed-exitcode"),
             ("apply", "--auto-approve"), ("plan", "--detailed-exitcode")]
    wanted = [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp, served_emulator(Path(tmp)) as emulator:
        catalog = outside_catalog(Path(tmp) / "catalog", args.offers)
        env = cli_env(emulator, emulator.token(), Path(tmp) / "config")
        codes = []
        for command, flag in steps:
            started = time.perf_counter()
            done = catalogsync(command, catalog, flag, env=env)
            codes.append(done.returncode)
            uploads = emulator.stats().get(UPLOADS, 0)
            print(f"{command} {flag}: exit {done.returncode} in "
                  f"{time.perf_counter() - started:.1f} s; {UPLOADS}: {uploads} so far")
            if done.returncode not in (0, 2):
                print(done.stdout[-2000:], done.stderr[-2000:])
        token = env["CATALOGSYNC_ACCESS_TOKEN"]
        on_account = sum(emulator.offers_by_external_id(token).values())
        settled = codes == wanted and on_account == args.offers
        print(f"{args.offers} offers ({on_account} on the account), outside image URLs: "
              f"{'settled' if settled else 'NOT settled'}")
        return 0 if settled else 1


if __name__ == "__main__":
    raise SystemExit(main())
