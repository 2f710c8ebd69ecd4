#!/usr/bin/env python3
"""Which %if conditions of a forest of specs does normalize decide for a target, and which does
it leave undecided (both branches live, their names required to resolve)?

    bench/conditions_corpus.py DIR [--target debian-12,el8-php7.4] [--top 40] [--with X]...

Every *.spec under DIR goes through normalize's passes for the target before the dependency pass
(the %( ) values, ZTS, %bcond and %elif rewrites, ...), then the target's walk
(normalize/conditions.py). Counted: each %if/%elif the readers reach (those in branches they never
take are not read), decided or not; the undecided ones are listed by how many times they
occur, most frequent first.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from specport.config import load_config
from specport.errors import SpecportError
from specport.normalize import deps
from specport.normalize.conditions import spec_view
from specport.normalize.lines import split_lines
from specport.normalize.model import Bconds, NormalizeOptions, PassContext
from specport.normalize.passes import PASSES
from specport.targets.families import facts_of
from specport.targets.model import Target


def survey(specs: list[Path], target: Target, bconds: Bconds) -> tuple[int, int, Counter[str]]:
    """(specs the passes before deps refuse, conditions reached, undecided ones by text)."""
    options = NormalizeOptions(keep_unresolved=True, bconds=bconds)
    skipped = facts_of(target).skipped_passes  # as normalize() runs them for the target
    failed, reached = 0, 0
    undecided: Counter[str] = Counter()
    for spec in specs:
        lines = split_lines(spec.read_text(encoding="utf-8", errors="replace"))
        ctx = PassContext(target=target, options=options, path=str(spec))
        try:
            for name, run in PASSES:
                if name == deps.NAME:
                    break
                if run.__name__ not in skipped:
                    lines, _ = run(lines, ctx)
        except SpecportError:
            failed += 1
            continue
        for d in spec_view(lines, target, bconds).decisions:
            reached += 1
            if d.truth is None:
                undecided[d.expression] += 1
    return failed, reached, undecided


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--target", default="debian-12,el8-php7.4")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--with", dest="with_", action="append", default=[])
    parser.add_argument("--without", action="append", default=[])
    args = parser.parse_args()
    specs = sorted(p for p in args.corpus.rglob("*.spec") if p.is_file())
    if not specs:
        print(f"no specs under {args.corpus}", file=sys.stderr)
        return 2
    targets = load_config(None).targets
    bconds = Bconds(tuple(args.with_), tuple(args.without))
    for name in args.target.split(","):
        failed, reached, undecided = survey(specs, targets[name], bconds)
        left = sum(undecided.values())
        print(
            f"{name}: {len(specs)} specs ({failed} refused before deps), {reached} conditions"
            f" reached, {reached - left} decided, {left} undecided"
        )
        for text, count in undecided.most_common(args.top):
            print(f"  {count:5}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
