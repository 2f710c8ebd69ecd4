"""The Depends the deb post-step adds (debfix.py): dpkg-shlibdeps' versioned names merged into
debbuild's bare ones, and the packages of the Perl modules and Python distributions a package
needs. debfix.sh names those the build environment has; one it lacked is asked of `lookup`
(the sibling packages of the build, then the target's package index), never guessed."""

from __future__ import annotations

import re
from collections.abc import Callable

from specport.normalize.provided import python3dist

# a Fedora name (perl(X::Y), python3dist(x)) -> the target package that has it, "" for none
Lookup = Callable[[str], str]


def merge_depends(existing: str, versioned: str, extra: list[str]) -> str:
    """Existing Depends with bare names replaced by versioned ones, then the new ones added."""
    items = [i.strip() for i in existing.split(",") if i.strip()]
    better = {_dep_name(v): v.strip() for v in versioned.split(",") if v.strip()}
    out: list[str] = []
    for item in items:
        name = _dep_name(item)
        out.append(better.pop(name, item) if "|" not in item and "(" not in item else item)
    for item in [*better.values(), *extra]:
        if _dep_name(item) not in {_dep_name(o) for o in out}:
            out.append(item)
    return ", ".join(out)


def _dep_name(item: str) -> str:
    return re.split(r"[\s(:]", item.strip(), maxsplit=1)[0]


def _module_lines(text: str, package: str) -> tuple[list[str], list[str]]:
    """debfix.sh's perldeps or pydeps lines -> (packages to depend on, modules the build
    lacked)."""
    deps, missing = [], []
    for line in text.splitlines():
        kind, _, value = line.partition(" ")
        if kind == "dep" and value and value != package:
            deps.append(value)
        elif kind == "missing" and value:
            missing.append(value)
    return list(dict.fromkeys(deps)), missing


def perl_depends(
    text: str, files: list[tuple[str, str]], package: str
) -> tuple[list[str], list[str]]:
    """debfix.sh's perldeps lines -> (packages to depend on, modules the build lacked)."""
    deps, missing = _module_lines(text, package)
    if (deps or any(k == "f" and p.endswith(".pm") for k, p in files)) and "perl" not in deps:
        deps.insert(0, "perl")  # dh_perl's: a package of Perl modules needs the interpreter
    return deps, missing


def module_depends(
    perldeps: str,
    pydeps: str,
    files: list[tuple[str, str]],
    package: str,
    lookup: Lookup | None,
) -> tuple[list[str], list[str]]:
    """The packages the Perl modules and Python distributions a package needs come from (from
    debfix.sh's lines; what the build environment lacked through `lookup`), and the notes for
    the build log."""
    extra: list[str] = []
    notes: list[str] = []
    for what, (found, missing), fedora in (
        ("Perl modules it uses", perl_depends(perldeps, files, package), perl_name),
        ("Python distributions it requires", _module_lines(pydeps, package), python3dist),
    ):
        extra += found
        looked = {m: lookup(fedora(m)) if lookup else "" for m in missing}
        if any(looked.values()):
            extra += [pkg for pkg in looked.values() if pkg and pkg != package]
            notes.append(
                f"{what} that the build environment lacks, from the package index: "
                + ", ".join(f"{m} ({pkg})" for m, pkg in looked.items() if pkg)
            )
        if unknown := [m for m, pkg in looked.items() if not pkg]:
            notes.append(
                f"{what} that the build environment lacks (no Depends added for them):"
                f" {', '.join(unknown)}"
            )
    return extra, notes


def perl_name(module: str) -> str:
    return f"perl({module})"


def siblings_first(shipped: dict[str, str], lookup: Lookup | None) -> Lookup:
    return lambda name: shipped.get(name) or (lookup(name) if lookup else "")
