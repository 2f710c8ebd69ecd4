"""Split a dependency tag's value into items, as rpm reads it: `name [op version]`, separated by
commas or blanks, where names may hold `(...)` and `%{...}` and a rich dependency is `( ... )`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# an arch-qualified name: foo%{?_isa}, foo%{_isa}, foo(%{__isa}) or rpm's expansion, foo(x86-64);
# Debian names are not arch-qualified
ISA_RE = re.compile(r"%\{\??_isa\}|\(%\{__isa\}\)|\((?:x86|aarch|ppc|s390|riscv)-(?:32|64)\)")

OPERATORS = ("<=", ">=", "==", "<", ">", "=")
# rpm also reads `=<` and `=>` (rpmds.c's comparison table): the same as `<=` and `>=`
_REVERSED = {"=<": "<=", "=>": ">="}
# dpkg's spelling of rpm's version operators (what debbuild writes): the one map of them
DPKG_OPERATORS = {"<": "<<", ">": ">>", "==": "="}


def dpkg_relation(op: str) -> str:
    """dpkg's spelling of an rpm version operator."""
    return DPKG_OPERATORS.get(op, op)


DEP_TAG_RE = re.compile(
    r"^(BuildRequires|BuildConflicts|Requires(?:\([^)]*\))?|Provides|Conflicts|Obsoletes|"
    r"Recommends|Suggests|Supplements|Enhances|OrderWithRequires)(\s*:\s*)(.*)$",
    re.IGNORECASE,
)


class DepSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Dep:
    name: str  # as written ("pkgconfig(yaml-0.1)", "%{name}%{?_isa}", "(a or b)")
    op: str = ""
    version: str = ""

    @property
    def rich(self) -> bool:
        return self.name.startswith("(")

    def render(self, name: str | None = None) -> str:
        n = self.name if name is None else name
        return f"{n} {self.op} {self.version}" if self.op else n


def _word(text: str, i: int) -> int:
    """End of the word starting at i: stops at blank or comma outside (), {} and []."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth < 0:
                raise DepSyntaxError(f"unbalanced {c!r}")
        elif depth == 0 and (c.isspace() or c == "," or (c in "<>=" and i > 0)):
            break
        i += 1
    if depth:
        raise DepSyntaxError("unbalanced parentheses or braces")
    return i


def split_deps(value: str) -> list[Dep]:
    tokens: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c.isspace() or c == ",":
            i += 1
            continue
        op = next((o for o in (*_REVERSED, *OPERATORS) if value.startswith(o, i)), None)
        if op:
            tokens.append(_REVERSED.get(op, op))
            i += len(op)
            continue
        end = _word(value, i)
        tokens.append(value[i:end])
        i = end
    deps: list[Dep] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok in OPERATORS:
            raise DepSyntaxError(f"operator {tok!r} without a name before it")
        if k + 1 < len(tokens) and tokens[k + 1] in OPERATORS:
            if k + 2 >= len(tokens) or tokens[k + 2] in OPERATORS:
                raise DepSyntaxError(f"{tok} {tokens[k + 1]}: version missing")
            deps.append(Dep(tok, tokens[k + 1], tokens[k + 2]))
            k += 3
        else:
            deps.append(Dep(tok))
            k += 1
    return deps


_RICH_WORD_RE = re.compile(r"\s+(and|or|with|without|if|unless|else)\s+")


def rich_terms(rich: str) -> tuple[set[str], list[str]] | None:
    """`(a >= 1 with a < 2)` -> ({"with"}, ["a >= 1", "a < 2"]): the keywords and the terms of a
    rich dependency; None when a term is itself a rich dependency (a name may hold parentheses,
    `php-composer(a/b)`; a nested rich dependency starts with one)."""
    pieces = _RICH_WORD_RE.split(rich.strip()[1:-1].strip())
    terms = pieces[::2]
    if any(t.lstrip().startswith("(") for t in terms):
        return None
    return set(pieces[1::2]), terms


def rich_alternatives(rich: str) -> list[Dep] | None:
    """`(a or b >= 2)` -> [a, b >= 2]; None for rich deps that are not a plain list of `or`."""
    found = rich_terms(rich)
    if found is None or found[0] - {"or"}:
        return None
    out: list[Dep] = []
    for part in found[1]:
        deps = split_deps(part)
        if len(deps) != 1:
            return None
        out.append(deps[0])
    return out
