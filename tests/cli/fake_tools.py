"""Stand-ins for `gh` and `curl`, so the workflows' own shell steps run here unchanged.

They keep the GitHub / GitLab side (comments, notes, secrets, CI/CD variables) in the JSON
file named by FAKE_STATE and record every call. `gh api --jq` is evaluated by the real `jq`.
Run as `python fake_tools.py gh|curl ARGS...` (the test puts shims named gh and curl on PATH);
FAKE_FAIL=gh (or curl) makes that tool fail as an API that refuses would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def _load() -> dict[str, Any]:
    return json.loads(Path(os.environ["FAKE_STATE"]).read_text())


def _save(state: dict[str, Any]) -> None:
    Path(os.environ["FAKE_STATE"]).write_text(json.dumps(state))


def _option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        if arg in names and i + 1 < len(args):
            return args[i + 1]
    return None


def gh(args: list[str], state: dict[str, Any]) -> str:
    if args[:2] == ["secret", "set"]:
        state["secrets"][args[2]] = sys.stdin.read()
        state["calls"].append(["gh", "secret", args[2], _option(args, "--repo")])
        return ""
    assert args[0] == "api", args
    method = _option(args, "--method", "-X") or "GET"
    path = next(a for a in args[1:] if a.startswith("repos/"))
    state["calls"].append(["gh", method, path])
    comments: list[dict[str, Any]] = state["comments"]
    if method == "GET":
        listing = json.dumps(comments)
        jq = _option(args, "--jq", "-q")
        if jq is None:
            return listing
        return subprocess.run(
            ["jq", "-r", jq], input=listing, capture_output=True, text=True, check=True
        ).stdout
    field = _option(args, "-F", "--field")
    assert field is not None and field.startswith("body=@"), args
    body = Path(field.removeprefix("body=@")).read_text()
    if method == "PATCH":
        comment_id = int(path.rsplit("/", 1)[1])
        next(c for c in comments if c["id"] == comment_id)["body"] = body
    else:
        comments.append({"id": max([c["id"] for c in comments], default=100) + 1, "body": body})
    return "{}"


def curl(args: list[str], state: dict[str, Any]) -> str:
    url = next(a for a in args if a.startswith("http"))
    method = _option(args, "--request", "-X") or "GET"
    state["calls"].append(["curl", method, url.split("?")[0]])
    form = _option(args, "--form", "-F")
    encoded = _option(args, "--data-urlencode")
    if "/variables/" in url:
        assert method == "PUT" and form is not None and form.startswith("value=<"), args
        state["variables"][url.rsplit("/", 1)[1]] = Path(form.removeprefix("value=<")).read_text()
        return "{}"
    notes: list[dict[str, Any]] = state["notes"]
    if method == "GET":
        return json.dumps(notes)
    assert encoded is not None and encoded.startswith("body@"), args
    body = Path(encoded.removeprefix("body@")).read_text()
    if method == "PUT":
        note_id = int(url.rsplit("/", 1)[1])
        next(n for n in notes if n["id"] == note_id)["body"] = body
    else:
        notes.append({"id": max([n["id"] for n in notes], default=500) + 1, "body": body})
    return "{}"


def main() -> None:
    tool, args = sys.argv[1], sys.argv[2:]
    if os.environ.get("FAKE_FAIL") == tool:  # the API is down, or the token may not write
        sys.exit(f"{tool}: HTTP 403: Resource not accessible by integration")
    state = _load()
    out = {"gh": gh, "curl": curl}[tool](args, state)
    _save(state)
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
