"""Pass: a Python spec's `%generate_buildrequires` with `%pyproject_buildrequires`, for debbuild.

rpm (>= 4.15) runs that section after %prep and installs what it prints: the requirements of
the sources' pyproject.toml, as python3dist() names. debbuild has no such step. The requirements
are data in the source tarball, though, so `specport build` reads them there, on the host, before
any container (building/pyreqs.py), and adds them as BuildRequires at the marker this pass leaves
in the preamble; the package's run-time Depends come from its installed metadata in the post-step
(debfix.sh py_deps). This pass also asks for the tools the shims (macros.specport-python) run:
pip and wheel. Any other generator (R, Rust, Go) stays for check_new_syntax to refuse.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from specport.normalize.conditions import live_lines
from specport.normalize.lines import (
    SECTION_RE,
    conditional_kind,
    expand,
    sections,
    simple_macros,
)
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.readers import reader_of

NAME = "pyproject"
MARKER = "# specport-pyproject-buildrequires:"  # no % in it: nothing for rpm or debbuild to expand
_GENERATE_RE = re.compile(r"^%generate_buildrequires\s*$")
_CALL_RE = re.compile(r"^%(?:\{pyproject_buildrequires\}|pyproject_buildrequires)(?:\s+(.*))?$")
# the tools macros.specport-python's %pyproject_wheel and %pyproject_install run
TOOLS = ("python3-pip", "python3-wheel")


@dataclass(frozen=True)
class PyprojectRequest:
    """What %pyproject_buildrequires asked for: its -x extras, and the run-time requirements
    (on unless -R): rpm's generator lists those too, for %check and the import check."""

    extras: tuple[str, ...] = ()
    runtime: bool = True

    def render(self) -> str:
        extras = ",".join(self.extras) or "-"
        return f"{MARKER} extras={extras} runtime={int(self.runtime)}"


def parse_marker(text: str) -> PyprojectRequest | None:
    """The PyprojectRequest a normalized spec's marker line holds; None without one."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            fields = dict(w.split("=", 1) for w in line[len(MARKER) :].split() if "=" in w)
            extras = fields.get("extras", "-")
            return PyprojectRequest(
                tuple(e for e in extras.split(",") if e and e != "-"),
                fields.get("runtime", "1") == "1",
            )
    return None


def _request(args: str) -> PyprojectRequest | None:
    """The options of one %pyproject_buildrequires call; None for one this pass cannot follow."""
    try:
        words = shlex.split(args)
    except ValueError:
        return None
    extras: list[str] = []
    runtime = True
    i = 0
    while i < len(words):
        w = words[i]
        if w == "-x" and i + 1 < len(words):
            extras += [e for e in words[i + 1].split(",") if e]
            i += 2
            continue
        if w.startswith("-x") and len(w) > 2:
            extras += [e for e in w[2:].split(",") if e]
        elif w == "-R":
            runtime = False
        elif w in ("-e", "-g") and i + 1 < len(words):
            i += 2  # tox environments and dependency groups: not read (the note says so)
            continue
        elif w not in ("-r", "-t", "-w", "-p", "-N"):
            return None
        i += 1
    return PyprojectRequest(tuple(extras), runtime)


def translate_generate_buildrequires(lines: list[Line], ctx: PassContext) -> PassResult:
    if ctx.target.family != "deb" or not any(_GENERATE_RE.match(ln.text) for ln in lines):
        return lines, []
    secs = sections(lines)
    live = live_lines(lines, ctx.target, ctx.options.bconds)
    headers = [i for i, ln in enumerate(lines) if _GENERATE_RE.match(ln.text) and live[i]]
    if not headers:
        return lines, []  # only in branches the target never takes: nothing for debbuild to read
    macros = simple_macros(lines)
    requests: list[PyprojectRequest] = []
    for h in headers:
        body = [
            ln.text.strip()
            for i, ln in enumerate(lines)
            if secs[i] == "generate_buildrequires" and i > h and live[i]
        ]
        # the calls of the branches the target takes (live lines only)
        calls = [t for t in body if t and not t.startswith("#") and not conditional_kind(t)]
        for call in calls:
            m = _CALL_RE.match(call)
            args = expand(m.group(1) or "", macros) if m else None  # -x %{extras}
            req = _request(args) if args is not None else None
            if req is None:
                return lines, []  # another generator: check_new_syntax refuses it, by name
            requests.append(req)
    if not requests:
        return lines, []
    extras = tuple(dict.fromkeys(e for r in requests for e in r.extras))
    request = PyprojectRequest(extras, any(r.runtime for r in requests))
    first = next(i for i, ln in enumerate(lines) if SECTION_RE.match(ln.text))
    no = lines[headers[0]].no
    added = [Line(no, request.render()), *(Line(no, f"BuildRequires: {t}") for t in TOOLS)]
    # the section goes, but not its %if/%else/%endif lines: they may pair with lines outside it
    kept = [
        ln
        for i, ln in enumerate(lines)
        if secs[i] != "generate_buildrequires"
        or (not _GENERATE_RE.match(ln.text) and conditional_kind(ln.text.strip()))
    ]
    out = [*kept[:first], *added, *kept[first:]]  # the end of the main preamble
    what = "the run-time and build requirements" if request.runtime else "the build requirements"
    if extras:
        what += f" and the extras {', '.join(extras)}"
    reader = reader_of(ctx.target).label(ctx.target)
    note = (
        f"%generate_buildrequires (%pyproject_buildrequires) -> BuildRequires: {what} of the"
        f" sources' pyproject.toml, read by specport build, as {reader} has no dynamic build"
        " dependencies; pip and wheel for the shims"
    )
    return out, [Change(NAME, no, note)]


_PYPI_SOURCE = "%{pypi_source"
_EXTRAS_SUBPKG_RE = re.compile(r"^%(?:\{pyproject_extras_subpkg\}|pyproject_extras_subpkg)(\s|$)")
# python-rpm-macros' %py_provides NAME: a Provides line (and python3.X-name ones debbuild needs not)
_PY_PROVIDES_RE = re.compile(r"^%(?:\{py_provides\}|py_provides)\s+(\S+)\s*$")


def _pypi_args(value: str) -> tuple[int, int, str] | None:
    """(start, end, args) of the %{pypi_source ...} in `value`, braces balanced."""
    start = value.find(_PYPI_SOURCE)
    if start < 0:
        return None
    depth, i = 0, start + 1
    while i < len(value):
        depth += {"{": 1, "}": -1}.get(value[i], 0)
        if depth == 0:
            return start, i + 1, value[start + len(_PYPI_SOURCE) : i].strip()
        i += 1
    return None


def pypi_source_file(value: str) -> str | None:
    """`value` with its %{pypi_source NAME VERSION EXT} written as the file name it ends in,
    NAME-VERSION.EXT (Fedora's defaults: %{pypi_name}, %{version}, tar.gz); None without one."""
    found = _pypi_args(value)
    if found is None:
        return None
    start, end, args = found
    words = args.split()
    if len(words) > 3:
        return None
    name, version, ext = [*words, "", "", ""][:3]
    file = f"{name or '%{pypi_name}'}-{version or '%{version}'}.{ext or 'tar.gz'}"
    return value[:start] + file + value[end:]


def expand_pypi_source(lines: list[Line], ctx: PassContext) -> PassResult:
    """`Source0: %{pypi_source NAME VERSION EXT}` (python-rpm-macros, Lua that debbuild lacks)
    -> the file name it ends in, NAME-VERSION.EXT: specport takes a build's sources by file name
    (the lookaside, --sources, Debian's orig tarballs), never from the URL. Defaults as Fedora's:
    %{pypi_name}, %{version}, tar.gz. %pyproject_extras_subpkg (metapackages for a project's
    extras; Debian has none) is dropped; %py_provides NAME is `Provides: NAME`."""
    if ctx.target.family != "deb" or not any(
        _PYPI_SOURCE in ln.text
        or _EXTRAS_SUBPKG_RE.match(ln.text)
        or _PY_PROVIDES_RE.match(ln.text)
        for ln in lines
    ):
        return lines, []
    out: list[Line] = []
    changes: list[Change] = []
    for ln in lines:
        provides = _PY_PROVIDES_RE.match(ln.text)
        if provides:  # debbuild reads a preamble line's first word as a tag, before macros
            out.append(Line(ln.no, f"Provides: {provides.group(1)}"))
            changes.append(Change(NAME, ln.no, f"%py_provides -> Provides: {provides.group(1)}"))
            continue
        if _EXTRAS_SUBPKG_RE.match(ln.text):
            out.append(Line(ln.no, f"# specport dropped: {ln.text.replace('%', '%%')}"))
            why = "%pyproject_extras_subpkg dropped: Debian has no metapackages for extras"
            changes.append(Change(NAME, ln.no, why))
            continue
        text = pypi_source_file(ln.text) if re.match(r"(?i)source\d*\s*:", ln.text) else None
        if text is None:
            out.append(ln)
            continue
        out.append(Line(ln.no, text))
        file = text.split(":", 1)[1].strip()
        changes.append(Change(NAME, ln.no, f"%{{pypi_source}} -> its file name, {file}"))
    return out, changes
