"""Which %if branches the target's spec reader takes, and the macros it ends up with.

Passes that rewrite lines for a target (dependency names, debbuild checks) must leave alone the
lines the target's own parser skips: `%if 0%{?fedora} || 0%{?rhel}` guards Fedora-only names, and
specport's error hints tell users to write exactly that. The spec is walked as rpm and debbuild
read it, top to bottom: %global/%define (also inside `%{?x:...}` wrappers), %undefine, the
bconds (with the build's --with/--without) and the Name/Version/Release tags define macros, and
each %if/%elif is decided from what is known at that line (macroenv.py: the target's macros, the
spec's own, undefined names) in the reader's own expression language (expr.py). A condition that
needs something specport cannot know (a macro from a package, a shell) is "unknown": both of its
branches stay live (the conservative answer: their lines are still translated and checked), and
what they define becomes unknown too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from specport.normalize import expr, macroenv
from specport.normalize.definitions import (
    ELIF_RE,
    ENDIF_RE,
    IF_RE,
    IFARCH_RE,
    owned_names,
    unexpand,
    wrapper,
)
from specport.normalize.expr import DEBBUILD_DIALECT, RPM_DIALECT
from specport.normalize.lines import DEFINE_RE, SECTION_RE, TAG_RE, continued
from specport.normalize.macroenv import MacroEnv, dialect, target_env
from specport.normalize.model import Bconds, Line
from specport.targets.facts import distro_macros
from specport.targets.model import Target

Truth = bool | None


def distro_values(target: Target) -> dict[str, str]:
    """The distro macros the target's parser defines, with their values (targets.facts)."""
    return distro_macros(target)


def decide(expression: str, env: MacroEnv) -> Truth:
    """The truth of the text after %if in `env`; None when it cannot be known."""
    text = expr.debbuild_quote(expression) if env.dialect == DEBBUILD_DIALECT else expression
    expanded = macroenv.expand(text, env, keep_undefined=True)
    return None if expanded is None else expr.evaluate(expanded, env.dialect)


def evaluate_condition(expression: str, target: Target, bconds: Bconds | None = None) -> Truth:
    """True/False when `expression` is decided by the target's macros alone; None otherwise."""
    env = target_env(target)
    for name, value in (bconds or Bconds()).defines().items():
        env.define(name, value)
    return decide(expression, env)


@dataclass(frozen=True)
class Decision:
    line: int  # of the input spec
    expression: str
    truth: Truth


@dataclass(frozen=True)
class SpecView:
    """live: per line, False inside a branch the target never takes (%if/%else/%endif lines and
    undecided branches are live); macros: the spec's definitions as the target sees them at the
    end (unknown ones by their first definition, as a reader of names wants them); decisions: each
    %if/%elif reached; bconds: each declared bcond and whether it is on."""

    live: tuple[bool, ...]
    macros: dict[str, str]
    decisions: tuple[Decision, ...]
    bconds: tuple[tuple[str, Truth], ...]


_NOARCH_RE = re.compile(r"^\s*BuildArch(?:itecture)?\s*:\s*noarch\s*$", re.IGNORECASE)
_ELSE_RE = re.compile(r"^\s*%else\b")
_UNDEFINE_RE = re.compile(r"^\s*%undefine\s+([A-Za-z_]\w*)")
_BCOND_RE = re.compile(r"^\s*%bcond(_with|_without)?\s+([A-Za-z_]\w*)(?:\s+(.*?))?\s*$")
_OWN_TAGS = ("name", "version", "release", "epoch")


def _and(a: Truth, b: Truth) -> Truth:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _not(a: Truth) -> Truth:
    return None if a is None else not a


class _Walk:
    def __init__(
        self, lines: list[Line], target: Target, bconds: Bconds, reader: str | None = None
    ) -> None:
        self.target = target
        self.noarch = any(_NOARCH_RE.match(ln.text) for ln in lines if "oarch" in ln.text)
        self.env = target_env(target, owned_names(lines), reader)
        for name, value in bconds.defines().items():
            self.env.define(name, value)
        self.first: dict[str, str] = {}  # each name's first definition on a live path
        self.decisions: list[Decision] = []
        self.bconds: dict[str, Truth] = {}
        self.frames: list[list[Truth]] = []  # per open %if: [a branch taken so far, this one]
        # per open %if: its branch and every outer one's, and-ed: each line costs the same at
        # any depth (walking the frames per line made 20,000 nested %if quadratic)
        self.within: list[Truth] = []

    def active(self) -> Truth:
        return self.within[-1] if self.within else True

    def active_outer(self) -> Truth:
        return self.within[-2] if len(self.within) > 1 else True

    def _push(self, truth: Truth) -> None:
        self.frames.append([truth, truth])
        self.within.append(_and(self.active(), truth))

    def _branch(self, frame: list[Truth]) -> None:
        """The top frame's current branch changed (%elif, %else)."""
        self.within[-1] = _and(self.active_outer(), frame[1])

    def run(self, lines: list[Line]) -> SpecView:
        live: list[bool] = []
        cont = continued(lines)
        main = True  # the main package's preamble: its tags are macros
        for k, ln in enumerate(lines):
            act = self.active()
            if cont[k]:
                live.append(act is not False)
                continue
            text = ln.text
            if SECTION_RE.match(text):
                main = False
            kind = self.directive(ln, act) if "%" in text else None
            if kind is not None:
                # %if/%elif/%else/%endif lines are live when the %if around them is
                if kind in ("elif", "else"):
                    act = self.active_outer()
                elif kind == "endif":
                    act = self.active()
                live.append(act is not False)
                continue
            if act is False:
                live.append(False)
                continue
            if "%" not in text and not main:
                live.append(True)  # most lines: nothing defined, nothing to decide
                continue
            multi = text.endswith("\\")
            live.append(self.statement(text, act, main, multi) is not False)
        return SpecView(
            tuple(live),
            self.macros(),
            tuple(self.decisions),
            tuple(self.bconds.items()),
        )

    def directive(self, ln: Line, act: Truth) -> str | None:
        """%if/%elif/%else/%endif: update the frames and say which; None for any other line."""
        text = ln.text
        if not text.lstrip().startswith(("%if", "%el", "%endif")):
            return None
        a = IFARCH_RE.match(text)
        if a:
            truth = self.arch_condition(ln, a.group(1) == "n", a.group(2), a.group(3), act)
            self._push(truth)
            return "if"
        m = IF_RE.match(text)
        if m:
            truth = self.condition(ln, m.group(1) or "", act)
            self._push(truth)
            return "if"
        m2 = ELIF_RE.match(text)
        if m2 and self.frames:
            frame = self.frames[-1]
            outer = self.active_outer()
            if m2.group(1):
                truth = self.arch_condition(ln, False, m2.group(1), m2.group(2) or "", outer)
            else:
                truth = self.condition(ln, m2.group(2) or "", outer)
            frame[1] = _and(_not(frame[0]), truth)
            frame[0] = True if frame[0] or truth else (None if None in (frame[0], truth) else False)
            self._branch(frame)
            return "elif"
        if _ELSE_RE.match(text) and self.frames:
            frame = self.frames[-1]
            frame[1] = _not(frame[0])
            self._branch(frame)
            return "else"
        if ENDIF_RE.match(text) and self.frames:
            self.frames.pop()
            self.within.pop()
            return "endif"
        return None

    def arch_condition(self, ln: Line, negate: bool, kind: str, args: str, act: Truth) -> Truth:
        """%ifarch/%ifnarch/%ifos (and %elifarch/%elifos) against the target's architecture."""
        if act is False:
            return None
        truth: Truth = None
        if self.env.dialect == DEBBUILD_DIALECT:
            # debbuild 24.12 reads `%ifarch a b` as `'%{_arch}' == 'a' || '%{_arch}' == 'b'`,
            # the words expanded and lower-cased; its %_arch is dpkg's (amd64, not x86_64)
            expanded = macroenv.expand(args.strip(), self.env, keep_undefined=True)
            words = [w for w in re.split(r"[\s,]+", (expanded or "").lower()) if w]
            if expanded is not None and words and "'" not in expanded:
                op, join = ("!=", " && ") if negate else ("==", " || ")
                truth = decide(join.join(f"'%{{_{kind}}}' {op} '{w}'" for w in words), self.env)
        elif not self.noarch:  # rpm reads a noarch spec again for noarch: not followed
            expanded = macroenv.expand(args, self.env)
            here = self.target.arch if kind == "arch" else "linux"
            if expanded is not None:
                truth = (here in set(re.split(r"[\s,]+", expanded.strip()))) != negate
        spelled = f"%if{'n' if negate else ''}{kind} {args.strip()}"
        self.decisions.append(Decision(ln.no, spelled, truth))
        return truth

    def condition(self, ln: Line, expression: str, act: Truth) -> Truth:
        if act is False:
            return None  # never read: nothing to decide
        truth = decide(expression, self.env)
        self.decisions.append(Decision(ln.no, expression.strip(), truth))
        return truth

    def statement(self, text: str, act: Truth, main: bool, multi: bool) -> Truth:
        """Definitions and tags on a line that runs (act True) or may run (None); returns the
        line's own truth (a `%{?x:...}` wrapper the target never expands is dead)."""
        if not text.lstrip().startswith("%"):
            t = TAG_RE.match(text) if main else None
            if t and t.group(1).lower() in (*_OWN_TAGS, "vendor"):
                self.tag(t.group(1).lower(), t.group(2).strip(), act)
            return act
        wrap = wrapper(text)
        if wrap is not None:
            negate, name, body = wrap
            asked = self.env.asked(name)
            act = _and(act, None if asked is None else asked != negate)
            if act is False:
                return False
            text = body
        text = unexpand(text)
        m = DEFINE_RE.match(text)
        if m:
            value = None if multi or m.group(3) else m.group(4).strip()
            self.define(m.group(2), value, act, lazy=m.group(1) == "define", raw=m.group(4))
            return act
        u = _UNDEFINE_RE.match(text)
        if u:
            if act:
                self.env.undefine(u.group(1))
            else:
                self.env.forget(u.group(1))
            return act
        b = _BCOND_RE.match(text)
        if b:
            self.bcond(b.group(1), b.group(2), b.group(3), act)
        return act

    def define(self, name: str, value: str | None, act: Truth, *, lazy: bool, raw: str) -> None:
        self.first.setdefault(name, raw.strip())
        if act is None:
            self.env.forget(name)
            return
        if value is not None and not lazy:
            value = macroenv.expand(value, self.env)  # %global expands now
            if value is None:
                # defined, text unknown; debbuild cannot say whether it is empty either
                self.env.define(name, None, opaque=self.env.dialect == RPM_DIALECT)
                return
        self.env.define(name, value, opaque=value is None)

    def bcond(self, kind: str | None, name: str, default: str | None, act: Truth) -> None:
        if kind is None:  # %bcond NAME DEFAULT (rpm >= 4.17.1): the default is an expression
            truth = None if default is None else decide(default, macroenv.as_rpm(self.env))
            kind = None if truth is None else ("_without" if truth else "_with")
        switch: Truth = None
        if kind == "_with":
            switch = self.env.asked(f"_with_{name}")
        elif kind == "_without":
            switch = _not(self.env.asked(f"_without_{name}"))
        on = _and(act, switch)
        if on is True:
            self.env.define(f"with_{name}", "1")
        elif on is None:
            self.env.forget(f"with_{name}")
        self.bconds[name] = self.env.asked(f"with_{name}")

    def tag(self, name: str, value: str, act: Truth) -> None:
        self.first.setdefault(name, value)
        if act is None:
            self.env.forget(name)
            self.env.tags.pop(name, None)
            return
        if name == "vendor":
            if self.env.dialect == DEBBUILD_DIALECT:  # debbuild's Vendor: sets %vendor, unexpanded
                self.env.define(name, value)
            return
        expanded = macroenv.expand(value, self.env)
        if self.env.dialect == DEBBUILD_DIALECT:
            # the first value stays (debbuild's //=); %{name} answers, %{?name} does not
            if name not in self.env.tags and expanded is not None:
                self.env.tags[name] = expanded
        else:
            self.env.define(name, expanded, opaque=expanded is None)

    def macros(self) -> dict[str, str]:
        env = self.env
        # the target's own macros whose text is known to the end (%{__php} on a deb target),
        # unless the spec undefined them; then the spec's definitions
        out = {
            n: v for n, v in macroenv.concrete_macros(self.target).items() if n not in env.undefined
        }
        out.update({n: v for n, v in self.first.items() if env.state(n) == macroenv.UNKNOWN})
        for name in self.first:
            value = env.lookup(name)
            if value is not None:
                out[name] = value
            elif env.state(name) == macroenv.DEFINED:
                out[name] = self.first[name]
        return out


def spec_view(
    lines: list[Line], target: Target, bconds: Bconds | None = None, *, reader: str | None = None
) -> SpecView:
    """The spec as the target's readers walk it (see the module's docstring); `reader`: only
    that one ("debbuild" or "rpm").

    A deb target has two: debbuild builds, but the build's sandbox query reads the spec with
    rpmspec (sandbox/specinfo.py), and its BuildRequires are what apt installs. Where the two
    disagree (`%ifarch x86_64`: debbuild's %_arch is amd64; Perl's string comparisons) a branch
    either takes is live, and the condition counts as undecided."""
    bconds = bconds or Bconds()
    view = _Walk(lines, target, bconds, reader).run(lines)
    if reader is not None or dialect(target) != DEBBUILD_DIALECT:
        return view
    other = _Walk(lines, target, bconds, reader="rpm").run(lines)
    theirs = {d.line: d.truth for d in other.decisions}
    mine = {d.line for d in view.decisions}
    decisions = [
        replace(d, truth=d.truth if theirs.get(d.line, d.truth) == d.truth else None)
        for d in view.decisions
    ]
    decisions += [d for d in other.decisions if d.line not in mine]
    return SpecView(
        tuple(a or b for a, b in zip(view.live, other.live, strict=True)),
        view.macros,
        tuple(sorted(decisions, key=lambda d: d.line)),
        view.bconds,
    )


def live_lines(lines: list[Line], target: Target, bconds: Bconds | None = None) -> list[bool]:
    """False for each line inside a branch the target never takes (the %if/%else/%endif lines
    themselves count as live). %elif is followed as an %else holding an %if."""
    return list(spec_view(lines, target, bconds).live)


__all__ = ["Decision", "SpecView", "decide", "dialect", "evaluate_condition", "spec_view"]
