"""`%( )` shell expansions: find them, evaluate the common ones as text, make the rest inert.

Never runs a shell. Fedora specs use bash-isms such as `%(c=%{commit}; echo ${c:0:7})` that
dash (debbuild's /bin/sh) expands to nothing, silently. The pass evaluates a small subset
(assignments, echo, ${v:offset:length}, `| cut -c1-N`, `| head -c N`) into literal values;
what it cannot evaluate is reported: an error on debbuild targets when it looks like bash, a
change note otherwise. `sanitize()` replaces every expansion that could run code with an inert
value, for parsing untrusted specs with the host's rpm.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping

from specport.normalize.lines import expand, simple_macros
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.targets.families import facts_of

NAME = "shell"
INERT = "SPECPORT_SANITIZED"
# bash parameter expansions (substrings, substitution, case), [[ ]], here-strings, arrays...; a
# POSIX construct caught here too only costs a bash that runs it the same way
_BASHISMS = re.compile(
    r"\$\{\w+(:|/|\^|,|@)|\[\[|<<<|\$\(\(|\bdeclare\b|\$\{#\w+\}|\$\{!|\bfunction\b"
)


def find_expansions(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each outermost `%( ... )` and `%{lua: ... }` in text, `%%` skipped."""
    if "%(" not in text and "%{lua:" not in text:  # most lines: skip the character walk
        return
    i = 0
    while i < len(text):
        if text.startswith("%%", i):
            i += 2
            continue
        if text.startswith("%(", i):
            end = _balanced(text, i + 1, "(", ")")
        elif text.startswith("%{lua:", i):
            end = _balanced(text, i + 1, "{", "}")
        else:
            i += 1
            continue
        yield i, end
        i = end


def _balanced(text: str, start: int, open_: str, close: str) -> int:
    depth = 0
    for k in range(start, len(text)):
        if text[k] == open_:
            depth += 1
        elif text[k] == close:
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)  # unterminated: everything to the end is part of it


def sanitize(text: str) -> str:
    """The spec with every %( ) and %{lua: } replaced by an inert word (or by nothing when it
    stands alone on its line) and no %include lines, so rpm parsing it on the host runs and
    reads nothing the spec's author chose."""
    out = []
    last = 0
    for start, end in find_expansions(text):
        out.append(text[last:start])
        line_start = text.rfind("\n", 0, start) + 1
        # alone on its line (a %{lua:} that prints tags): nothing; inside a value: a word,
        # so `Requires: %(...)` stays a valid line
        out.append("" if not text[line_start:start].strip() else INERT)
        last = end
    out.append(text[last:])
    kept = [ln for ln in "".join(out).split("\n") if not ln.lstrip().startswith("%include")]
    return "\n".join(kept)


def evaluate(command: str, macros: Mapping[str, str]) -> str | None:
    """The output of a small, side-effect-free shell command, or None when it is not one."""
    expanded = expand(command, macros)
    if expanded is None:
        return None
    variables: dict[str, str] = {}
    for statement in (s.strip() for s in expanded.split(";")):
        if not statement:
            continue
        m = re.fullmatch(r"([A-Za-z_]\w*)=(\S*)", statement)
        if m:
            variables[m.group(1)] = _unquote(m.group(2))
            continue
        output = _pipeline(statement, variables)
        if output is None:
            return None
        return output
    return None


def _pipeline(statement: str, variables: dict[str, str]) -> str | None:
    stages = [s.strip() for s in statement.split("|")]
    m = re.fullmatch(r"echo\s+(.*)", stages[0])
    if not m:
        return None
    value = _substitute(m.group(1), variables)
    if value is None:
        return None
    for stage in stages[1:]:
        cut = re.fullmatch(r"cut\s+-c\s*(\d*)-(\d*)", stage)
        head = re.fullmatch(r"head\s+-c\s*(\d+)", stage)
        if cut:
            a = int(cut.group(1) or 1)
            b = int(cut.group(2)) if cut.group(2) else None
            value = value[a - 1 : b]
        elif head:
            value = value[: int(head.group(1))]
        else:
            return None
    return value


_VAR_RE = re.compile(r"\$\{(\w+)(?::(\d+)(?::(\d+))?)?\}|\$(\w+)")


def _substitute(words: str, variables: dict[str, str]) -> str | None:
    try:
        parts = shlex.split(words)
    except ValueError:
        return None
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1) or m.group(4)
        if name not in variables:
            missing = True
            return ""
        value = variables[name]
        if m.group(2) is not None:
            start = int(m.group(2))
            length = int(m.group(3)) if m.group(3) is not None else None
            return value[start : start + length if length is not None else None]
        return value

    text = " ".join(_VAR_RE.sub(repl, p) for p in parts)
    if missing or "$" in text or "`" in text:
        return None
    return text


def _unquote(word: str) -> str:
    try:
        return "".join(shlex.split(word))
    except ValueError:
        return word


def evaluate_shell(lines: list[Line], ctx: PassContext) -> PassResult:
    macros = simple_macros(lines)
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        text = ln.text
        spans = list(find_expansions(text))
        for start, end in reversed(spans):
            body = text[start:end]
            if body.startswith("%{lua:"):
                if not facts_of(ctx.target).reads_lua:
                    note = "%{lua:} needs debbuild built with Lua::API"
                    changes.append(Change(NAME, ln.no, note))
                continue
            command = body[2:-1]
            value = evaluate(command, macros)
            if value is not None:
                text = text[:start] + value + text[end:]
                note = f"%({command}) -> {value!r} (evaluated as text)"
                changes.append(Change(NAME, ln.no, note))
                _remember(text, macros)
            elif facts_of(ctx.target).expansion_shell != "bash" and _BASHISMS.search(command):
                # the target's /bin/sh would expand bash syntax to nothing: bash runs it, in the
                # build container (and the check sandbox), where the spec is read; never here
                wrapped = f"%(bash -c {shlex.quote(command)})"
                text = text[:start] + wrapped + text[end:]
                note = f"%({command}) run by bash: the target's /bin/sh is dash"
                changes.append(Change(NAME, ln.no, note))
            else:
                changes.append(Change(NAME, ln.no, f"%({command}) left to the target's shell"))
        out.append(Line(ln.no, text))
    return out, changes


def _remember(text: str, macros: Mapping[str, str]) -> None:
    """A %global whose value just became literal can feed later expansions."""
    m = re.match(r"^\s*%(?:global|define)\s+([A-Za-z_]\w*)\s+(\S.*)$", text)
    if m and isinstance(macros, dict) and "%(" not in m.group(2):
        macros[m.group(1)] = m.group(2).strip()
