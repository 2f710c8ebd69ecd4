"""What a target's spec reader knows of macros: defined (with a value or not), undefined, or
unknown to specport; and textual expansion that says "unknown" instead of guessing.

A deb target's reader is debbuild, whose macros are all known (debbuild-macros.toml, generated
from the vendored tarballs, plus specport's macro files and the platform facts): any other name
is undefined there, as rpm and debbuild treat it (`%{?x}` is empty, `0%{?x:1}` is 0). An rpm
target's rpm has macros from packages specport does not read (redhat-rpm-config, php-devel), so
there only these names are known to be undefined unless a macro table defines them: the distro
macros of other distros, `vendor`, the SCL macros, the bcond switches (`_with_x`, `_without_x`,
`with_x`) and names the spec itself owns (defines without first asking whether they exist).

debbuild differs from rpm in one way that decides branches: its `%{?x}` and `%{!?x}` ask whether
x's value is true to Perl (not "" or "0"), not whether x is defined; and tags (Name, Version...)
answer `%{name}` but not `%{?name}`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from specport.errors import ConfigError
from specport.normalize.expr import DEBBUILD_DIALECT, RPM_DIALECT
from specport.normalize.macrofiles import render_macro_files
from specport.targets.facts import DISTRO_MACROS, spec_macros
from specport.targets.families import facts_of
from specport.targets.model import Target

DEFINED, UNDEFINED, UNKNOWN = "defined", "undefined", "unknown"
MAX_DEPTH = 16
MAX_EXPANSION = 64 * 1024
# names no build of an rpm target defines unless the target's macros table does (open world)
_NEVER = frozenset({"vendor", "scl", "scl_prefix", "scl_vendor", "scl_pkg_name", "_sclreq",
                    "scl_package", "scl_name"})  # fmt: skip
_NEVER_PREFIXES = ("_with_", "_without_", "with_")
# rpm's own macros (/usr/lib/rpm/macros), the same from rpm 4.14 to 4.18: the %ifarch list of
# 32-bit x86 and the directories; %_libdir and the other per-arch ones are left out
_RPM_BASE = {
    "ix86": "i386 i486 i586 i686 pentium3 pentium4 athlon geode",
    "_prefix": "/usr", "_exec_prefix": "/usr", "_bindir": "/usr/bin", "_sbindir": "/usr/sbin",
    "_libexecdir": "/usr/libexec", "_datadir": "/usr/share", "_sysconfdir": "/etc",
    "_includedir": "/usr/include", "_mandir": "/usr/share/man",
}  # fmt: skip
_FILE_DEFINE = re.compile(r"^%(\w+)(\([^)]*\))?\s+(.*)$")
_NAME = re.compile(r"([!?]*)([A-Za-z_]\w*)")


def dialect(target: Target) -> str:
    """The macro language of the target's spec reader: "rpm" or "debbuild"."""
    return facts_of(target).spec_reader


@dataclass
class MacroEnv:
    """values: defined names -> text (None: defined, text not followed); opaque: of those with
    None, the ones whose value is surely not empty; tags: Name/Version... (debbuild keeps them
    apart); unknown/undefined: per-spec knowledge that overrides the world's rule."""

    dialect: str
    closed: bool  # every name the reader defines is known: any other is undefined
    never: Callable[[str], bool]
    values: dict[str, str | None] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)
    tags: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)

    def state(self, name: str) -> str:
        if name in self.values:
            return DEFINED
        if name in self.unknown:
            return UNKNOWN
        if name in self.undefined or self.closed or self.never(name):
            return UNDEFINED
        return UNKNOWN

    def asked(self, name: str) -> bool | None:
        """The answer of `%{?name}`: rpm asks "defined?", debbuild "true to Perl?"."""
        state = self.state(name)
        if state != DEFINED or self.dialect != DEBBUILD_DIALECT:
            return None if state == UNKNOWN else state == DEFINED
        value = self.values[name]
        if value is None:
            return True if name in self.opaque else None
        return value not in ("", "0")

    def define(self, name: str, value: str | None, *, opaque: bool = False) -> None:
        self.values[name] = value
        self.unknown.discard(name)
        self.undefined.discard(name)
        if opaque:
            self.opaque.add(name)
        else:
            self.opaque.discard(name)

    def forget(self, name: str) -> None:
        """Defined on some paths and not on others: unknown from here on."""
        self.values.pop(name, None)
        self.undefined.discard(name)
        self.unknown.add(name)

    def undefine(self, name: str) -> None:
        self.values.pop(name, None)
        self.unknown.discard(name)
        self.undefined.add(name)

    def lookup(self, name: str) -> str | None:
        """The text of a plain %{name}; None when unknown or undefined (rpm leaves it as is)."""
        if name in self.values:
            return self.values[name]
        return self.tags.get(name)


class _Unknown(Exception):
    pass


def expand(text: str, env: MacroEnv, *, keep_undefined: bool = False) -> str | None:
    """`text` with every macro expanded as the target's reader would, or None when that needs a
    macro (or a shell, Lua, an expression) specport does not know. keep_undefined: a plain
    %{name} of an undefined macro stays as written (rpm and debbuild do that) instead of None."""
    try:
        return _expand(text, env, 0, keep_undefined)
    except _Unknown:
        return None


def _expand(text: str, env: MacroEnv, depth: int, keep: bool = False) -> str:
    if depth > MAX_DEPTH or len(text) > MAX_EXPANSION:
        raise _Unknown("too deep")
    if "%" not in text:
        return text
    out: list[str] = []
    size = 0
    i, n = 0, len(text)
    while i < n:
        k = text.find("%", i)
        if k < 0:
            out.append(text[i:])
            break
        out.append(text[i:k])
        nxt = text[k + 1 : k + 2]
        if nxt == "%":
            value, i = "%", k + 2
        elif not nxt or nxt.isspace():
            value, i = "%", k + 1
        elif nxt == "{":
            end = _closing(text, k + 1)
            value, i = _braced(text[k + 2 : end], env, depth, keep), end + 1
        elif nxt and (nxt in "?!" or nxt.isalpha() or nxt == "_"):
            m = _NAME.match(text, k + 1)
            if not m:
                raise _Unknown(text[k:])
            value = _reference(m.group(1), m.group(2), None, env, depth, keep)
            value, i = ("%" + m.group(2) if value == _KEPT else value), m.end()
        else:  # %( ) shell, %[ ] expression, %1 %* arguments: not followed
            raise _Unknown(text[k:])
        size += len(value)
        if size > MAX_EXPANSION:
            raise _Unknown("too big")
        out.append(value)
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise _Unknown("unbalanced braces")


def _braced(inner: str, env: MacroEnv, depth: int, keep: bool) -> str:
    m = _NAME.match(inner)
    if not m:
        raise _Unknown(inner)
    flags, name, rest = m.group(1), m.group(2), inner[m.end() :]
    if not rest:
        value = _reference(flags, name, None, env, depth, keep)
        return "%{" + inner + "}" if value == _KEPT else value
    if rest.startswith(":"):
        if flags:
            return _reference(flags, name, rest[1:], env, depth)
        if name in ("expand", "quote"):
            return _expand(_expand(rest[1:], env, depth + 1), env, depth + 1)
        raise _Unknown(name)  # lua:, echo:, basename:, ... not followed
    if rest[0].isspace() and not flags and name in ("with", "without", "defined", "undefined"):
        arg = _expand(rest.strip(), env, depth + 1)
        if name in ("with", "without"):
            truth = env.asked(f"with_{arg}")
        elif env.dialect == DEBBUILD_DIALECT:
            truth = env.asked(arg)  # debbuild's %defined() is %{?x:1}%{!?x:0}: Perl's truth
        else:
            state = env.state(arg)
            truth = None if state == UNKNOWN else state == DEFINED
        if truth is None:
            raise _Unknown(arg)
        return str(int(truth != (name in ("without", "undefined"))))
    raise _Unknown(inner)  # a parametric call with arguments


_KEPT = "\0kept"  # _reference's answer for an undefined name kept as written


def _reference(
    flags: str, name: str, alt: str | None, env: MacroEnv, depth: int, keep: bool = False
) -> str:
    if name == "nil":
        return ""
    if "?" not in flags:
        if flags or (env.state(name) != DEFINED and name not in env.tags):
            if keep and not flags and env.state(name) == UNDEFINED:
                return _KEPT  # rpm and debbuild leave an undefined %{name} as written
            raise _Unknown(name)
        value = env.lookup(name)
        if value is None:
            raise _Unknown(name)
        return _expand(value, env, depth + 1)
    asked = env.asked(name)
    if asked is None:
        raise _Unknown(name)
    if "!" in flags:
        return "" if asked else _expand(alt or "", env, depth + 1)
    if not asked:
        return ""
    if alt is not None:
        return _expand(alt, env, depth + 1)
    value = env.values.get(name)
    if value is None:
        raise _Unknown(name)
    return _expand(value, env, depth + 1)


@cache
def _debbuild_macros() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    ref = resources.files("specport.normalize") / "debbuild-macros.toml"
    try:
        doc = tomllib.loads(ref.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {ref}: {exc}") from None
    return dict(doc["values"]), frozenset(doc["unread"]), frozenset(doc["unsure"])


def file_macros(text: str) -> dict[str, str | None]:
    """`%name value` lines of a macro file (None: parametric, or continued on the next line)."""
    out: dict[str, str | None] = {}
    for line in text.splitlines():
        m = _FILE_DEFINE.match(line)
        if m:
            value = m.group(3).strip()
            out[m.group(1)] = None if m.group(2) or value.endswith("\\") else value
    return out


@cache
def _target_values(target: Target, reader: str) -> tuple[tuple[str, str | None], ...]:
    values: dict[str, str | None] = {}
    if reader == "debbuild":
        known, unread, _unsure = _debbuild_macros()
        values.update(known)
        values.update(dict.fromkeys(unread))
        # what debbuild's dpkg-architecture %( ) answers there (macros.00platform)
        values.update(_arch=target.deb_arch, _build_arch=target.deb_arch, _os="linux")
    else:
        values.update(_RPM_BASE)
    for content in render_macro_files(target).values():
        values.update(file_macros(content))
    values.update(spec_macros(target))
    return tuple(values.items())


def target_env(
    target: Target, owned: frozenset[str] = frozenset(), reader: str | None = None
) -> MacroEnv:
    """A fresh environment for one spec on `target`; `owned`: names the spec owns (rpm readers
    take them as undefined until the spec defines them). reader: "rpm" for rpmspec's reading of
    a deb target's spec (the build's sandbox query: what apt installs), with the target's macro
    files and facts but rpm's own macros; default: the target's builder."""
    reader = reader or dialect(target)
    closed = reader == "debbuild"

    def never(name: str) -> bool:
        return (
            name in DISTRO_MACROS
            or name in _NEVER
            or name in owned
            or (name.startswith(_NEVER_PREFIXES))
        )

    env = MacroEnv(reader, closed, never)
    for name, value in _target_values(target, reader):
        env.define(name, value, opaque=value is None)
    if closed:
        env.unknown.update(_debbuild_macros()[2])
    return env


@cache
def concrete_macros(target: Target) -> dict[str, str]:
    """The macros the target's reader defines whose values expand to plain text (no shell, no
    macro specport does not know), expanded: what a name like %{__php}/x reads as there."""
    env = target_env(target)
    out = {}
    for name, value in env.values.items():
        if value is not None and (text := expand(value, env)) is not None:
            out[name] = text
    return out


def as_rpm(env: MacroEnv) -> MacroEnv:
    """%bcond's default is an rpm expression (%[ ]) even where debbuild reads the rest."""
    if env.dialect == RPM_DIALECT:
        return env
    return MacroEnv("rpm", env.closed, env.never, env.values, env.opaque, env.tags, env.unknown,
                    env.undefined)  # fmt: skip
