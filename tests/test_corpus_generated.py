"""The generated corpus (bench/specgen.py): big, deterministic, covering the idioms, and each spec
either normalizes or fails only for a dependency name no rule knows.

The outcome table is computed, not written by hand: every (spec, target) pair is normalized and
its outcome checked against properties that hold whatever the resolver learns later: rpm targets
keep every dependency line as written; deb targets either normalize or raise DependencyError
(never another SpecError), and what they list as unresolved was in the spec.
"""

from __future__ import annotations

import importlib
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from specport.errors import DependencyError, SpecportError
from specport.normalize.depsyntax import DEP_TAG_RE
from specport.normalize.lines import expand, simple_macros, split_lines
from specport.normalize.model import NormalizeOptions
from specport.normalize.passes import normalize
from specport.targets import load_targets

REPO = Path(__file__).resolve().parents[1]
TARGETS = load_targets()
OPTIONS = NormalizeOptions(changelog_date="Tue Nov 24 2026")


@cache
def specgen() -> ModuleType:
    # bench/ holds scripts, not a package: specgen imports its family modules as siblings
    sys.path.insert(0, str(REPO / "bench"))
    try:
        return importlib.import_module("specgen")
    finally:
        sys.path.remove(str(REPO / "bench"))


@cache
def corpus() -> dict[str, str]:
    return {s.name: s.text for s in specgen().generate()}


@cache
def outcome(name: str, target: str) -> str | SpecportError:
    try:
        return normalize(corpus()[name], TARGETS[target], path=f"{name}.spec", options=OPTIONS).text
    except SpecportError as exc:
        return exc


def test_at_least_200_distinct_deterministic_specs() -> None:
    specs = specgen().generate()
    assert len(specs) >= 200
    assert len({s.name for s in specs}) == len(specs)
    assert len({s.text for s in specs}) == len(specs)
    assert [s.text for s in specgen().generate()] == [s.text for s in specs]


def test_file_names_are_the_expanded_package_names() -> None:
    # `normalize -o` writes <Name>.spec: the bench maps outputs back to inputs through this
    for name, text in corpus().items():
        macros = simple_macros(split_lines(text))
        assert expand(macros["name"], macros) == name


# each idiom the corpus must cover, and how many specs at least show it
IDIOMS = {
    "%{__pecl}": 20,
    "php(api)": 20,
    "php(zend-abi)": 20,
    "%{php_ztsinidir}": 20,
    "php-composer(": 100,
    "php-pear(": 20,
    "php-channel(": 10,
    "%{__pear}": 20,
    "%{_bindir}/phpunit": 50,
    "php-fedora-autoloader-devel": 50,
    "php-pcre": 5,
    "-devel": 100,
    "pkgconfig(": 30,
    "%{_libdir}/pkgconfig/": 20,
    "BuildRequires:  m4": 1,
    "BuildRequires:  doxygen": 3,
    "BuildRequires:  gperf": 1,
    "BuildRequires:  zip": 1,
    "BuildRequires:  yasm": 1,
    "BuildRequires:  groff": 1,
    "BuildRequires:  valgrind": 1,
    "/usr/bin/xsltproc": 3,
    "pkgconfig(libzip)": 1,
    "perl(": 5,
    "python3dist(": 5,
    "systemd-units": 5,
    "Requires:       httpd\n": 3,
    "httpd-mmn": 3,
    "%bcond ": 20,
    "%elif": 5,
    "%autorelease": 50,
    "%autochangelog": 50,
    "${c:0:7}": 5,
    "%{?scl:": 5,
    "php74-devel": 1,
    "php74-php-devel": 1,
    " or ": 5,
    "%patch0": 10,
    "%patch -P": 10,
    "^20240": 5,
    "%[": 5,
    "%if 0%{?fedora} || 0%{?rhel} >= 8": 20,
}


@pytest.mark.parametrize("idiom", list(IDIOMS))
def test_corpus_covers_the_idiom(idiom: str) -> None:
    users = [n for n, t in corpus().items() if idiom in t]
    assert len(users) >= IDIOMS[idiom], f"{idiom}: only {users}"


_CAPABILITY_RE = re.compile(r"(php-composer|php-pear|php-channel)\(([^)]+)\)")


def test_stacks_depend_on_each_other_and_the_set_provides_them() -> None:
    """Every capability of a corpus vendor or channel a spec requires, another spec provides."""
    provided: set[str] = set()
    required: dict[str, set[str]] = {}
    own = ("acme", "zephyr", "nimbus", "quarkbyte", "orbital", "tessera", "brightline", "kestrel")
    for name, text in corpus().items():
        macros = simple_macros(split_lines(text))
        for line in text.splitlines():
            m = DEP_TAG_RE.match(line)
            if not m:
                continue
            for cap in _CAPABILITY_RE.finditer(expand(m.group(3), macros) or m.group(3)):
                value = f"{cap.group(1)}({cap.group(2)})"
                if m.group(1).lower() == "provides":
                    provided.add(value)
                elif cap.group(2).split("/")[0] in own or "acme" in cap.group(2):
                    required.setdefault(value, set()).add(name)
    assert len(required) >= 100
    assert {cap for cap in required if cap not in provided} == set()


def _dependency_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if DEP_TAG_RE.match(ln)]


def test_rpm_target_normalizes_everything_and_keeps_rpm_names() -> None:
    problems = []
    for name, text in corpus().items():
        result = outcome(name, "el8-php7.4")
        if not isinstance(result, str):
            problems.append(f"{name}: {result}")
            continue
        kept = set(result.splitlines())
        lost = [ln for ln in _dependency_lines(text) if ln not in kept]
        if lost:
            problems.append(f"{name}: rewrote {lost[0]!r}")
    assert problems == []


def test_deb_target_fails_only_for_unresolved_dependencies() -> None:
    table: dict[str, str] = {}
    problems = []
    for name, text in corpus().items():
        result = outcome(name, "debian-12")
        if isinstance(result, str):
            table[name] = "ok"
            continue
        if not isinstance(result, DependencyError):
            table[name] = type(result).__name__
            problems.append(f"{name}: {result}")
            continue
        table[name] = "dependency"
        # each "line N: NAME" it lists points at a dependency tag of the input
        lines = text.splitlines()
        for no in re.findall(r"line (\d+):", str(result)):
            if not DEP_TAG_RE.match(lines[int(no) - 1]):
                problems.append(f"{name}: line {no} is not a dependency: {lines[int(no) - 1]!r}")
    assert problems == []
    assert set(table.values()) <= {"ok", "dependency"}
    assert "ok" in table.values()  # the rules already carry part of the corpus
