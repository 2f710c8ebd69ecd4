"""The table printed after a build: one row per spec x target."""

from __future__ import annotations

import os
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from specport import log
from specport.building.plan import PairResult


def print_summary(results: list[PairResult], build_flags: Sequence[str] = ()) -> None:
    # the run's --nocheck/--with/--without: every pair of it was built so
    title = " ".join(["specport build", *build_flags])
    table = Table(box=None, pad_edge=False, title=title, title_justify="left")
    ordered = any(r.wave > 1 for r in results)
    cols = ("spec", "target", *(("wave",) if ordered else ()), "result", "time", "packages", "log")
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in sorted(results, key=lambda r: r.wave) if ordered else results:
        if r.ok:
            # hit or miss in the result cache (none with --no-cache), then lintian's findings
            notes = [*([f"cache {r.cache}"] if r.cache else []),
                     *([f"lintian: {len(r.lint)} errors"] if r.lint else [])]  # fmt: skip
            state = "ok" + (f" ({'; '.join(notes)})" if notes else "")
            style = "green"
        elif r.blocked:
            state, style = r.message, "yellow"
        elif r.skipped:
            state, style = "skipped", "yellow"
        else:
            state, style = "FAILED", "red"
        # Text, not markup strings: a file name like "[/bold].spec" is shown, never parsed
        table.add_row(
            Text(r.pair.spec.name),
            Text(r.pair.target.name),
            *((Text(str(r.wave)),) if ordered else ()),
            Text(state, style=style),
            f"{r.seconds:.0f} s",
            Text("\n".join(p.name for p in r.packages) or "-"),
            Text(_short_path(str(r.log_path)) if r.log_path else "-"),
        )
    log.out_console.print(table)


def _short_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("../..") else path
