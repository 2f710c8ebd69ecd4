"""Pass (deb targets): rpm's scriptlets become the four maintainer scripts debbuild writes.

debbuild 24.12 reads %pre/%post/%preun/%postun (and merges %pretrans/%posttrans into the first
two); it does not know %triggerin/%triggerun/%triggerpostun, file triggers or %verifyscript, so
their bodies ran as shell inside the section above them (`%triggerin: not found` in %check).
`-p <lua>` became a shell line `<lua>`. And dpkg passes action words where rpm passes counts, so
`[ $1 -eq 0 ]` failed. Here every scriptlet is read (scriptparse.py) and written again as one
%pre/%post/%preun/%postun per package, before the first %files, each body under the %if lines
it had and run as dpkgscripts.py says (rpm's counts, a subshell each):

- %pre, %post, %preun, %postun: for the dpkg actions rpm has an equivalent of, with $1 = count;
  bodies that already test dpkg's words ("configure", ...) are kept as written.
- %pretrans: preinst install/upgrade, first; %posttrans: postinst configure, last (dpkg has no
  transaction end; its configure step is after every unpack of the run).
- %triggerin/%triggerun/%triggerpostun -- PKG: a dpkg file trigger on PKG's /usr/share/doc/PKG
  (every package ships its copyright there), so postinst runs `triggered` when PKG is installed,
  upgraded or removed; triggerin runs while PKG is there, triggerun/triggerpostun once it is gone
  (dpkg triggers run after the change, and cannot tell an upgrade from an install). Also, as
  rpm does, triggerin at this package's configure when PKG is there, triggerun/triggerpostun at
  its own removal when PKG is there. Versioned conditions (`-- httpd < 2.2`) are Fedora upgrade
  paths: dropped.
- %filetrigger*/%transfiletrigger* -- PATH: dpkg file trigger on PATH; the body reads the files
  now under PATH on stdin (dpkg does not say which changed); un/postun bodies that read stdin
  are dropped (the removed names cannot be had).
- dropped with a reason: -p /sbin/ldconfig (libc-bin's trigger runs ldconfig), -p <lua> (no
  dpkg form), -f FILE, %verifyscript, %triggerprein.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specport.normalize import dpkgscripts as dk
from specport.normalize.lines import SECTION_RE, Chain, chains, expand, simple_macros, wrap_in_chain
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.resolver import Resolver, RuleResolver
from specport.normalize.scriptparse import (
    Scriptlet,
    Segment,
    find_scriptlets,
    trigger_names,
    trigger_paths,
)

NAME = "scriptlets"
_SCRIPT_OF = {
    "pretrans": "pre", "pre": "pre", "post": "post", "posttrans": "post", "preun": "preun",
    "preuntrans": "preun", "postun": "postun", "postuntrans": "postun",
}  # fmt: skip
# order inside one dpkg script: %pretrans before %pre, %posttrans after %post and triggers
_ORDER = {"pretrans": 0, "pre": 1, "post": 1, "preun": 1, "postun": 1, "preuntrans": 0}
_ORDER.update({"postuntrans": 3, "posttrans": 3})
_SHELLS = {"", "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "%{__bash}"}
_LDCONFIG = re.compile(r"^(/usr)?/sbin/ldconfig$|^%\{?_?ldconfig\}?$|^%\{\?ldconfig\}$")
_READS_STDIN = re.compile(r"\bread\b|STDIN|/dev/stdin|\bxargs\b|^\s*cat\s*($|\|)|\|\s*cat\s*$")


@dataclass
class _Part:
    order: int
    chain: Chain
    lines: list[Line]


@dataclass
class _Package:
    scripts: dict[str, list[_Part]] = field(default_factory=dict)
    triggered: list[_Part] = field(default_factory=list)  # postinst `triggered` arms

    def add(self, script: str, part: _Part) -> None:
        self.scripts.setdefault(script, []).append(part)


def translate_scriptlets(lines: list[Line], ctx: PassContext) -> PassResult:
    found, taken = find_scriptlets(lines)
    if not found:
        return lines, []
    macros = simple_macros(lines)
    resolver = ctx.resolver or RuleResolver(ctx.target)
    packages: dict[str, _Package] = {}
    changes: list[Change] = []
    for s in found:
        pkg = packages.setdefault(s.package, _Package())
        label = f"%{s.header.text.split()[0][1:]}" + (f" {s.package}" if s.package else "")
        why = _translate(s, pkg, macros, resolver)
        changes.append(Change(NAME, s.header.no, f"{label}: {why}"))
    kept = [ln for i, ln in enumerate(lines) if i not in taken]
    at = _insert_point(kept)
    new: list[Line] = []
    for name, pkg in packages.items():
        new += _render(name, pkg)
    return [*kept[:at], *new, *kept[at:]], changes


def _translate(s: Scriptlet, pkg: _Package, macros: dict[str, str], resolver: Resolver) -> str:
    """Adds `s`'s parts to `pkg`; returns the change note."""
    prog = s.prog.strip()
    if s.file:
        return f"dropped: -f {s.file} (the body is read from a file at build time); not carried"
    if prog == "<lua>":
        return "dropped: a Lua scriptlet (-p <lua>) has no dpkg form"
    if prog and _LDCONFIG.match(prog):
        return "dropped -p /sbin/ldconfig: dpkg runs ldconfig through libc-bin's trigger"
    if prog in _SHELLS:
        prog = ""
    body = [ln.text for ln in s.body]
    if s.kind == "verifyscript":
        return "dropped: dpkg has no verify hook"
    if s.kind == "triggerprein":
        return "dropped: dpkg cannot run anything before another package is installed"
    if not s.has_body and not prog:
        return "empty: nothing to run"
    if s.kind in _SCRIPT_OF:
        return _plain(s, pkg, prog, body)
    if s.kind.startswith(("filetrigger", "transfiletrigger")):
        return _file_trigger(s, pkg, prog, body)
    return _package_trigger(s, pkg, prog, macros, resolver)


def _plain(s: Scriptlet, pkg: _Package, prog: str, body: list[str]) -> str:
    script = _SCRIPT_OF[s.kind]
    order = _ORDER[s.kind]
    if not prog and dk.speaks_dpkg(body):
        for seg in s.segments:
            pkg.add(script, _Part(order, seg.chain, seg.lines))
        return "tests dpkg's own arguments already: kept as written"
    for seg in s.segments or [Segment((), [])]:
        text = dk.guarded(s.kind, [ln.text for ln in seg.lines], prog)
        pkg.add(script, _Part(order, seg.chain, _lines(text, seg.lines, s.header.no)))
    return {
        "pre": "preinst install/upgrade, $1 = 1 or 2 as rpm counts",
        "post": "postinst configure, $1 = 1 (no configured version before) or 2",
        "preun": "prerm remove/upgrade, $1 = 0 or 1 as rpm counts",
        "postun": "postrm remove/upgrade, $1 = 0 or 1 (not again on purge)",
        "pretrans": "preinst install/upgrade, before %pre (dpkg has no transaction start)",
        "posttrans": "postinst configure, after %post (dpkg has no transaction end)",
        "preuntrans": "prerm remove/upgrade, before %preun (dpkg has no transaction start)",
        "postuntrans": "postrm remove/upgrade, after %postun (dpkg has no transaction end)",
    }[s.kind]


def _package_trigger(
    s: Scriptlet, pkg: _Package, prog: str, macros: dict[str, str], resolver: Resolver
) -> str:
    names, versioned = trigger_names(s.condition)
    if versioned:
        return (
            f"dropped: a trigger on an older version ({s.condition}) is a Fedora upgrade path"
            " the target does not have"
        )
    debs = []
    for name in names:
        expanded = expand(name, macros)
        if expanded is None:
            return f"dropped: trigger package {name} uses a macro specport cannot read"
        found = resolver.resolve(expanded)
        if found is None or not found.name:
            return f"dropped: no package {expanded} on the target to watch"
        debs.append(found.name)
    paths = [dk.doc_dir(d) for d in debs]
    gone = s.kind != "triggerin"
    for deb, path in zip(debs, paths, strict=True):
        state = f"! {{ {dk.present(deb)}; }}" if gone else dk.present(deb)
        args = "1 0" if gone else "1 1"
        for seg in s.segments or [Segment((), [])]:
            body = [ln.text for ln in seg.lines]
            run = [f"if {state}; then", *dk.run_body(s.kind, body, args, prog), "fi"]
            code = [dk.interest(path), *dk.on_trigger([path], run)]
            pkg.triggered.append(_Part(0, seg.chain, _lines(code, seg.lines, s.header.no)))
            own = _own_change(s.kind, deb, body, prog)
            script = {"triggerin": "post", "triggerun": "preun", "triggerpostun": "postun"}[s.kind]
            pkg.add(script, _Part(2, seg.chain, _lines(own, seg.lines, s.header.no)))
    watch = ", ".join(paths)
    when = "while it is installed" if not gone else "once it is gone"
    own_when = "configure" if not gone else "removal"
    return (
        f"dpkg file trigger on {watch} (interest-noawait): postinst triggered runs it {when},"
        f" and this package's {own_when} runs it when {', '.join(debs)} is there"
    )


def _own_change(kind: str, deb: str, body: list[str], prog: str) -> list[str]:
    """rpm also fires a trigger when this package changes while the other one is there."""
    if kind == "triggerin":
        test, args = '[ "$1" = configure ]', '"$_sp_n" 1'
        first = ['_sp_n=1; if [ -n "$2" ]; then _sp_n=2; fi']
    else:
        test, args, first = '[ "$1" = remove ]', "0 1", []
    run = dk.run_body(kind, body, args, prog)
    return [f"if {test} && {dk.present(deb)}; then", *first, *run, "fi"]


def _file_trigger(s: Scriptlet, pkg: _Package, prog: str, body: list[str]) -> str:
    paths = trigger_paths(s.condition)
    if not paths:
        return "dropped: a file trigger with no path"
    removal = not s.kind.endswith("in")
    if removal and any(_READS_STDIN.search(t) for t in body):
        return (
            "dropped: it reads the removed files' names on stdin, and dpkg's file triggers do"
            " not give them"
        )
    feed = "find " + " ".join(paths) + " \\( -type f -o -type l \\) 2>/dev/null"
    for seg in s.segments or [Segment((), [])]:
        stdin = " </dev/null" if removal else ""  # removals: no file list
        run = dk.run_body(s.kind, [ln.text for ln in seg.lines], "1", prog, stdin=stdin)
        source = [] if removal else [f"{feed} |"]
        code = [*(dk.interest(p) for p in paths), *dk.on_trigger(paths, [*source, *run])]
        pkg.triggered.append(_Part(0, seg.chain, _lines(code, seg.lines, s.header.no)))
    what = "the files now under it on stdin" if not removal else "no file list"
    watched = ", ".join(paths)
    return f"dpkg file trigger on {watched} (interest-noawait), postinst triggered with {what}"


def _lines(texts: list[str], body: list[Line], no: int) -> list[Line]:
    """Generated text as Lines: body lines keep their own numbers, the rest get `no`."""
    by_text = iter(body)
    pending = next(by_text, None)
    out = []
    for t in texts:
        if pending is not None and t == pending.text:
            out.append(pending)
            pending = next(by_text, None)
        else:
            out.append(Line(no, t))
    return out


def _render(package: str, pkg: _Package) -> list[Line]:
    out: list[Line] = []
    suffix = f" {package}" if package else ""
    for script in ("pre", "post", "preun", "postun"):
        parts = sorted(pkg.scripts.get(script, []), key=lambda p: p.order)
        triggered = pkg.triggered if script == "post" else []
        if not parts and not triggered:
            continue
        no = (triggered or parts)[0].lines[0].no if (triggered or parts)[0].lines else 0
        out.append(Line(no, f"%{script}{suffix}"))
        if triggered:
            out.append(Line(no, 'if [ "$1" = triggered ]; then'))
            for p in triggered:
                out += _chained(p)
            out += [Line(no, "exit 0"), Line(no, "fi")]
        for p in parts:
            out += _chained(p)
        out.append(Line(no, ""))
    return out


def _chained(part: _Part) -> list[Line]:
    no = part.lines[0].no if part.lines else 0
    if not part.chain:
        return part.lines
    texts = wrap_in_chain(["\0"], part.chain)
    mid = texts.index("\0")
    head = [Line(no, t) for t in texts[:mid]]
    tail = [Line(no, t) for t in texts[mid + 1 :]]
    return [*head, *part.lines, *tail]


def _insert_point(lines: list[Line]) -> int:
    """Before the first %files (else %changelog) outside every %if, else at the end."""
    at = chains(lines)
    for name in ("files", "changelog"):
        for i, ln in enumerate(lines):
            m = SECTION_RE.match(ln.text)
            if m and m.group(1) == name and not at[i]:
                return i
    return len(lines)
