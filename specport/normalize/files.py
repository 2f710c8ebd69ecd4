"""Pass (deb targets): %files directives debbuild 24.12 does not read as rpm does.

Learned from debbuild's process_filesline() and binpackage():
- `%verify(...)`: a line *starting* with it is skipped whole (the file is not packaged); later
  in a line it is taken for a file name. dpkg keeps no per-file verify policy: dropped.
- `%lang(xx)`: debbuild stops on it ("Unknown tag"). dpkg has no per-language file flag (rpm's
  %_install_langs): dropped, the file ships.
- `%config(missingok)`, `%config(noreplace,missingok)`: only `%config` and `%config(noreplace)`
  are read. dpkg keeps a conffile the admin deleted deleted (what missingok allows): -> %config
  or %config(noreplace).
- `%caps(cap_net_raw=ep) /usr/bin/x`: not read. Becomes a setcap in postinst at configure (the
  same text form as rpm's), when setcap is there (libcap2-bin), else a warning.
- `%ghost PATH`: skipped, but a directory listed above it still ships it; dpkg cannot own a
  file it does not ship. -> `%exclude PATH` (never shipped), and removed as rpm removes ghosts on
  erase: at postrm remove, or at purge for a %config ghost (Debian removes conffiles on purge).
- relative `%doc`/`%license` (`%license NTS/LICENSE`): debbuild copies them at the end of the
  %install script, from wherever that script ended (a `cd NTS` there breaks it), and takes a path
  starting with a macro (`%{pecl_name}-%{version}/CREDITS`) for an absolute one and loses it.
  rpm copies them from the build directory. -> an explicit copy at the end of %install from
  %{_builddir}/%{buildsubdir} (or %{_builddir} without %setup) into %{_docdir}/<package> (where
  debbuild puts both), and the %files entry names the copy.
The scriptlets pass, after this one, merges the %post/%postun sections added here.
"""

from __future__ import annotations

import re

from specport.normalize.lines import (
    SECTION_RE,
    Chain,
    append_point,
    chains,
    expand,
    simple_macros,
    strip_prefix,
    wrap_in_chain,
)
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.resolver import target_macros

NAME = "files"
_VERIFY_RE = re.compile(r"%verify\s*\([^)]*\)\s*")
_LANG_RE = re.compile(r"%lang\s*\([^)]*\)\s*")
_CONFIG_RE = re.compile(r"%config\s*\(([^)]*)\)")
_CAPS_RE = re.compile(r"%caps\s*\(([^)]*)\)\s*")
_GHOST_RE = re.compile(r"%ghost\s+")
_DIRECTIVE_RE = re.compile(r"%(attr|config|verify|caps|lang)\s*\([^)]*\)\s*|%(dir|ghost)\s+")
_DOC_RE = re.compile(r"^(\s*)%(doc|license)\s+(.*)$")
_SETUP_RE = re.compile(r"^\s*%(setup|autosetup)\b")
_FILES_HEADER_RE = re.compile(r"^%files(?:\s+(.*))?$")


def translate_files(lines: list[Line], ctx: PassContext) -> PassResult:
    macros = {**target_macros(ctx.target), **simple_macros(lines)}
    at = chains(lines)
    out: list[Line] = []
    changes: list[Change] = []
    added: dict[int, list[Line]] = {}  # output index of a %files header -> sections before it
    docs: list[tuple[Line, Chain, str]] = []  # (line, its %if chain, copy) for %install
    header_out = -1
    package = ""
    doc_name = ""
    header_chain: Chain = ()
    for i, ln in enumerate(lines):
        m = SECTION_RE.match(ln.text)
        if m:
            header_out = len(out) if m.group(1) == "files" else -1
            if m.group(1) == "files":
                package = _files_package(ln.text)
                doc_name = _doc_name(package, macros)
                header_chain = at[i]
            out.append(ln)
            continue
        if header_out < 0 or not ln.text.strip() or ln.text.lstrip().startswith("#"):
            out.append(ln)
            continue
        text, notes, script = _directives(ln.text)
        local = strip_prefix(at[i], header_chain)
        for kind, body in script:
            section = f"%{kind}" + (f" {package}" if package else "")
            new = [section, *wrap_in_chain(body, local), ""]
            added.setdefault(header_out, []).extend(Line(ln.no, t) for t in new)
        if d := _DOC_RE.match(text):
            text, copy = _relative_docs(d, doc_name, macros)
            if copy:
                docs.append((ln, at[i], copy))
                notes.append(f"%{d.group(2)} with relative paths: copied from the build directory"
                             " at the end of %install, as rpm does")  # fmt: skip
        changes += [Change(NAME, ln.no, n) for n in notes]
        out.append(Line(ln.no, text))
    for index in sorted(added, reverse=True):
        out[index:index] = added[index]
    if docs:
        out = _add_doc_copies(out, docs, lines)
    return out, changes


def _files_package(header: str) -> str:
    m = _FILES_HEADER_RE.match(header.strip())
    args = (m.group(1) or "") if m else ""
    args = re.sub(r"\s*-f\s+\S+", "", args).strip()
    return args


def _doc_name(package: str, macros: dict[str, str]) -> str:
    """The directory debbuild gives this package's docs: its name, lower case, _ as -. A name
    with a macro specport cannot read stays a macro (debbuild expands it; it is lower case in
    every Debian package name already)."""
    if package.startswith("-n "):
        raw = package[3:].strip()
    else:
        raw = "%{name}" + (f"-{package}" if package else "")
    name = expand(raw, macros)
    return name.lower().replace("_", "-") if name else raw


def _directives(text: str) -> tuple[str, list[str], list[tuple[str, list[str]]]]:
    """The line with the directives debbuild misreads rewritten; notes; (%post/%postun, body)."""
    notes: list[str] = []
    script: list[tuple[str, list[str]]] = []
    if _VERIFY_RE.search(text):
        text = _VERIFY_RE.sub("", text)
        notes.append("dropped %verify(...): dpkg keeps no per-file verify policy")
    if _LANG_RE.search(text):  # debbuild: "Unknown tag '%lang'"
        text = _LANG_RE.sub("", text)
        notes.append("dropped %lang(...): dpkg installs every language's files")
    if (c := _CONFIG_RE.search(text)) and "missingok" in c.group(1):
        opts = [o.strip() for o in c.group(1).split(",") if o.strip() == "noreplace"]
        text = text.replace(c.group(0), f"%config({opts[0]})" if opts else "%config")
        notes.append(
            "%config(missingok) -> %config: dpkg keeps a conffile the admin deleted deleted"
        )
    if caps := _CAPS_RE.search(text):
        text = _CAPS_RE.sub("", text)
        path = _path_of(text)
        script.append(("post", _setcap(caps.group(1).strip(), path)))
        notes.append(f"%caps({caps.group(1)}): setcap in postinst configure (dpkg-deb keeps no"
                     " file capabilities)")  # fmt: skip
    if _GHOST_RE.search(text):
        config = "%config" in text
        is_dir = "%dir" in text or _path_of(text).endswith("/")
        path = _path_of(text).rstrip("/")
        indent = text[: len(text) - len(text.lstrip())]
        text = f"{indent}%exclude {path}"
        script.append(("postun", _ghost_removal(path, config, is_dir)))
        when = "purge (a conffile)" if config else "remove"
        notes.append(f"%ghost -> %exclude (dpkg cannot own a file it does not ship); removed at"
                     f" postrm {when}, as rpm removes ghosts on erase")  # fmt: skip
    return text, notes, script


def _path_of(text: str) -> str:
    return _DIRECTIVE_RE.sub("", text).strip()


def _setcap(caps: str, path: str) -> list[str]:
    return [
        'if [ "$1" = configure ]; then',
        f"    if command -v setcap >/dev/null 2>&1; then setcap '{caps}' {path}",
        f"    else echo 'specport: no setcap (libcap2-bin): {path} has no capabilities' >&2; fi",
        "fi",
    ]


def _ghost_removal(path: str, config: bool, is_dir: bool) -> list[str]:
    action = "purge" if config else "remove"
    remove = f"rmdir {path} 2>/dev/null" if is_dir else f"rm -f {path}"
    # `|| true` last: debbuild globs script lines that end in `*` against the build root
    return [f'if [ "$1" = {action} ]; then', f"    {remove} || true", "fi"]


def _relative_docs(d: re.Match[str], doc_name: str, macros: dict[str, str]) -> tuple[str, str]:
    """The %doc/%license line with relative paths pointing at their copies, and the copy."""
    indent, kind, rest = d.group(1), d.group(2), d.group(3)
    tokens = rest.split()
    relative = [t for t in tokens if _is_relative(t, macros)]
    if not relative:
        return d.group(0), ""
    target = f"%{{buildroot}}%{{_docdir}}/{doc_name}"
    names = [t if t not in relative else f"%{{_docdir}}/{doc_name}/{_basename(t)}" for t in tokens]
    copy = f'mkdir -p "{target}" && cp -pr {" ".join(relative)} "{target}/"'
    return f"{indent}%{kind} {' '.join(names)}", copy


def _is_relative(token: str, macros: dict[str, str]) -> bool:
    if token.startswith("/") or (token.startswith("%") and not token.startswith("%{")):
        return False
    if not token.startswith("%"):
        return True
    value = expand(token, macros)
    if value is not None:
        return not value.startswith("/")
    first = re.match(r"%\{[?!]*(\w+)", token)
    name = first.group(1) if first else ""
    # directory macros: %{_datadir}, %{pecl_docdir}, %{php_extdir}, %{buildroot}, ...
    return not (name.startswith("_") or re.search(r"dir$|path$|prefix$|root$", name))


def _basename(token: str) -> str:
    """What follows the last / outside braces (`NTS/{LICENSE,README}` -> `{LICENSE,README}`)."""
    depth, cut = 0, -1
    for k, ch in enumerate(token):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "/" and depth == 0:
            cut = k
    return token[cut + 1 :]


def _add_doc_copies(
    out: list[Line], docs: list[tuple[Line, Chain, str]], original: list[Line]
) -> list[Line]:
    """The copies at the end of %install, from the build directory, as rpm's %doc does; each
    under the %if lines of its %files line (those the %install section is not under itself)."""
    header = next((k for k, ln in enumerate(out) if re.match(r"^%install\s*$", ln.text)), None)
    if header is None:
        return out
    where = (
        "%{_builddir}/%{buildsubdir}"
        if any(_SETUP_RE.match(ln.text) for ln in original)
        else "%{_builddir}"
    )
    install_chain = chains(out)[header]
    new = [Line(docs[0][0].no, "# specport: documentation, from the build directory as rpm does")]
    for ln, chain, copy in docs:
        body = wrap_in_chain([f'(cd "{where}" && {copy})'], strip_prefix(chain, install_chain))
        new += [Line(ln.no, t) for t in body]
    at = append_point(out, header)
    return [*out[:at], *new, *out[at:]]
