"""What apply did, step by step: each offer's outcome and the summary the CLI prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from catalogsync.allegro.client import route_template
from catalogsync.wording import plural


@dataclass(frozen=True)
class Outcome:
    address: str
    step: str
    ok: bool
    message: str = ""
    skipped: bool = False  # not sent: something it needs (its create, a table, an image) failed


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)
    throttled: int = 0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and not o.skipped]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.skipped]

    def by_step(self) -> dict[str, Counter[str]]:
        """step kind -> {"done": n, "failed": n, "skipped": n}, for the summary."""
        table: dict[str, Counter[str]] = {}
        for outcome in self.outcomes:
            method, _, rest = outcome.step.partition(" ")
            path, blank, detail = rest.partition(" ")  # a path, then what it carried, if said
            kind = (f"{method} {route_template(path)}{blank}{detail}" if path.startswith("/")
                    else outcome.step)
            state = "done" if outcome.ok else "skipped" if outcome.skipped else "failed"
            table.setdefault(kind, Counter())[state] += 1
        return table

    def summary(self, reads: int) -> list[str]:
        """The totals line (requests to apply, after `reads` to read Allegro), then one line
        per kind of step."""
        done = len(self.outcomes) - len(self.failed) - len(self.skipped)
        sent = sum(self.requests.values()) - reads
        throttled = f"; {self.throttled} throttled" if self.throttled else ""
        lines = [
            f"Apply finished in {self.seconds:.1f} s: {plural(done, 'step')} done, "
            f"{len(self.failed)} failed, {len(self.skipped)} skipped "
            f"({plural(sent, 'API request')} to apply, after {reads} to read Allegro{throttled})."
        ]
        for step, counts in sorted(self.by_step().items()):
            others = "".join(f", {counts[k]} {k}" for k in ("failed", "skipped") if counts[k])
            lines.append(f"  {step}: {counts['done']} done{others}")
        return lines

    def problems(self) -> list[str]:
        """Each failure with its offer and Allegro's words; then what was not sent because
        something it needs failed, one line per reason."""
        lines = []
        if self.failed:
            lines.append("Failed:")
            lines += [
                f"  {o.address}: {o.step}: {o.message.removeprefix(o.step + ': ')}"
                for o in self.failed
            ]
        reasons: dict[str, list[str]] = {}
        for outcome in self.skipped:
            addresses = reasons.setdefault(f"{outcome.step}: {outcome.message}", [])
            if outcome.address not in addresses:
                addresses.append(outcome.address)
        if reasons:
            lines.append("Skipped:")
        for reason, addresses in reasons.items():
            more = f" and {len(addresses) - 3} more" if len(addresses) > 3 else ""
            lines.append(f"  {', '.join(addresses[:3])}{more}: {reason}")
        return lines
