"""The graph of 1,000 generated specs: how long `specport graph` work takes (goal: under 2 s).

Generates a layered set (libraries with -devel packages, programs and PHP extensions built
against them, PHP libraries needing the extensions), then times reading the records (normalize
+ textual read) and building the graph, waves and cycles, for one deb and one rpm target.
Then the same through the command line (`specport graph --no-index` on 1,000 files, Python's
start included; with a package index the names resolve against it instead of the rule data).
Prints the times; asserts nothing.

    python bench/graph_bench.py [--specs 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from specport.config import load_config
from specport.graph.cycles import find_cycles
from specport.graph.model import build_graph
from specport.graph.records import record_from_spec
from specport.graph.waves import waves

LIB = """Name: libgen{n}
Version: 1.0
Release: 1%{{?dist}}
Summary: generated library {n}
License: MIT
BuildRequires: gcc{needs}
%description
generated
%package devel
Summary: headers
Requires: %{{name}} = %{{version}}-%{{release}}
%description devel
headers
%files
%{{_libdir}}/libgen{n}.so.1
%files devel
%{{_libdir}}/pkgconfig/gen{n}.pc
%changelog
"""

USER = """Name: {name}
Version: 1.0
Release: 1%{{?dist}}
Summary: generated user {n}
License: MIT
BuildRequires: gcc, php-devel{needs}
%description
generated
%files
%changelog
"""


def generate(count: int) -> list[tuple[str, str]]:
    """A quarter libraries (each needing an earlier one), the rest built against them."""
    specs = []
    libs = max(1, count // 4)
    for n in range(libs):
        needs = f", libgen{n // 2}-devel" if n else ""
        specs.append((f"libgen{n}.spec", LIB.format(n=n, needs=needs)))
    for n in range(count - libs):
        name = f"php-pecl-gen{n}"
        needs = f", libgen{n % libs}-devel, pkgconfig(gen{(n * 7) % libs})"
        specs.append((f"{name}.spec", USER.format(name=name, n=n, needs=needs)))
    return specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    args = parser.parse_args()
    specs = generate(args.specs)
    targets = load_config(None).targets
    for name in ("debian-12", "el9-php8.2"):
        target = targets[name]
        started = time.perf_counter()
        records = [record_from_spec(label, text, target) for label, text in specs]
        read = time.perf_counter() - started
        graph = build_graph(records)
        layers = waves(graph)
        cycles = find_cycles(graph)
        total = time.perf_counter() - started
        print(
            f"{name}: {len(specs)} specs, {len(graph.edges)} edges, {len(layers)} waves, "
            f"{len(cycles)} cycles: records {read:.2f} s, graph+waves+cycles "
            f"{total - read:.3f} s, total {total:.2f} s ({'under' if total < 2 else 'OVER'} 2 s)"
        )
    with tempfile.TemporaryDirectory(prefix="specport-graph-bench-") as tmp:
        paths = []
        for label, text in specs:
            path = Path(tmp) / label
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        for name in ("debian-12", "el9-php8.2"):
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "specport",
                    "graph",
                    "-t",
                    name,
                    "--no-index",
                    "--format",
                    "json",
                    *paths,
                ],
                check=True,
                capture_output=True,
            )
            took = time.perf_counter() - started
            print(f"specport graph -t {name} ({len(paths)} files): {took:.2f} s")


if __name__ == "__main__":
    main()
