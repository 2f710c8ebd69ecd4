"""Pass: Fedora's forge macros (`%forgemeta`, `%forgesetup`, `%forgeautosetup`) as plain text.

Fedora computes a forge-hosted project's Source URL, archive name and top directory in Lua
(forge-srpm-macros, once redhat-rpm-config's macros.forge); EL8 and EL9 ship those macros, but
debbuild has neither them nor Lua, so on deb targets `%forgemeta` is an unknown macro and
`%{forgesource}` stays unexpanded. This pass does what `%forgemeta` would do for the forges
whose rules are fixed (GitHub, GitLab, Codeberg/Gitea, sourcehut, Pagure) with the spec's own
values: the `%forgemeta` line becomes `%global` lines (forgeurl, repo, archivename, archiveext,
archiveurl, forgesource, topdir, extractdir, forgesetupargs and, for snapshots, shortcommit and
distprefix), and `%forgesetup` / `%forgeautosetup` in %prep become the `%setup` / `%autosetup`
they stand for. The rules, in forge-srpm-macros' terms:

- the reference fetched is %{tag}, else %{commit}, else %{branch}, else the Version; on GitHub a
  Version reference is fetched as `v<version>` and a tag's leading `v` is not in the file name;
- archivename is `<repo>-<fileref>` (GitLab, Pagure: `<repo>-<ref>`), archiveurl
  `<forgeurl>/archive/<ref>/<archivename>.tar.gz` (GitLab `/-/archive/`, tar.bz2; Codeberg and
  sourcehut `/archive/<ref>.tar.gz`), topdir the archivename (sourcehut `<repo>-<ref>`, Codeberg
  `<repo>`), and `%forgesetup` is `%setup -q -n <topdir>` (`-T -D -b N` for Source N).

A `%forgemeta` whose values the spec does not give as text (a forgeurl from `%( )`, an unknown
forge) is left as it is, with a note saying so: the build then stops on it, not on a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specport.normalize.lines import TAG_RE, expand, sections, simple_macros
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "forge"
_FORGEMETA_RE = re.compile(r"^\s*%(?:\{forgemeta\}|forgemeta)(?P<args>(?:\s.*)?)$")
_SETUP_RE = re.compile(
    r"^(?P<ind>\s*)%(?:\{(?P<b>forge(?:auto)?setup)\}|(?P<w>forge(?:auto)?setup))(?P<args>(?:\s.*)?)$"
)
_Z_RE = re.compile(r"(?:^|\s)-z\s*(\d+)")
_KNOWN = "GitHub, GitLab, Codeberg, sourcehut, Pagure"
_FLAG_RE = re.compile(r"(?:^|\s)-[aivs](?=\s|$)")


@dataclass(frozen=True)
class _Forge:
    kind: str
    url: str  # the forgeurl as forgemeta accepts it (no trailing slash, no query)
    repo: str


def _identify(url: str) -> _Forge | None:
    m = re.match(r"^https?://([^/]+)/(.*)$", url.rstrip("/"))
    if not m:
        return None
    host, path = m.group(1), m.group(2)
    parts = [p for p in re.split(r"[?#]", path)[0].split("/") if p]
    if re.match(r"^github[.-]|[.-]github\.", host) and len(parts) >= 2:
        return _Forge("github", f"https://{host}/{parts[0]}/{parts[1]}", parts[1])
    if re.match(r"^gitlab[.-]|[.-]gitlab\.", host) and len(parts) >= 2:
        return _Forge("gitlab", f"https://{host}/{'/'.join(parts)}", parts[-1])
    if host == "git.sr.ht" and len(parts) >= 2 and parts[0].startswith("~"):
        return _Forge("sourcehut", f"https://{host}/{parts[0]}/{parts[1]}", parts[1])
    if host in ("codeberg.org", "gitea.com") and len(parts) >= 2:
        return _Forge("gitea", f"https://{host}/{parts[0]}/{parts[1]}", parts[1])
    if host == "pagure.io" and len(parts) == 1:
        return _Forge("pagure", f"https://{host}/{parts[0]}", parts[0])
    return None


def _values(forge: _Forge, ref_kind: str, ref: str, sfx: str) -> dict[str, str]:
    """The variables forgemeta sets for one source, literal."""
    fileref = ref
    if forge.kind == "github":
        if ref_kind == "version":
            ref = f"v{ref}"
        elif ref_kind != "commit" and re.match(r"^v\d", fileref):
            fileref = fileref[1:]
        elif "/" in fileref:
            fileref = fileref.replace("/", "-")
    elif forge.kind in ("gitea", "sourcehut") and ref_kind != "commit":
        if forge.kind == "sourcehut" and re.match(r"^v\d", fileref):
            fileref = fileref[1:]
        fileref = fileref.replace("/", "-")
    ext = "tar.bz2" if forge.kind == "gitlab" else "tar.gz"
    name = f"{forge.repo}-{fileref if forge.kind != 'gitlab' and forge.kind != 'pagure' else ref}"
    if forge.kind == "gitea":
        name = fileref
    if forge.kind == "gitlab":
        url = f"{forge.url}/-/archive/{ref}/{name}.{ext}"
    elif forge.kind in ("gitea", "sourcehut"):
        url = f"{forge.url}/archive/{ref}.{ext}"
    else:
        url = f"{forge.url}/archive/{ref}/{name}.{ext}"
    topdir = {"sourcehut": f"{forge.repo}-{ref}", "gitea": forge.repo}.get(forge.kind, name)
    source = url if url.rsplit("/", 1)[-1] == f"{name}.{ext}" else f"{url}#/{name}.{ext}"
    main = sfx in ("", "0")
    args = f"-n {topdir}" if main else f"-T -D -b {sfx} -n {topdir}"
    out = {
        "forgeurl": forge.url,
        "repo": forge.repo,
        "archivename": name,
        "archiveext": ext,
        "archiveurl": url,
        "forgesource": source,
        "topdir": topdir,
        "extractdir": topdir,
        "forgesetupargs": args,
    }
    if ref_kind == "commit":
        out["shortcommit"] = ref[:7]
    return out


def expand_forge_macros(lines: list[Line], ctx: PassContext) -> PassResult:
    out = list(lines)
    changes: list[Change] = []
    computed: dict[str, dict[str, str]] = {}
    for i, found in reversed(_forgemetas(lines)):
        ln = lines[i]
        reasons = [got for _, got in found if isinstance(got, str)]
        if reasons:
            changes.append(Change(NAME, ln.no, f"%forgemeta left as written: {reasons[0]}"))
            continue
        defs: list[Line] = []
        for sfx, got in found:
            assert not isinstance(got, str)
            computed[sfx] = got
            defs += [Line(ln.no, f"%global {k}{sfx} {v}") for k, v in got.items()]
            if sfx == "0":  # forgemeta aliases source 0's variables to the plain names
                defs += [Line(ln.no, f"%global {k} {v}") for k, v in got.items()]
            what = got["forgesource"].rsplit("#/", 1)[-1].rsplit("/", 1)[-1]
            label = f"%forgemeta{' -z ' + sfx if sfx else ''}"
            changes.append(
                Change(NAME, ln.no, f"{label}: source {what}, top directory {got['topdir']} "
                       "(debbuild has no forge macros)")
            )  # fmt: skip
        out[i : i + 1] = defs
    if not computed:
        return out, changes
    return _setups(out, computed, changes)


def forge_macros(lines: list[Line]) -> dict[str, str]:
    """The variables the spec's %forgemeta lines define, for readers of Source0 as text; none for
    a %forgemeta whose values are not given as text."""
    out: dict[str, str] = {}
    for _, found in _forgemetas(lines):
        for sfx, got in found:
            if isinstance(got, dict):
                out.update({f"{k}{sfx}": v for k, v in got.items()})
                if sfx == "0":
                    out.update(got)
    return out


def _forgemetas(lines: list[Line]) -> list[tuple[int, list[tuple[str, dict[str, str] | str]]]]:
    """Each %forgemeta line's index and, per source it covers, its variables or why not."""
    metas = [
        (i, m["args"] or "") for i, ln in enumerate(lines) if (m := _FORGEMETA_RE.match(ln.text))
    ]
    if not metas:
        return []
    macros = simple_macros(lines)
    out = []
    for i, args in metas:
        z = _Z_RE.search(args)
        if " -a" in f" {args}":
            sfxs = sorted(k[len("forgeurl") :] for k in macros if re.fullmatch(r"forgeurl\d*", k))
            if "" in sfxs and "0" in sfxs:  # forgeurl and forgeurl0 name the same source
                sfxs.remove("")
            sfxs = sfxs or [""]  # none at all: _one says so
        else:
            sfxs = [z.group(1) if z else ""]
        out.append((i, [(sfx, _one(macros, sfx)) for sfx in sfxs]))
    return out


def _one(macros: dict[str, str], sfx: str) -> dict[str, str] | str:
    def raw(name: str) -> str | None:
        got = macros.get(f"{name}{sfx}")
        if got is None and sfx in ("", "0"):  # source 0's variables, with or without the 0
            got = macros.get(f"{name}0" if sfx == "" else name)
        return got

    def value(name: str) -> str | None:
        got = raw(name)
        return None if got is None else expand(got, macros)

    url = value("forgeurl")
    if not url:
        return f"forgeurl{sfx} is not given as text"
    forge = _identify(url)
    if forge is None:
        return f"{url} is not a forge whose archive rules are fixed ({_KNOWN})"
    for kind in ("tag", "commit", "branch", "version"):
        given = raw(kind)
        if given is None or not given.strip():
            continue
        ref = value(kind)
        if ref is None:
            return f"%{{{kind}{sfx}}} is not given as text"
        if ref:
            return _values(forge, kind, ref, sfx)
    return f"no %{{tag{sfx}}}, %{{commit{sfx}}} or Version to fetch"


def _setups(
    lines: list[Line], computed: dict[str, dict[str, str]], changes: list[Change]
) -> PassResult:
    out: list[Line] = []
    for ln, sec in zip(lines, sections(lines), strict=True):
        m = _SETUP_RE.match(ln.text)
        if not m or sec != "prep":
            out.append(ln)
            continue
        macro = m["b"] or m["w"]
        args = m["args"] or ""
        z = _Z_RE.search(args)
        sfx = z.group(1) if z else ""
        got = computed.get(sfx) or computed.get("0" if sfx == "" else "")
        if got is None:
            out.append(ln)
            continue
        rest = _FLAG_RE.sub(" ", _Z_RE.sub(" ", args)).split()
        if macro == "forgesetup":
            text = f"{m['ind']}%setup -q {got['forgesetupargs']}"
        else:
            text = f"{m['ind']}%autosetup {got['forgesetupargs']} {' '.join(rest)}".rstrip()
        changes.append(Change(NAME, ln.no, f"%{macro} -> {text.strip()}"))
        out.append(Line(ln.no, text))
    return out, changes


def expand_source_names(lines: list[Line], ctx: PassContext) -> PassResult:
    """debbuild takes a SourceN:/PatchN: file name as the text after the value's last `/`
    *before* it expands macros, so `Source0: %{forgesource}` names a file called
    `%{forgesource}`, which expands to a whole URL below SOURCES/. rpm expands first. Where the
    value's file name hides in a macro, the value is written out (simple macros expanded)."""
    macros = simple_macros(lines)
    out: list[Line] = []
    changes: list[Change] = []
    for ln, sec in zip(lines, sections(lines), strict=True):
        t = TAG_RE.match(ln.text) if sec == "preamble" else None
        if not t or not re.fullmatch(r"(?i)(source|patch)\d*", t.group(1)) or "%" not in t.group(2):
            out.append(ln)
            continue
        raw = t.group(2).strip()
        full = expand(raw, macros)
        debbuilds = expand(raw.rstrip("/").rsplit("/", 1)[-1], macros)  # basename, then expand
        if full is None or debbuilds == _file_name(full):
            out.append(ln)
            continue
        out.append(Line(ln.no, f"{t.group(1)}: {full}"))
        changes.append(
            Change(NAME, ln.no, f"{t.group(1)} written out: debbuild names the file before it "
                   f"expands macros ({_file_name(full)})")
        )  # fmt: skip
    return out, changes


def _file_name(value: str) -> str:
    value = value.split("#/", 1)[1] if "#/" in value else value
    return value.rstrip("/").rsplit("/", 1)[-1]
