"""Does each patch still apply to the new upstream tree? GNU patch, as %prep would run it.

A patch is data: GNU patch reads it and edits files in a throwaway copy of the new tree; no spec
is involved. --fuzz=0 as rpm's %_default_patch_fuzz: a patch that needs fuzz fails the build.
Patches apply in order, each on top of the ones before, as in %prep."""

from __future__ import annotations

import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from specport.errors import SourceError
from specport.forks.specedit import PatchRef
from specport.run import run
from specport.safetar import extract_all

PATCH_TIMEOUT = 120.0
_HUNK_FAILED = re.compile(r"^Hunk #(\d+) FAILED at (\d+)")
_PATCHING = re.compile(r"^(?:patching|checking) file (.+?)\s*$")
_NO_FILE = re.compile(r"^can't find file to patch")


@dataclass(frozen=True)
class HunkFailure:
    file: str
    hunk: int  # 0: the file to patch is missing
    line: int


@dataclass(frozen=True)
class PatchCheck:
    patch: PatchRef
    # "applies"; "merged" (applies in reverse: upstream has it); "conflict"; "dropped" (asked)
    state: str
    failures: tuple[HunkFailure, ...] = ()


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack an upstream tarball (tarfile's "data" filter: no links out, no devices, no absolute
    paths); returns its single top directory, or dest when there is none."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for member in z.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise SourceError(f"{archive.name}: unsafe path {member!r}")
                z.extractall(dest)
        else:
            with tarfile.open(archive) as tar:
                extract_all(tar, dest, label=archive.name)
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{archive.name}: cannot unpack: {exc}") from None
    tops = list(dest.iterdir())
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else dest


def _patch(tree: Path, ref: PatchRef, path: Path, *extra: str) -> tuple[bool, str]:
    done = run(
        ["patch", f"-p{ref.strip}", "--fuzz=0", "--batch", "--no-backup-if-mismatch",
         "-i", path, *extra],
        timeout=PATCH_TIMEOUT, cwd=tree, check=False,
    )  # fmt: skip
    return done.ok, done.text + done.error_text


def check_patches(tree: Path, refs: list[tuple[PatchRef, Path]]) -> list[PatchCheck]:
    out = []
    for ref, path in refs:
        ok, _ = _patch(tree, ref, path, "--forward", "--dry-run")
        if ok:
            _patch(tree, ref, path, "--forward", "--silent")  # the next patch sees this one
            out.append(PatchCheck(ref, "applies"))
            continue
        merged, _ = _patch(tree, ref, path, "--reverse", "--dry-run")
        if merged:
            out.append(PatchCheck(ref, "merged"))
            continue
        _, text = _patch(tree, ref, path, "--forward", "--dry-run")
        out.append(PatchCheck(ref, "conflict", failures(text)))
    return out


def failures(output: str) -> tuple[HunkFailure, ...]:
    """GNU patch's report, as (file, hunk, line) triples."""
    found: list[HunkFailure] = []
    current = "?"
    missing = False  # inside "can't find file to patch": the name is in the quoted header
    for line in output.splitlines():
        if m := _PATCHING.match(line):
            current = m.group(1).strip("'")
        elif m := _HUNK_FAILED.match(line):
            found.append(HunkFailure(current, int(m.group(1)), int(m.group(2))))
        elif _NO_FILE.match(line):
            missing = True
        elif missing and line.startswith("|+++ "):
            name = line[5:].split("\t")[0].strip()
            found.append(HunkFailure(name, 0, 0))
            missing = False
    return tuple(found)
