"""One exit-code table for every command (README "Exit codes" prints the same table).

A CI step can tell "nothing to do" from "something to do" from "blocked" from "broken" with
`plan --detailed-exitcode`; usage mistakes get their own code so that a typo in a workflow
never passes for "changes to apply" (click's default for usage errors is 2).
"""

from __future__ import annotations

from collections.abc import Iterable

OK = 0
#: the command failed: Allegro, network or credentials, an apply with failed changes, an
#: invalid catalog or a blocked plan (without --detailed-exitcode)
FAILED = 1
#: plan --detailed-exitcode: the plan has changes to apply
CHANGES = 2
#: plan --detailed-exitcode: the catalog is invalid or errors block the plan
BLOCKED = 3
#: an unknown command or option, a bad argument, an unknown --target (sysexits EX_USAGE)
USAGE = 64
#: interrupted (Ctrl-C); the next plan shows what is left
INTERRUPTED = 130
#: stopped by SIGTERM (a CI runner cancelling the job, `kill`): as Ctrl-C, state resumable
TERMINATED = 143

TABLE: tuple[tuple[int, str], ...] = (
    (OK, "success; with `plan --detailed-exitcode`: nothing to change"),
    (FAILED, "failure: Allegro, network or credentials; apply finished with failed changes; "
             "an invalid catalog or a blocked plan (without `--detailed-exitcode`)"),
    (CHANGES, "`plan --detailed-exitcode`: there are changes to apply"),
    (BLOCKED, "`plan --detailed-exitcode`: the catalog is invalid or errors block the plan"),
    (USAGE, "usage: unknown command or option, bad argument, unknown `--target`"),
    (INTERRUPTED, "interrupted (Ctrl-C); run `catalogsync plan` to see what is left"),
    (TERMINATED, "stopped by SIGTERM (a cancelled CI job): as 130, and as resumable"),
)

#: From least to most severe: several catalogs in one run exit with the worst of their codes.
_SEVERITY = (OK, CHANGES, BLOCKED, FAILED, USAGE, INTERRUPTED, TERMINATED)


def worst(codes: Iterable[int]) -> int:
    """The most severe of `codes` (OK for none)."""
    return max(codes, key=_SEVERITY.index, default=OK)
