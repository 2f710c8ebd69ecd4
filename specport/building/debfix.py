"""The deb post-step: complete each .deb where debbuild falls short (this docstring documents it).

What debbuild 24.12 writes, and what this step adds (learned by building with it):
- Depends: debbuild's come from ldd + dpkg -S, without versions (`libc6`). dpkg-shlibdeps on
  the shipped ELF files gives the versioned ones (`libc6 (>= 2.34)`); they replace the bare names.
- Maintainer: debbuild writes one only from `Packager:`; otherwise settings.maintainer.
- Perl modules: rpm's perl.req makes the modules a package's Perl files `use` or `require`
  its Requires on Fedora (the specs list few); debbuild makes none. debfix.sh finds each one in
  the build environment and names its package (`dep PKG`); those are added to Depends, with
  `perl` for a package that ships Perl modules; a module the build environment lacks is the
  sibling package's that ships it, else looked up in the target's package index (`perl(X::Y)`:
  the package whose Contents has X/Y.pm) and added when the index names its package; the rest
  are listed in the build log, not guessed. Python: the same for each Requires-Dist of a
  package's metadata (`python3dist(name)`). The Depends are computed in debdeps.py.
- phpapi-N: a PHP extension (files in /usr/lib/php/<API>/) depends on the PHP API it was built
  for, as Debian's own extensions do (dh_php); phpapi-N is provided by phpX.Y-common.
- conffiles: debbuild lists only %config files; Debian treats every file in /etc as one
  (dh_installdeb does the same), so the rest are added.
- PHP modules (/etc/php/<ver>/mods-available/<mod>.ini): enabled by postinst (phpenmod),
  disabled by prerm on remove (phpdismod), their state under /var/lib/php/modules dropped by
  postrm on purge; each script is skipped when it already does its part (the normalizer may
  write %post/%preun with phpenmod/phpdismod).
- Version: checked, not changed: its revision must carry the target's dist tag (`+deb12`), which
  the normalized spec defines (`%global dist`) and debbuild puts in Release as it is; Release
  may go on after it (`1%{?dist}.1`, a PHP tag), see spec.release.carries_dist.
- shlibs: debbuild writes no DEBIAN/shlibs, so dpkg-shlibdeps cannot say which package a
  program built against such a library needs (and fails on it). A package with public shared
  libraries gets one line per SONAME (`libfoo 1 libfoo (>= 1.0)`, as dh_makeshlibs writes) and
  the `activate-noawait ldconfig` trigger; a later build of a set that installs it (the local
  repository) then gets `Depends: libfoo (>= 1.0)` from dpkg-shlibdeps.
- Maintainer scripts (debscripts.py): DEBIAN/triggers from the `# specport-trigger:` lines the
  scriptlets pass put in %post; %attr/%defattr modes into the tree instead of postinst chmods.
- Documentation (debdocs.py): /usr/share/doc/<pkg>/copyright (DEP-5) from License: when the
  package has none (debbuild's %copyrightdata copyright.gz is unpacked instead), and the
  %changelog as changelog.Debian.gz in Debian's format instead of debbuild's changelog.gz.
The container part (unpack, dpkg-shlibdeps, strip, dpkg-deb -b with xz) is debfix.sh; the
host adds files through meta/<n>/add/ and removes the paths listed in meta/<n>/remove.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from debian.deb822 import Deb822

from specport.building import debdocs, debscripts
from specport.building.debdeps import Lookup, merge_depends, module_depends, perl_name
from specport.errors import BuildError
from specport.normalize.provided import dist_info_name
from specport.normalize.release import carries_dist

MARK = "# added by specport (deb post-step)"
# a script that already contains this does the job (the normalizer may write %post/%preun)
_SCRIPT_DONE = {"postinst": "phpenmod", "prerm": "phpdismod", "postrm": "/var/lib/php/modules"}
_PHP_INI = re.compile(r"^etc/php/(?P<ver>\d+\.\d+)/mods-available/(?P<mod>[A-Za-z0-9_-]+)\.ini$")
_PHP_EXTDIR = re.compile(r"^usr/lib/php/(?P<api>\d{8})/")


@dataclass(frozen=True)
class FixContext:
    maintainer: str  # used when the package has none
    dist: str  # the target's dist tag: "+deb12"
    codename: str = "unstable"  # the changelog's distribution: "bookworm"
    upstream: str = ""  # the spec's Name (the source package)
    license: str = ""  # the spec's License: (SPDX)
    url: str = ""  # the spec's URL:
    note: str = "Built by specport from an RPM spec."  # this build's changelog entry
    built: datetime = field(default_factory=lambda: datetime.now(UTC))
    # a Fedora name (perl(X::Y), python3dist(x)) -> the target package the package index
    # confirms, "" for none: for the modules the build environment lacked
    lookup: Lookup | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PhpModule:
    version: str  # "8.2"
    name: str  # "yaml"


def script_text() -> str:
    """debfix.sh, the in-container half of the post-step."""
    return (resources.files("specport.building") / "debfix.sh").read_text(encoding="utf-8")


def parse_files(listing: str) -> list[tuple[str, str]]:
    """`find -printf '%y %p'` lines -> (type, path without ./)."""
    out = []
    for line in listing.splitlines():
        if len(line) > 2:
            kind, path = line[0], line[2:]
            out.append((kind, path.removeprefix("./")))
    return out


def parse_shlibs(text: str) -> str:
    """The value of `shlibs:Depends=...` from dpkg-shlibdeps -O ("" when it found nothing)."""
    for line in text.splitlines():
        if line.startswith("shlibs:Depends="):
            return line.split("=", 1)[1].strip()
    return ""


def php_modules(files: list[tuple[str, str]]) -> list[PhpModule]:
    return [
        PhpModule(m["ver"], m["mod"])
        for kind, path in files
        if kind == "f" and (m := _PHP_INI.match(path))
    ]


def php_apis(files: list[tuple[str, str]]) -> list[str]:
    return sorted({m["api"] for _kind, path in files if (m := _PHP_EXTDIR.match(path))})


def shlibs_lines(sonames: list[str], package: str, version: str) -> str:
    """DEBIAN/shlibs for a package's SONAMEs: `libfoo.so.1` -> `libfoo 1 pkg (>= upstream)`."""
    upstream = version.rsplit("-", 1)[0]  # the epoch stays, as dh_makeshlibs keeps it
    out = []
    for soname in dict.fromkeys(s.strip() for s in sonames if s.strip()):
        m = re.fullmatch(r"(.+)\.so\.(.+)", soname) or re.fullmatch(r"(.+)-(.+)\.so", soname)
        if m:
            out.append(f"{m[1]} {m[2]} {package} (>= {upstream})\n")
    return "".join(out)


def check_version(version: str, ctx: FixContext) -> None:
    """The version must carry the target's dist tag; anything else is a spec or macro fault."""
    if not carries_dist(version, ctx.dist):
        raise BuildError(
            f"debbuild wrote version {version}, whose release does not carry the dist tag"
            f" {ctx.dist}",
            hint="Release: should contain %{?dist} (1%{?dist}, 1%{?dist}.1); does the spec"
            " redefine %dist?",
        )


def fix_control(
    text: str,
    files: list[tuple[str, str]],
    shlibs: str,
    ctx: FixContext,
    perldeps: str = "",
    pydeps: str = "",
) -> tuple[str, list[str]]:
    """The new control file and a list of what changed (for the build log)."""
    control = Deb822(text)
    changes: list[str] = []
    if not control.get("Maintainer", "").strip():
        control["Maintainer"] = ctx.maintainer
        changes.append(f"Maintainer: {ctx.maintainer}")
    package = control.get("Package", "")
    extra = [f"phpapi-{api}" for api in php_apis(files)]
    found, notes = module_depends(perldeps, pydeps, files, package, ctx.lookup)
    extra += found
    changes += notes
    old = control.get("Depends", "")
    new = merge_depends(old, shlibs, extra)
    if new != old:
        control["Depends"] = new
        changes.append(f"Depends: {new}")
    check_version(control["Version"], ctx)
    return control.dump(), changes


_PERL_MODULE = re.compile(r"/(?:perl5(?:/[\d.]+)?|perl/[\d.]+|vendor_perl)/(.+)\.pm$")


def shipped_names(metas: list[Path]) -> dict[str, str]:
    """perl(X::Y) and python3dist(x) -> the package of this build that ships it: a module one
    package uses and a sibling ships is that sibling's (as rpm finds it), not the archive's."""
    out: dict[str, str] = {}
    for meta in metas:
        package = Deb822((meta / "DEBIAN" / "control").read_text(encoding="utf-8"))["Package"]
        for kind, path in parse_files((meta / "files").read_text(encoding="utf-8")):
            perl = _PERL_MODULE.search("/" + path) if kind == "f" else None
            if perl:
                out.setdefault(perl_name(perl.group(1).replace("/", "::")), package)
            if dist := dist_info_name("/" + path):
                out.setdefault(dist, package)
    return out


def conffiles(existing: str, files: list[tuple[str, str]]) -> str:
    listed = [line.strip() for line in existing.splitlines() if line.strip()]
    etc = [f"/{p}" for kind, p in files if kind == "f" and p.startswith("etc/")]
    return "".join(f"{p}\n" for p in dict.fromkeys([*listed, *sorted(etc)]))


def php_snippets(modules: list[PhpModule]) -> dict[str, str]:
    """Maintainer-script snippets that enable/disable PHP modules, by script name."""
    post, prerm, postrm = [], [], []
    for m in modules:
        post.append(
            f'if [ "$1" = "configure" ] && [ -x /usr/sbin/phpenmod ]; then\n'
            f"    phpenmod -v {m.version} -s ALL {m.name}\n"
            f"fi\n"
        )
        prerm.append(
            f'if [ "$1" = "remove" ] && [ -x /usr/sbin/phpdismod ]; then\n'
            f"    phpdismod -v {m.version} -s ALL {m.name}\n"
            f"fi\n"
        )
        # phpenmod/phpdismod keep state under /var/lib/php/modules; purge leaves nothing
        postrm.append(
            f'if [ "$1" = "purge" ]; then\n'
            f"    rm -f /var/lib/php/modules/{m.version}/*/*/{m.name}\n"
            f"fi\n"
        )
    snippets = {"postinst": post, "prerm": prerm, "postrm": postrm}
    return {name: "".join(parts) for name, parts in snippets.items() if parts}


def add_to_script(text: str, snippet: str) -> str:
    """`snippet` appended to a maintainer script (new one if text is empty), before `exit 0`."""
    block = f"{MARK}\n{snippet}"
    if not text.strip():
        return f"#!/bin/sh\nset -e\n{block}"
    lines = text.rstrip("\n").split("\n")
    if lines[-1].strip() == "exit 0":
        return "\n".join(lines[:-1]) + f"\n{block}exit 0\n"
    return "\n".join(lines) + f"\n{block}"


def fix_package(meta: Path, ctx: FixContext) -> list[str]:
    """Fix one unpacked package's DEBIAN dir in place (meta as written by debfix.sh unpack)."""
    debian = meta / "DEBIAN"
    treefix = meta / "treefix"
    done_in_tree = treefix.read_text(encoding="utf-8").split("\n") if treefix.exists() else []
    files = parse_files((meta / "files").read_text(encoding="utf-8"))
    shlibs = parse_shlibs((meta / "shlibs").read_text(encoding="utf-8"))
    perl_path, py_path = meta / "perldeps", meta / "pydeps"
    perldeps = perl_path.read_text(encoding="utf-8") if perl_path.exists() else ""
    pydeps = py_path.read_text(encoding="utf-8") if py_path.exists() else ""
    control, changes = fix_control(
        (debian / "control").read_text(encoding="utf-8"), files, shlibs, ctx, perldeps, pydeps
    )
    (debian / "control").write_text(control, encoding="utf-8")
    changes = [line for line in done_in_tree if line] + changes

    conf_path = debian / "conffiles"
    old_conf = conf_path.read_text(encoding="utf-8") if conf_path.exists() else ""
    new_conf = conffiles(old_conf, files)
    if new_conf != old_conf:
        conf_path.write_text(new_conf, encoding="utf-8")
        changes.append("conffiles: " + " ".join(new_conf.split()))

    changes += fix_scripts(meta)
    scripts = {p.name: p.read_text(encoding="utf-8") for p in debian.iterdir() if p.is_file()}
    modules = php_modules(files)
    for name, snippet in php_snippets(modules).items():
        # the normalizer may have written some of these already: each script only once
        if _SCRIPT_DONE[name] in scripts.get(name, ""):
            continue
        path = debian / name
        path.write_text(add_to_script(scripts.get(name, ""), snippet), encoding="utf-8")
        path.chmod(0o755)
        changes.append(f"{name}: PHP module {', '.join(m.name for m in modules)}")
    fields = Deb822(control)
    sonames_path = meta / "sonames"
    sonames = sonames_path.read_text(encoding="utf-8").split() if sonames_path.exists() else []
    shlibs_text = shlibs_lines(sonames, fields["Package"], fields["Version"])
    if shlibs_text and not (debian / "shlibs").exists():
        (debian / "shlibs").write_text(shlibs_text, encoding="utf-8")
        triggers = debian / "triggers"
        old = triggers.read_text(encoding="utf-8") if triggers.exists() else ""
        if "ldconfig" not in old:
            triggers.write_text(old + "activate-noawait ldconfig\n", encoding="utf-8")
        changes.append("shlibs: " + "; ".join(shlibs_text.splitlines()))
    changes += fix_docs(meta, fields["Package"], fields["Version"], fields["Maintainer"], ctx)
    return changes


def fix_scripts(meta: Path) -> list[str]:
    """DEBIAN/triggers from postinst's trigger lines; %attr modes into meta/modes (the tree)."""
    postinst = meta / "DEBIAN" / "postinst"
    if not postinst.is_file():
        return []
    text = postinst.read_text(encoding="utf-8")
    changes = []
    new, modes, notes = debscripts.split_attrs(text)
    changes += notes
    if modes:
        lines = "".join(f"{mode} {path.lstrip('/')}\n" for mode, path in modes)
        (meta / "modes").write_text(lines, encoding="utf-8")
    if new != text:
        if debscripts.is_empty_script(new):
            postinst.unlink()
            changes.append("postinst: removed, nothing left in it")
        else:
            postinst.write_text(new, encoding="utf-8")
    directives = debscripts.trigger_directives(text)
    if directives:
        triggers = meta / "DEBIAN" / "triggers"
        old = triggers.read_text(encoding="utf-8") if triggers.exists() else ""
        triggers.write_text(debscripts.merge_triggers(old, directives), encoding="utf-8")
        changes.append("triggers: " + "; ".join(directives))
    return changes


def fix_docs(meta: Path, package: str, version: str, maintainer: str, ctx: FixContext) -> list[str]:
    """copyright and changelog.Debian.gz into meta/add, what they replace into meta/remove."""
    doc = f"usr/share/doc/{package}"
    shipped = meta / "docs"
    add, remove, changes = meta / "add", [], []

    def put(rel: str, data: bytes) -> None:
        path = add / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    if not (shipped / doc / "copyright").is_file():
        packed = shipped / doc / "copyright.gz"
        if packed.is_file():  # debbuild's %copyrightdata: policy wants it uncompressed
            put(f"{doc}/copyright", gzip.decompress(packed.read_bytes()))
            remove.append(f"{doc}/copyright.gz")
            changes.append(f"{doc}/copyright: from %copyrightdata")
        else:
            texts = license_texts(shipped, package)
            text = debdocs.copyright_file(ctx.upstream or package, ctx.url, ctx.license, texts, doc)
            put(f"{doc}/copyright", text.encode("utf-8"))
            changes.append(f"{doc}/copyright: DEP-5, License: {ctx.license or 'unknown'}")
    if not (shipped / doc / "changelog.Debian.gz").is_file():
        old = shipped / doc / "changelog.gz"
        rpm_text = (
            gzip.decompress(old.read_bytes()).decode("utf-8", "replace") if old.is_file() else ""
        )
        text = debdocs.debian_changelog(
            package, version, ctx.codename, maintainer, ctx.note, rpm_text, ctx.built
        )
        # -9n as dh_compress does: no name or time stamp, the same bytes for the same text
        put(f"{doc}/changelog.Debian.gz", gzip.compress(text.encode("utf-8"), 9, mtime=0))
        if old.is_file():
            remove.append(f"{doc}/changelog.gz")
        changes.append(f"{doc}/changelog.Debian.gz: Debian format, from %changelog")
    (meta / "remove").write_text("".join(f"{r}\n" for r in remove), encoding="utf-8")
    return changes


def license_texts(shipped: Path, package: str) -> list[debdocs.LicenseText]:
    """The license files the package ships (as debfix.sh unpack copied them), its own first."""
    found = [
        p for p in sorted(shipped.rglob("*"))
        if p.is_file() and debdocs.LICENSE_FILE.match(p.name) and p.name != "copyright.gz"
    ]  # fmt: skip
    found.sort(key=lambda p: f"/{package}/" not in f"/{p.relative_to(shipped)}")
    return [
        debdocs.LicenseText(str(p.relative_to(shipped)), p.read_text("utf-8", "replace"))
        for p in found
    ]
