"""Passes: spec syntax newer than the target's rpm (or than debbuild) reads, rewritten.

Which tool reads the spec decides: rpm targets use target.rpm_version; deb targets use debbuild,
whose parser (debbuild 24.12 `parse_spec`) knows %if/%else/%endif, %bcond_with/%bcond_without,
%patchN and %patch -P N, but not %elif, %bcond or %[ ] / %{expr:}.

Facts (rpm's release notes): %elif/%elifarch/%elifos came with rpm 4.15; %bcond NAME DEFAULT
with 4.17.1; %patch N (a bare number meaning -P N) with 4.18 (before, a bare number is ignored
and %patch applies patch 0); the %conf section (configure steps, run before %build in the same
directory) with 4.18; %{expr:} with 4.15, %[ ] with 4.16; %generate_buildrequires with 4.15.
"""

from __future__ import annotations

import re

from specport.errors import SpecError
from specport.normalize.conditions import live_lines
from specport.normalize.lines import continued, expand, sections, simple_macros
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.readers import reader_of
from specport.targets.families import facts_of

NAME = "syntax"


def reads(ctx: PassContext, rpm_version: str) -> bool:
    """Does the tool that reads the spec on this target know syntax added in `rpm_version`?"""
    return reader_of(ctx.target).reads(ctx.target, rpm_version)


_BCOND_RE = re.compile(r"^(\s*)%bcond\s+([A-Za-z_]\w*)\s+(.+?)\s*$")


def convert_bcond(lines: list[Line], ctx: PassContext) -> PassResult:
    """%bcond NAME DEFAULT -> %bcond_without NAME (default on) or %bcond_with NAME (off)."""
    if reads(ctx, "4.17.1"):
        return lines, []
    out: list[Line] = []
    changes: list[Change] = []
    for ln, cont in zip(lines, continued(lines), strict=True):
        m = _BCOND_RE.match(ln.text)
        if cont or not m:
            out.append(ln)
            continue
        indent, name, default = m.groups()
        if re.fullmatch(r"\d+", default):
            kind = "without" if int(default) else "with"
            out.append(Line(ln.no, f"{indent}%bcond_{kind} {name}"))
        else:
            # an expression default: decide at parse time, as %bcond itself does
            out.extend(
                Line(ln.no, t)
                for t in (
                    f"{indent}%if {default}",
                    f"{indent}%bcond_without {name}",
                    f"{indent}%else",
                    f"{indent}%bcond_with {name}",
                    f"{indent}%endif",
                )
            )
        changes.append(Change(NAME, ln.no, f"%bcond {name} {default}: not read by {_reader(ctx)}"))
    return out, changes


_IF_RE = re.compile(r"^\s*%if(arch|narch|os|nos)?(?=\s|$)")
_ELIF_RE = re.compile(r"^(\s*)%elif(arch|os)?(?=\s|$)(.*)$")
_ENDIF_RE = re.compile(r"^(\s*)%endif\b")


def convert_elif(lines: list[Line], ctx: PassContext) -> PassResult:
    """%elif X -> %else + %if X, with one more %endif at the end of the chain."""
    if reads(ctx, "4.15"):
        return lines, []
    out: list[Line] = []
    changes: list[Change] = []
    extra: list[int] = []  # per open %if: how many %if this pass opened inside it
    for ln, cont in zip(lines, continued(lines), strict=True):
        if cont:
            out.append(ln)
            continue
        if _IF_RE.match(ln.text):
            extra.append(0)
            out.append(ln)
            continue
        m = _ELIF_RE.match(ln.text)
        if m:
            if not extra:
                raise SpecError("%elif without %if", path=ctx.path, line=ln.no)
            indent, kind, rest = m.group(1), m.group(2) or "", m.group(3)
            out.append(Line(ln.no, f"{indent}%else"))
            out.append(Line(ln.no, f"{indent}%if{kind}{rest}"))
            extra[-1] += 1
            changes.append(Change(NAME, ln.no, f"%elif{kind}: nested %else/%if for {_reader(ctx)}"))
            continue
        m2 = _ENDIF_RE.match(ln.text)
        if m2 and extra:
            out.append(ln)
            out.extend(Line(ln.no, f"{m2.group(1)}%endif") for _ in range(extra.pop()))
            continue
        out.append(ln)
    return out, changes


_CONF_RE = re.compile(r"^%conf(?=\s|$)")
_BUILD_RE = re.compile(r"^%build(?=\s|$)")


def merge_conf_section(lines: list[Line], ctx: PassContext) -> PassResult:
    """%conf (rpm >= 4.18) -> the first lines of %build: rpm runs %conf right before %build, in
    the same directory, so older rpm and debbuild run the same commands in the same order."""
    if reads(ctx, "4.18") or not any(_CONF_RE.match(ln.text) for ln in lines):
        return lines, []
    secs = sections(lines)
    header = next(i for i, ln in enumerate(lines) if _CONF_RE.match(ln.text))
    body = [ln for i, ln in enumerate(lines) if secs[i] == "conf" and i != header]
    rest = [ln for i, ln in enumerate(lines) if secs[i] != "conf"]
    build = next((i for i, ln in enumerate(rest) if _BUILD_RE.match(ln.text)), None)
    if build is None:  # no %build: the %conf section is the build
        out = [Line(ln.no, "%build") if i == header else ln for i, ln in enumerate(lines)]
        note = f"%conf -> %build (the spec has no %build) for {_reader(ctx)}"
    else:
        out = [*rest[: build + 1], *body, *rest[build + 1 :]]
        note = f"%conf -> the start of %build for {_reader(ctx)}"
    return out, [Change(NAME, lines[header].no, note)]


_PATCH_BARE_RE = re.compile(r"^(\s*)%patch(\s+)(.*)$")


def convert_patch(lines: list[Line], ctx: PassContext) -> PassResult:
    """%patch N (rpm >= 4.18) -> %patch -P N, which rpm 4.14+ and debbuild read the same way."""
    if reads(ctx, "4.18"):
        return lines, []
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        m = _PATCH_BARE_RE.match(ln.text)
        if not m:
            out.append(ln)
            continue
        indent, space, args = m.groups()
        words = args.split()
        new: list[str] = []
        moved = []
        i = 0
        while i < len(words):
            w = words[i]
            if w in ("-p", "-F", "-d", "-o", "-b", "-z", "-P") and i + 1 < len(words):
                new += [w, words[i + 1]]
                i += 2
                continue
            if re.fullmatch(r"\d+", w):
                new += ["-P", w]
                moved.append(w)
            else:
                new.append(w)
            i += 1
        if moved:
            note = f"%patch {' '.join(moved)} -> %patch -P for {_reader(ctx)}"
            changes.append(Change(NAME, ln.no, note))
        out.append(Line(ln.no, f"{indent}%patch{space}{' '.join(new)}" if moved else ln.text))
    return out, changes


# builtins newer than some targets' rpm; (min rpm version, what to say)
_NEW_BUILTINS = {
    "%[": ("4.16", "%[ ] expressions"),
    "%{expr:": ("4.15", "%{expr:} expressions"),
    "%generate_buildrequires": ("4.15", "%generate_buildrequires"),
}


def check_new_syntax(lines: list[Line], ctx: PassContext) -> PassResult:
    """Constructs specport cannot rewrite: integer-only %[ ]/%{expr:} are evaluated, the rest fail
    with one message that names each line."""
    if not any(token in ln.text for ln in lines for token in _NEW_BUILTINS):
        return lines, []  # most specs: nothing to look at, no macros or branches to work out
    out: list[Line] = []
    changes: list[Change] = []
    problems: list[str] = []
    macros = simple_macros(lines)
    for ln, alive in zip(lines, live_lines(lines, ctx.target, ctx.options.bconds), strict=True):
        text = ln.text
        for token, (since, what) in _NEW_BUILTINS.items():
            # `%%[` is an escaped percent (a comment that names the construct), not the construct
            if not _uses(text, token) or reads(ctx, since) or not alive:
                continue
            if token in ("%[", "%{expr:"):
                text, ok = _evaluate_arithmetic(text, token, macros)
                if ok:
                    changes.append(Change(NAME, ln.no, f"{what}: evaluated to a literal"))
                    continue
            problems.append(f"line {ln.no}: {what} ({_needs(ctx, token, since)})")
        out.append(Line(ln.no, text))
    if problems:
        raise SpecError(
            f"{_reader(ctx)} cannot read: {'; '.join(problems)}",
            path=ctx.path,
            line=int(problems[0].split()[1].rstrip(":")),
            hint="rewrite those lines, or guard them for the targets that read them",
        )
    return out, changes


def _uses(text: str, token: str) -> bool:
    if token not in text:  # most lines: no need to look for escapes
        return False
    return any(not _escaped(text, m.start()) for m in re.finditer(re.escape(token), text))


def _escaped(text: str, at: int) -> bool:
    """Is the % at `at` the second half of a %% (an odd run of % before it)?"""
    run = 0
    while at - run - 1 >= 0 and text[at - run - 1] == "%":
        run += 1
    return run % 2 == 1


def _needs(ctx: PassContext, token: str, since: str) -> str:
    return reader_of(ctx.target).unreadable(token, since)


_ARITH_RE = {
    "%[": re.compile(r"%\[\s*([0-9+\-*/() ]+?)\s*\]"),
    "%{expr:": re.compile(r"%\{expr:\s*([0-9+\-*/() ]+?)\s*\}"),
}


def _evaluate_arithmetic(
    text: str, token: str, macros: dict[str, str] | None = None
) -> tuple[str, bool]:
    """Integer-only %[ ]/%{expr:} become literals; simple macros inside (`%[%{major} + 1]`)
    are read from the spec's own single-line %global values first."""
    inner = re.compile(
        r"%\[([^\[\]]*)\]" if token == "%[" else r"%\{expr:([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}"
    )

    def expand_inner(m: re.Match[str]) -> str:
        value = expand(m.group(1), macros or {})
        return m.group(0) if value is None else m.group(0).replace(m.group(1), value)

    def repl(m: re.Match[str]) -> str:
        return str(_arith(m.group(1)))

    try:
        new = _ARITH_RE[token].sub(repl, inner.sub(expand_inner, text))
    except (ValueError, ZeroDivisionError):
        return text, False
    return new, not _uses(new, token)


def _arith(expr: str) -> int:
    """Integer + - * / ( ) only, evaluated without eval()."""
    tokens = re.findall(r"\d+|[-+*/()]", expr)
    if "".join(tokens) != expr.replace(" ", ""):
        raise ValueError(expr)
    pos = 0

    def atom() -> int:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(expr)
        t = tokens[pos]
        pos += 1
        if t == "(":
            v = add()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError(expr)
            pos += 1
            return v
        if t == "-":
            return -atom()
        if t.isdigit():
            return int(t)
        raise ValueError(expr)

    def mul() -> int:
        nonlocal pos
        v = atom()
        while pos < len(tokens) and tokens[pos] in "*/":
            op = tokens[pos]
            pos += 1
            r = atom()
            v = v * r if op == "*" else int(v / r)
        return v

    def add() -> int:
        nonlocal pos
        v = mul()
        while pos < len(tokens) and tokens[pos] in "+-":
            op = tokens[pos]
            pos += 1
            r = mul()
            v = v + r if op == "+" else v - r
        return v

    value = add()
    if pos != len(tokens):
        raise ValueError(expr)
    return value


def _reader(ctx: PassContext) -> str:
    return reader_of(ctx.target).label(ctx.target)


_VERSION_TAG_RE = re.compile(r"^(Version\s*:\s*)(\S+)\s*$", re.IGNORECASE)


def convert_caret_version(lines: list[Line], ctx: PassContext) -> PassResult:
    """`Version: 1.0^20240611git...` (a post-release snapshot, rpm >= 4.15): rpm 4.14 rejects
    the caret and dpkg versions may not hold one. `.` (rpm) and `+` (dpkg: Debian's own
    post-release spelling) sort the same way: after 1.0, before 1.0.1."""
    if reads(ctx, "4.15"):
        return lines, []
    sep = facts_of(ctx.target).dist_separator
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        m = _VERSION_TAG_RE.match(ln.text)
        if m and "^" in m.group(2):
            out.append(Line(ln.no, f"{m.group(1)}{m.group(2).replace('^', sep)}"))
            note = f"Version: '^' -> '{sep}' for {_reader(ctx)} (same ordering)"
            changes.append(Change(NAME, ln.no, note))
            continue
        out.append(ln)
    return out, changes


_AUTOPATCH_RE = re.compile(r"^(\s*)%autopatch\b(.*)$")
_PATCH_TAG_RE = re.compile(r"^Patch(\d+)\s*:", re.IGNORECASE)


def convert_autopatch_range(lines: list[Line], ctx: PassContext) -> PassResult:
    """`%autopatch -m N -M N` (rpm >= 4.15; rpm 4.14 knows only -v and -p) -> one
    `%patch -P K` per numbered Patch tag in the range, in definition order, as rpm applies them."""
    if reads(ctx, "4.15"):
        return lines, []
    numbers = [int(m.group(1)) for ln in lines if (m := _PATCH_TAG_RE.match(ln.text))]
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        m = _AUTOPATCH_RE.match(ln.text)
        # -p1 and -p 1 are the same option to rpm's getopt
        words = re.sub(r"(-[pmM])(\d+)", r"\1 \2", m.group(2)).split() if m else []
        if not m or not ({"-m", "-M"} & set(words)):
            out.append(ln)
            continue
        low, high, strip, rest = 0, None, "", []
        i = 0
        while i < len(words):
            w = words[i]
            if w in ("-m", "-M", "-p") and i + 1 < len(words) and words[i + 1].isdigit():
                value = int(words[i + 1])
                if w == "-m":
                    low = value
                elif w == "-M":
                    high = value
                else:
                    strip = f" -p{value}"
                i += 2
                continue
            rest.append(w)
            i += 1
        if rest and rest != ["-v"]:
            raise SpecError(
                f"%autopatch {' '.join(words)}: {_reader(ctx)} knows only -v and -p",
                path=ctx.path,
                line=ln.no,
            )
        chosen = [n for n in numbers if n >= low and (high is None or n <= high)]
        out.extend(Line(ln.no, f"{m.group(1)}%patch -P {n}{strip}") for n in chosen)
        note = f"%autopatch -m/-M -> %patch -P {' '.join(map(str, chosen)) or '(none)'}"
        changes.append(Change(NAME, ln.no, f"{note} for {_reader(ctx)}"))
    return out, changes
