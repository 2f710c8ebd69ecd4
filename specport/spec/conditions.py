"""Which %if branches a target can never take, decided from the distro macros alone.

Passes that rewrite lines for a target (dependency names, debbuild checks) must leave alone the
lines the target's own parser skips: `%if 0%{?fedora} || 0%{?rhel}` guards Fedora-only names, and
specport's error hints tell users to write exactly that. Only conditions made of distro macros,
numbers, comparisons and && || ! are decided; anything else is "unknown" and its lines are treated
as live (the conservative answer: they are still translated and checked).

The distro macros of a target are the ones its parser defines: on deb targets debbuild sets
%debian/%ubuntu (macros/deb/macros.specport-platform.j2); Fedora's and EL's are undefined there.
"""

from __future__ import annotations

import re

from specport.spec.model import Line
from specport.targets.facts import DISTRO_MACROS, distro_macros
from specport.targets.model import Target


def distro_values(target: Target) -> dict[str, str]:
    """The distro macros the target's parser defines, with their values (targets.facts)."""
    return distro_macros(target)


_MACRO_RE = re.compile(r"%\{([!?]*)(\w+)(?::([^{}]*))?\}|%\{(defined|undefined)\s+(\w+)\}")
_TOKEN_RE = re.compile(r"\s*(\d+|&&|\|\||==|!=|>=|<=|>|<|!|\(|\))")


def evaluate_condition(expr: str, target: Target) -> bool | None:
    """True/False when `expr` (the text after %if) only uses distro macros; None otherwise."""
    values = distro_values(target)
    unknown = False

    def repl(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(4):
            name = m.group(5)
            if name not in DISTRO_MACROS:
                unknown = True
                return ""
            return str(int((name in values) == (m.group(4) == "defined")))
        flags, name, alt = m.group(1), m.group(2), m.group(3)
        if name not in DISTRO_MACROS or "?" not in flags:
            unknown = True
            return ""
        defined = name in values
        if "!" in flags:
            return (alt or "") if not defined else ""
        if not defined:
            return ""
        return alt if alt is not None else values[name]

    text = _MACRO_RE.sub(repl, expr)
    if unknown or "%" in text:
        return None
    try:
        return bool(_Parser(text).parse())
    except ValueError:
        return None


# deeper nesting of ( and ! than this is "unknown" (a ValueError), not a RecursionError
MAX_DEPTH = 64


class _Parser:
    """Integer expressions with comparisons, ! && || and parentheses (rpm's %if grammar subset)."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN_RE.match(text, pos)
            if not m:
                raise ValueError(text)
            self.tokens.append(m.group(1))
            pos = m.end()
        self.pos = 0
        self.depth = 0

    def parse(self) -> int:
        if not self.tokens:
            raise ValueError("empty")
        value = self.or_()
        if self.pos != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise ValueError("unexpected end")
        self.pos += 1
        return tok

    def or_(self) -> int:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = int(bool(value) or bool(right))
        return value

    def and_(self) -> int:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            value = int(bool(value) and bool(right))
        return value

    def compare(self) -> int:
        left = self.unary()
        ops = {
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            "<": lambda a, b: a < b,
        }
        op = self.peek()
        if op in ops:
            self.take()
            return int(ops[op](left, self.unary()))
        return left

    def unary(self) -> int:
        tok = self.take()
        if tok in ("!", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ValueError("nested too deep")
            if tok == "!":
                value = int(not self.unary())
            else:
                value = self.or_()
                if self.take() != ")":
                    raise ValueError("unbalanced")
            self.depth -= 1
            return value
        if tok.isdigit():
            return int(tok)
        raise ValueError(tok)


_IF_RE = re.compile(r"^\s*%if(?:\s+(.*))?$")
_IFARCH_RE = re.compile(r"^\s*%if(n?arch|n?os)\b")
_ELSE_RE = re.compile(r"^\s*%else\b")
_ENDIF_RE = re.compile(r"^\s*%endif\b")


def live_lines(lines: list[Line], target: Target) -> list[bool]:
    """False for each line inside a branch the target never takes (the %if/%else/%endif lines
    themselves count as live). Expects %elif already rewritten, as the syntax pass does."""
    out: list[bool] = []
    # per open %if: (branch is dead, the %if's own truth or None); `dead` counts the dead
    # entries of the stack, so a line costs the same at any depth (20,000 nested %if)
    stack: list[tuple[bool, bool | None]] = []
    dead = 0
    for ln in lines:
        text = ln.text
        if "%" not in text:  # not %if/%else/%endif: every pattern below needs a %
            out.append(not dead)
            continue
        if _IFARCH_RE.match(text):
            stack.append((False, None))
            out.append(not dead)
            continue
        m = _IF_RE.match(text)
        if m and not text.lstrip().startswith(("%ifarch", "%ifnarch", "%ifos", "%ifnos")):
            truth = evaluate_condition(m.group(1) or "", target)
            out.append(not dead)
            stack.append((truth is False, truth))
            dead += truth is False
            continue
        if _ELSE_RE.match(text) and stack:
            was_dead, truth = stack.pop()
            dead -= was_dead
            out.append(not dead)
            stack.append((truth is True, truth))
            dead += truth is True
            continue
        if _ENDIF_RE.match(text) and stack:
            was_dead, _ = stack.pop()
            dead -= was_dead
            out.append(not dead)
            continue
        out.append(not dead)
    return out
