#!/usr/bin/env python3
"""A deterministic corpus of Fedora-style spec files, written for specport's bench and tests.

    bench/specgen.py OUTDIR     # writes OUTDIR/<name>.spec (about 240 files) and prints the count

The specs are generated here, not copied: each family below is a template filled from small
tables, with the idioms third-party PHP packagers use switched on by the spec's index, so the
same call always yields the same files. Package names of the specs are made up (vendors `acme`,
`zephyr`, `nimbus`, ...); the names they depend on are real Fedora names whose Debian
counterparts exist in bookworm (`libzstd-devel`, `php-composer(psr/log)`, `perl(JSON::PP)`,
`/usr/bin/xsltproc`, ...), so a resolver backed by Debian's package index can answer them.

Families: PECL extensions (NTS/ZTS, SCL, EL versioned stacks), PHP library stacks that depend on
each other (php-composer(), autoloaders, phpunit), PEAR packages and their channel, C libraries
with -devel and pkg-config files, programs (build tools, systemd, httpd modules, perl(),
python3dist()).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from specgen_base import Spec
from specgen_native import C_LIB_NAMES, PROGRAMS, c_library, program
from specgen_pecl import pecl
from specgen_phplib import PEAR_WORDS, library_stacks, pear_channel, pear_package, php_library

SEED = 13


def generate() -> list[Spec]:
    """The corpus, in a fixed order; names are unique."""
    rng = random.Random(SEED)
    specs: list[Spec] = [pecl(i, rng) for i in range(48)]
    specs += [php_library(i, lib, rng) for i, lib in enumerate(library_stacks())]
    specs.append(pear_channel())
    specs += [pear_package(i, rng) for i in range(len(PEAR_WORDS))]
    specs += [c_library(i, rng) for i in range(len(C_LIB_NAMES))]
    specs += [program(i, rng) for i in range(len(PROGRAMS))]
    names = [s.name for s in specs]
    assert len(set(names)) == len(names), "corpus names must be unique"
    return specs


def write(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in generate():
        path = outdir / f"{spec.name}.spec"
        path.write_text(spec.text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    paths = write(Path(argv[0]))
    print(f"{len(paths)} specs in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
