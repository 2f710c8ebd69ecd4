"""A SpecRecord from spec text, read as text (no rpm on the host): fast, and safe for untrusted
specs.

The record is read from the spec as normalized for the target (its BuildRequires are already in
the target's names); Provides also come from the input spec (normalize/provided.py, the reading the
resolvers of normalize and build use too), because the deb normalizer drops Fedora capability
names (`pkgconfig(x)`, `php-pecl(x)`) that specs of the same set still ask for. Where Debian
name rules apply, each package also answers to the name the target's resolver gives its Fedora
name (`libfoo-devel` -> `libfoo-dev`): what other specs' BuildRequires become.
"""

from __future__ import annotations

import re

from specport.graph.model import SpecRecord
from specport.normalize.conditions import spec_view
from specport.normalize.depsyntax import DEP_TAG_RE, ISA_RE, DepSyntaxError, split_deps
from specport.normalize.lines import SECTION_RE, continued, expand, sections, split_lines
from specport.normalize.model import Bconds, Line, NormalizeOptions
from specport.normalize.passes import normalize
from specport.normalize.provided import provided_names
from specport.normalize.resolver import Resolver, RuleResolver, debian_name
from specport.targets.families import facts_of
from specport.targets.model import Target

_PACKAGE_RE = re.compile(r"^%(package|files)(?:\s+(-n\s+)?([^\s-][^\s]*))?")
_PC_RE = re.compile(r"/pkgconfig/([A-Za-z0-9_.+-]+)\.pc\s*$")


def record_from_spec(
    label: str,
    text: str,
    target: Target,
    resolver: Resolver | None = None,
    bconds: Bconds | None = None,
) -> SpecRecord:
    """Normalize `text` for `target` with `resolver` (the Resolver seam: rule data, the
    target's package index, the set's own names; names none knows are kept) and the build's
    --with/--without, read its record."""

    options = NormalizeOptions(keep_unresolved=True, bconds=bconds or Bconds())
    result = normalize(text, target, path=label, options=options, resolver=resolver)
    return read_record(label, result.text, target, original=text, bconds=bconds)


def read_record(
    label: str,
    normalized: str,
    target: Target,
    *,
    original: str | None = None,
    bconds: Bconds | None = None,
) -> SpecRecord:
    # Debian name rules: debbuild writes lower-case names, and other specs ask by translated name
    deb = facts_of(target).translates_names
    lines = split_lines(normalized)
    facts = _read(lines, target, bconds)
    rename = debian_name if deb else (lambda n: n)
    packages = tuple(dict.fromkeys(rename(p) for p in facts.packages))
    provides = [f"{name}={rename(pkg)}" for name, pkg in facts.provides]
    # what the input spec builds, as every command reads it (normalize/provided.py: Provides,
    # pkgconfig() of its .pc files, the paths of its %files)
    source = split_lines(original) if original is not None else lines
    named = provided_names(source, target, bconds)
    provides += [f"{name}={rename(pkg)}" for name, pkg in named.items()]
    if deb:
        # the rule data's name for each package: what a spec normalized without the set's names
        # (an earlier CI wave, a single spec) asks for
        resolver = RuleResolver(target)
        claimed = {p.split("=", 1)[0] for p in provides}
        for fedora in [*facts.packages, *(name for name, _ in facts.provides)]:
            found = resolver.resolve(fedora)
            owner = rename(dict(facts.provides).get(fedora, fedora))
            if found is not None and found.name and found.name not in claimed:
                claimed.add(found.name)
                provides.append(f"{found.name}={owner}")
    main = facts.packages[0] if facts.packages else label
    return SpecRecord(
        spec=label,
        name=main,
        packages=packages,
        provides=tuple(p for p in dict.fromkeys(provides) if p.split("=", 1)[0] not in packages),
        build_requires=tuple(dict.fromkeys(facts.build_requires)),
        requires=tuple(dict.fromkeys([*facts.requires, *php_abi(facts.build_requires, target)])),
    )


# what a PHP extension build is tied to: the target's PHP API, in rpm's and Debian's names
_PHP_DEV = re.compile(r"^(php-devel|php[0-9.]*-dev)$")


def php_abi(build_requires: list[str], target: Target) -> list[str]:
    if not target.php_api or not any(_PHP_DEV.match(b) for b in build_requires):
        return []
    return ["php(api)", "php(zend-abi)", f"phpapi-{target.php_api}"]


class _Facts:
    def __init__(self) -> None:
        self.packages: list[str] = []  # Fedora spelling, main first
        self.provides: list[tuple[str, str]] = []  # (name, package)
        self.build_requires: list[str] = []
        self.requires: list[str] = []


def _read(lines: list[Line], target: Target, bconds: Bconds | None) -> _Facts:
    facts = _Facts()
    view = spec_view(lines, target, bconds)  # the branches the target takes, its macros
    macros = view.macros
    main = expand(macros.get("name", ""), macros) or macros.get("name", "")
    if main:
        facts.packages.append(main)
    current = main  # the package the preamble or %files lines belong to
    secs = sections(lines)
    for ln, sec, cont, alive in zip(lines, secs, continued(lines), view.live, strict=True):
        if cont or not alive:
            continue
        head = _PACKAGE_RE.match(ln.text) if SECTION_RE.match(ln.text) else None
        if head:
            sub = head.group(3)
            if sub:
                full = sub if head.group(2) else f"{main}-{sub}"
                current = expand(full, macros) or full
            else:
                current = main
            if head.group(1) == "package" and current not in facts.packages:
                facts.packages.append(current)
            continue
        if sec == "files":
            pc = _PC_RE.search(ln.text)
            if pc:
                facts.provides.append((f"pkgconfig({pc.group(1)})", current))
            continue
        if sec != "preamble":
            continue
        m = DEP_TAG_RE.match(ln.text)
        tag = m.group(1).lower().split("(", 1)[0] if m else ""
        if m is None or tag not in ("provides", "buildrequires", "requires"):
            continue
        try:
            deps = split_deps(ISA_RE.sub("", m.group(3)).strip())
        except DepSyntaxError:
            continue  # normalize reports bad syntax; the graph only skips it
        for dep in deps:
            name = expand(dep.name, macros)
            if not name or dep.rich:
                continue
            if tag == "provides":
                facts.provides.append((name, current))
            elif tag == "requires":
                facts.requires.append(name)
            else:
                facts.build_requires.append(name)
    return facts
