"""`specport rebase`: move a spec to a new upstream version, as text.

Version set, Release reset, a %changelog entry as rpmdev-bumpspec writes it, the `sources` file
and the new tarball in place; each patch tried on the new tree (patches.py): one that applies
stays, one that applies in reverse (upstream merged it) is dropped, one that does neither stops
the rebase before anything is written."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from specport import fetch, safeio
from specport.building.sources import SourceSearch, read_sources_file, resolve_sources
from specport.errors import SourceError, SpecError, UsageError
from specport.forks import specedit
from specport.forks.patches import PatchCheck, check_patches, unpack
from specport.normalize import changelogfile, edit
from specport.normalize.history import TrackedFiles
from specport.safeio import regular_file
from specport.sandbox.specinfo import SourceRef


@dataclass(frozen=True)
class RebaseRequest:
    spec: Path
    version: str
    source: str = (
        ""  # the new upstream tarball: file or URL ("" = Source0's name, next to the spec)
    )
    packager: str = ""
    search: SourceSearch = field(default_factory=SourceSearch)
    date: str = ""  # %changelog date ("" = today)
    replace: tuple[
        tuple[str, Path], ...
    ] = ()  # (patch name, its version refreshed for the new tree)
    drop: tuple[str, ...] = ()  # patches to drop whether they apply or not (the fork's decision)


@dataclass
class RebasePlan:
    request: RebaseRequest
    old_version: str
    new_text: str
    tarball: Path  # the new upstream tarball (wherever it was found)
    tarball_name: str  # its name in the spec's directory (Source0's file name)
    checks: list[PatchCheck]
    # %autochangelog outside git: the entry goes first into the `changelog` file beside the spec
    changelog_entry: str = ""

    @property
    def conflicts(self) -> list[PatchCheck]:
        return [c for c in self.checks if c.state == "conflict"]

    @property
    def dropped(self) -> list[PatchCheck]:
        return [c for c in self.checks if c.state in ("merged", "dropped")]


def plan_rebase(request: RebaseRequest, work: Path) -> RebasePlan:
    """Everything the rebase would write, computed in `work`; nothing in the spec's directory
    changes here."""
    spec = request.spec
    try:
        text = spec.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the spec: {exc}", path=str(spec)) from None
    old_version = specedit.tag_value(text, "Version")
    if old_version == request.version:
        raise UsageError(f"{spec.name} is already at version {request.version}")
    new_text = edit.reset_release(edit.set_version(text, request.version))
    all_refs = specedit.patches(text)
    replace = dict(request.replace)
    known = {r.name for r in all_refs}
    for patch_name in [*replace, *request.drop]:
        if patch_name not in known:
            raise UsageError(
                f"{patch_name} is not a patch of {spec.name} ({', '.join(sorted(known))})"
            )
    source0 = specedit.source0(new_text)
    name = SourceRef("Source0", source0).filename
    tarball = _new_tarball(request, source0, name, work)
    tree = unpack(tarball, work / "tree")
    refs = []
    for ref in all_refs:
        if ref.name in request.drop:  # dropped: its file need not exist
            continue
        path = replace.get(ref.name) or regular_file(spec.parent / ref.name, spec.parent)
        if path is None or not path.is_file():
            where = path or spec.parent / ref.name
            raise SourceError(f"{spec.name}: Patch{ref.number} {ref.name}: no such file {where}")
        refs.append((ref, path))
    applied = {c.patch.name: c for c in check_patches(tree, refs)}
    checks = [applied.get(r.name) or PatchCheck(r, "dropped") for r in all_refs]
    # Version and Release were edited in place: the patches' line numbers still hold
    new_text = specedit.drop_patches(
        new_text, [c.patch for c in checks if c.state in ("merged", "dropped")]
    )
    release = _changelog_release(new_text)
    entries = [f"Update to {request.version}"]
    entries += [f"Drop {c.patch.name} (merged upstream)" for c in checks if c.state == "merged"]
    entries += [f"Drop {c.patch.name}" for c in checks if c.state == "dropped"]
    entries += [f"Refresh {patch} for {request.version}" for patch in replace]
    date = request.date or time.strftime("%a %b %d %Y", time.gmtime())
    header = f"{date} {request.packager} - {request.version}-{release}"
    new_text = edit.add_changelog(new_text, header, entries)
    entry = ""
    if edit.uses_autochangelog(text) and TrackedFiles().full_name(spec) is None:
        # no commit will say what changed: the entry is written where %autochangelog reads it
        entry = f"* {header}\n" + "".join(f"- {e}\n" for e in entries)
    return RebasePlan(request, old_version, new_text, tarball, name, checks, entry)


def _changelog_release(text: str) -> str:
    """The release for the %changelog header: the number, without %{?dist}; %autorelease
    starts again at 1 with a new version."""
    raw = specedit.macros_of(text).get("release", "")
    if "autorelease" in raw:
        return "1"
    try:
        return specedit.tag_value(text, "Release")
    except SpecError:
        return raw.split("%", 1)[0] or "1"


def _new_tarball(request: RebaseRequest, source0: str, name: str, work: Path) -> Path:
    spec_dir = request.spec.parent
    if request.source:
        if "://" in request.source:
            cache = request.search.cache_dir or work
            return fetch.cached_download(request.source, cache, name)
        path = Path(request.source)
        if not path.is_file():
            raise UsageError(f"--source {request.source}: no such file")
        return path
    found = resolve_sources(
        request.spec,
        spec_dir.name,
        [SourceRef("Source0", source0)],
        SourceSearch(request.search.dirs, "", cache_dir=request.search.cache_dir),
    )
    if name in found.found:
        return found.found[name]
    url = SourceRef("Source0", source0).url
    raise UsageError(
        f"no new upstream tarball {name} next to the spec",
        hint=f"give it with --source FILE-OR-URL{f' (Source0 says {url})' if url else ''}",
    )


def write_rebase(plan: RebasePlan) -> None:
    """Put the plan in place: spec, tarball, `sources`, dropped patch files removed."""
    spec = plan.request.spec
    spec_dir = spec.parent
    dest = spec_dir / plan.tarball_name
    if plan.tarball.resolve() != dest.resolve():
        safeio.replace_file(dest, plan.tarball)
    sources = spec_dir / "sources"
    if regular_file(sources, spec_dir) is not None:
        _update_sources(sources, spec.read_text(encoding="utf-8"), plan.tarball_name, dest)
    if plan.changelog_entry:
        changelogfile.add_entry(spec_dir, plan.changelog_entry)
    safeio.replace_text(spec, plan.new_text)
    for check in plan.dropped:
        (spec_dir / check.patch.name).unlink(missing_ok=True)
    for name, path in plan.request.replace:
        safeio.replace_file(spec_dir / name, path)


def _update_sources(sources: Path, old_text: str, new_name: str, tarball: Path) -> None:
    """The old Source0's line becomes the new tarball's (SHA512, as fedpkg new-sources writes);
    the other lines stay as they are."""
    old_name = SourceRef("Source0", specedit.source0(old_text)).filename
    digest = hashlib.sha512(tarball.read_bytes()).hexdigest()
    new_line = f"SHA512 ({new_name}) = {digest}"
    listed = read_sources_file(sources)
    lines = sources.read_text(encoding="utf-8").splitlines()
    if old_name in listed:
        lines = [new_line if f"({old_name})" in ln or ln.endswith(f"  {old_name}") else ln
                 for ln in lines]  # fmt: skip
    elif new_name not in listed:
        lines.append(new_line)
    safeio.replace_text(sources, "\n".join(lines) + "\n")


def snapshot_old(spec: Path, dest: Path) -> Path:
    """A copy of the spec's directory before the rebase (for --check's old build)."""
    shutil.copytree(
        spec.parent, dest, ignore=shutil.ignore_patterns(".git", ".specport-fork"), symlinks=True
    )
    return dest / spec.name


def render_plan(plan: RebasePlan) -> str:
    out = [f"{plan.request.spec.name}: {plan.old_version} -> {plan.request.version}"]
    for c in plan.checks:
        what = {
            "applies": "applies",
            "merged": "merged upstream (applies in reverse): dropped",
            "conflict": "DOES NOT APPLY",
            "dropped": "dropped (--drop)",
        }[c.state]
        if c.patch.name in dict(plan.request.replace) and c.state == "applies":
            what = "applies (refreshed)"
        out.append(f"  Patch{c.patch.number} {c.patch.name}: {what}")
        for f in c.failures:
            where = f"hunk #{f.hunk} at line {f.line}" if f.hunk else "file not found"
            out.append(f"      {f.file}: {where}")
    if plan.changelog_entry:
        out.append(f"  %autochangelog: a new first entry in {changelogfile.NAME} (no git history)")
    return "\n".join(out)


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="specport-rebase-"))
