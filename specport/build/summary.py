"""The table printed after a build: one row per spec x target."""

from __future__ import annotations

import os

from rich.markup import escape
from rich.table import Table

from specport import log
from specport.build.plan import PairResult


def print_summary(results: list[PairResult]) -> None:
    table = Table(box=None, pad_edge=False, title="specport build", title_justify="left")
    ordered = any(r.wave > 1 for r in results)
    cols = ("spec", "target", *(("wave",) if ordered else ()), "result", "time", "packages", "log")
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in sorted(results, key=lambda r: r.wave) if ordered else results:
        if r.ok:
            state = "ok" + (f" (lintian: {len(r.lint)} errors)" if r.lint else "")
            style = "green"
        elif r.blocked:
            state, style = r.message, "yellow"
        elif r.skipped:
            state, style = "skipped", "yellow"
        else:
            state, style = "FAILED", "red"
        table.add_row(
            r.pair.spec.name,
            r.pair.target.name,
            *((str(r.wave),) if ordered else ()),
            f"[{style}]{escape(state)}[/{style}]",
            f"{r.seconds:.0f} s",
            "\n".join(p.name for p in r.packages) or "-",
            _short_path(str(r.log_path)) if r.log_path else "-",
        )
    log.out_console.print(table)


def _short_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("../..") else path
