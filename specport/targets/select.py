"""Turn a --target expression (comma list of names and shell globs) into targets."""

from __future__ import annotations

import difflib
import fnmatch

from specport.errors import UsageError
from specport.targets.loader import TargetSet
from specport.targets.model import Target


def select_targets(targets: TargetSet, expression: str) -> list[Target]:
    """Targets named by `expression`, in definition order, each once.

    A name or glob that matches nothing fails, naming the closest targets.
    """
    wanted: set[str] = set()
    for item in (p.strip() for p in expression.split(",")):
        if not item:
            continue
        if any(c in item for c in "*?["):
            hits = fnmatch.filter(list(targets), item)
        else:
            hits = [item] if item in targets else []
        if not hits:
            raise UsageError(_unknown_message(targets, item))
        wanted.update(hits)
    if not wanted:
        raise UsageError("no target given; `specport targets` lists them")
    return [targets[n] for n in targets if n in wanted]


def _unknown_message(targets: TargetSet, item: str) -> str:
    names = list(targets)
    close = difflib.get_close_matches(item, names, n=3, cutoff=0.5)
    if not close:
        prefix = item.split("-")[0].rstrip("*?[")
        close = [n for n in names if n.startswith(prefix)][:3]
    what = "pattern" if any(c in item for c in "*?[") else "target"
    if item in targets.abstract:
        return f"{item!r} is an abstract base, not a target; pick one that extends it"
    message = f"unknown {what} {item!r}"
    if close:
        message += f"; did you mean {', '.join(close)}?"
    return message + " (`specport targets` lists them)"
