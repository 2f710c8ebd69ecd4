"""%if expressions, evaluated as the target's spec reader does once macros are expanded.

rpm (rpm targets): integers (decimal: `08` is 8), "strings", comparisons, ! && || and
parentheses; a comparison of an integer with a string, or a bare word, is an error in rpm, so
it is "unknown" here. Strings compare byte-wise, as rpm's strcmp: "8.2" > "5.6".

debbuild (deb targets, debbuild 24.12 `parse_spec`): before expanding, every macro reference that
stands between blanks is put in double quotes (`%if %{with_x}` -> `"0"`); then an expression of
only digits, blanks, comparisons, && || + - and parentheses is Perl arithmetic (one leading zero
per number dropped: `0%{?debian}` -> `12`); any other has ==, !=, <, ... turned into Perl's
string operators (eq, ne, lt, ...) and is evaluated by Perl, where numbers are Perl literals
(`012` is octal). The value's truth is Perl's ("", "0" and 0 are false). What this module cannot
follow exactly (Perl interpolation, bare words, octal oddities) is "unknown", never a guess.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

# the two macro languages a spec is read in: rpm's, and debbuild's (Perl's truth, its quoting)
RPM_DIALECT = "rpm"
DEBBUILD_DIALECT = "debbuild"

Value = int | str
_RPM_TOKEN = re.compile(r'\s*(\d+|"[^"]*"|&&|\|\||==|!=|>=|<=|>|<|!|\(|\)|\+|-)')
_PERL_TOKEN = re.compile(
    r"\s*(\d+(?:\.\d+)?|\"[^\"]*\"|'[^']*'|&&|\|\||==|!=|>=|<=|<=>|>|<|!|\(|\)|\+|-"
    r"|\b(?:eq|ne|lt|gt|le|ge|cmp|not|and|or)\b|[A-Za-z_]\w*)"
)
# Perl words that are not plain barewords (operators, functions): what they do is not followed
_PERL_WORDS = frozenset({"x", "lc", "uc", "length", "defined", "ref", "int", "abs", "q", "qq",
                         "qw", "m", "s", "y", "tr", "sub", "do", "eval", "my", "our", "local",
                         "return", "if", "unless", "print", "die", "exit", "undef", "exists",
                         "delete", "scalar", "xor", "__FILE__", "__LINE__"})  # fmt: skip
# debbuild quotes each run of macro references that stands between blanks
_DEBBUILD_QUOTE = re.compile(r"\s+((?:%(?:\{[^}]+\}|\([^)]+\)|\w+))+)\s+")
_PERL_PLAIN = re.compile(r"^[\d\s<=>&|()+-]+$")
_STRING_OPS = (("==", " eq "), ("!=", " ne "), ("<=>", " cmp "), ("<=", " le "),
               (">=", " ge "), ("<", " lt "), (">", " gt "))  # fmt: skip


# deeper nesting of ( ! - than this is "unknown", not a RecursionError (rpm itself stops far
# earlier on real specs; a hostile one nests thousands)
MAX_NESTING = 64


class Unknown(Exception):
    """The expression is beyond what this module follows exactly."""


class _PerlError(Exception):
    """Perl refuses to compile the expression (a bareword under `use strict`, an illegal octal
    digit): debbuild's `eval $expr or 0` is then false."""


def debbuild_quote(expr: str) -> str:
    """The expression text after debbuild's quoting of blank-separated macro references (the
    line after `%if`, which keeps its leading blank and newline in debbuild)."""
    return _DEBBUILD_QUOTE.sub(r' "\1" ', f" {expr.strip()}\n").strip()


def evaluate(expanded: str, dialect: str) -> bool | None:
    """The truth of an expanded %if expression in rpm's or debbuild's ("rpm"/"debbuild") way;
    None when it cannot be known exactly (malformed, or beyond this module)."""
    try:
        if dialect == DEBBUILD_DIALECT:
            try:
                return _perl_truth(_perl(expanded))
            except _PerlError:
                return False
        value = _Parser(_tokens(expanded, _RPM_TOKEN), _rpm_atom, _rpm_compare, _rpm_truth).parse()
        return value != "" if isinstance(value, str) else value != 0
    except (Unknown, ValueError):
        return None


def _tokens(text: str, pattern: re.Pattern[str]) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = pattern.match(text, pos)
        if not m:
            raise Unknown(text[pos:])
        out.append(m.group(1))
        pos = m.end()
    if not out:
        raise Unknown("empty")
    return out


def _rpm_atom(tok: str) -> Value:
    if tok.isdigit():
        return int(tok)
    if tok.startswith('"'):
        return tok[1:-1]
    raise Unknown(tok)


def _rpm_truth(v: Value) -> bool:
    if isinstance(v, str):
        raise Unknown("rpm: ! && || take numbers")
    return v != 0


def _rpm_compare(op: str, left: Value, right: Value) -> Value:
    if type(left) is not type(right):
        raise Unknown("rpm: types must match")
    return int(_COMPARE[op](left, right))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _perl(expanded: str) -> Value:
    text = expanded.strip()
    if _PERL_PLAIN.match(text):
        text = re.sub(r"(\D)0(\d+)", r"\1\2", f" {text}")  # debbuild's shortcut for 0%{?x}
        return _Parser(_tokens(text, _PERL_TOKEN), _perl_atom, _perl_numeric, _perl_truth).parse()
    for op, word in _STRING_OPS:
        text = text.replace(op, word)
    return _Parser(_tokens(text, _PERL_TOKEN), _perl_atom, _perl_string, _perl_truth).parse()


def _perl_atom(tok: str) -> Value:
    if tok[0] in "\"'":
        body = tok[1:-1]
        if tok[0] == '"' and any(c in body for c in "$@\\"):
            raise Unknown("Perl interpolation")
        return body
    if tok[0].isdigit():
        if "." in tok:
            return tok  # a decimal literal: Perl prints it as written (5.6)
        if len(tok) > 1 and tok[0] == "0":
            if any(c in "89" for c in tok):
                raise _PerlError("illegal octal digit")
            return int(tok, 8)
        return int(tok)
    if tok in _PERL_WORDS:
        raise Unknown(tok)
    raise _PerlError(f"bareword {tok} under use strict")


def _perl_number(v: Value) -> float:
    if isinstance(v, int):
        return v
    m = re.match(r"\s*(\d+(?:\.\d*)?)", v)
    return float(m.group(1)) if m else 0.0


def _perl_numeric(op: str, left: Value, right: Value) -> Value:
    if op == "<=>":
        a, b = _perl_number(left), _perl_number(right)
        return (a > b) - (a < b)
    return int(_COMPARE[op](_perl_number(left), _perl_number(right)))


_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}


def _perl_string(op: str, left: Value, right: Value) -> Value:
    a, b = str(left), str(right)
    if op == "cmp":
        return (a > b) - (a < b)
    if op in _WORD_OPS:
        return int(_COMPARE[_WORD_OPS[op]](a, b))
    raise Unknown(f"Perl {op} after debbuild's rewrite")  # a numeric operator left over


def _perl_truth(v: Value) -> bool:
    return v not in ("", "0", 0)


class _Parser:
    """Recursive descent over ! && || comparisons + - and parentheses; atoms and comparisons
    are the dialect's."""

    _CMP = frozenset({"==", "!=", ">=", "<=", ">", "<", "<=>", "eq", "ne", "lt", "gt", "le",
                      "ge", "cmp"})  # fmt: skip

    def __init__(
        self,
        tokens: list[str],
        atom: Callable[[str], Value],
        compare: Callable[[str, Value, Value], Value],
        truth: Callable[[Value], bool],
    ) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0  # open ( and ! around the token being read
        self.atom = atom
        self.compare = compare
        self.truth = truth

    def parse(self) -> Value:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise Unknown("trailing tokens")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise Unknown("unexpected end")
        self.pos += 1
        return tok

    def or_(self) -> Value:
        value = self.and_()
        while self.peek() in ("||", "or"):
            self.take()
            right = self.and_()
            value = value if self.truth(value) else right
        return value

    def and_(self) -> Value:
        value = self.cmp()
        while self.peek() in ("&&", "and"):
            self.take()
            right = self.cmp()
            value = right if self.truth(value) else value
        return value

    def cmp(self) -> Value:
        left = self.sum()
        op = self.peek()
        if op in self._CMP:
            self.take()
            return self.compare(op, left, self.sum())
        return left

    def sum(self) -> Value:
        value = self.unary()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.unary()
            if not isinstance(value, int) or not isinstance(right, int):
                raise Unknown("arithmetic on strings")
            value = value + right if op == "+" else value - right
        return value

    def unary(self) -> Value:
        tok = self.take()
        if tok in ("!", "not", "(", "-"):
            self.depth += 1
            if self.depth > MAX_NESTING:  # a hostile spec's 3,000 `!`: unknown, not a crash
                raise Unknown("nested too deep")
            try:
                return self._nested(tok)
            finally:
                self.depth -= 1
        return self.atom(tok)

    def _nested(self, tok: str) -> Value:
        if tok in ("!", "not"):
            return int(not self.truth(self.unary()))
        if tok == "-":
            value = self.unary()
            if not isinstance(value, int):
                raise Unknown("negated string")
            return -value
        value = self.or_()  # "("
        if self.take() != ")":
            raise Unknown("unbalanced")
        return value
