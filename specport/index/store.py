"""The on-disk index cache of each target, and the one way to load it.

    <cache>/index/by-hash/<sha256>          raw Packages/Sources/Contents, as the mirror sent them
    <cache>/index/<target>/InRelease.<suite> the verified InRelease of each suite
    <cache>/index/<target>/index.json       the derived Index (model.py), a few MB
    <cache>/index/<target>/manifest.json    which raw files (by SHA256) made it, and its SHA256

Loading checks everything again before using it: gpgv on each InRelease, each raw file's SHA256
listed in that signed text, and the derived file's SHA256 against the manifest. A changed file is
refused with one message; nothing is silently rebuilt from it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport import fetch, log
from specport.config import Settings, cache_root
from specport.errors import PackageIndexError, SourceError
from specport.index import debian
from specport.index.model import FORMAT, Index
from specport.index.parse import Builder
from specport.targets.model import Target

MANIFEST = "manifest.json"
DERIVED = "index.json"
_LOADED: dict[tuple[str, int], Index] = {}


class StaleIndexError(PackageIndexError):
    """The cache is sound but in an older layout: rebuild it (rederive) rather than refuse."""


def target_dir(target: Target, settings: Settings) -> Path:
    return cache_root(settings) / "index" / target.name


@dataclass(frozen=True)
class CacheInfo:
    target: str
    made: float | None  # epoch seconds of the last update; None: never
    size: int  # bytes: raw files and derived index
    packages: int


# --- update ------------------------------------------------------------------------------------


def update(
    target: Target,
    settings: Settings,
    *,
    suites: list[debian.Suite] | None = None,
    keyring: Path | None = None,
    comps: tuple[str, ...] | None = None,
) -> Index:
    """Fetch, verify and derive the target's index; suites/keyring/comps default to the
    bootstrap's (tests pass a local signed archive)."""
    comps = comps or debian.components(target)
    keyring = keyring or debian.archive_keyring(target, settings, fetch=True)
    suites = suites or debian.index_suites(target, settings)
    where = target_dir(target, settings)
    where.mkdir(parents=True, exist_ok=True)
    builder = Builder()
    records = []
    for suite in suites:
        log.step(f"{target.name}: {suite.suite} from {suite.uri}")
        inrelease = where / f"InRelease.{suite.suite}"
        url = f"{suite.uri}/dists/{suite.suite}/InRelease"
        with tempfile.TemporaryDirectory(prefix="specport-index-") as tmp:
            fresh = fetch.download(url, Path(tmp) / "InRelease")
            text = debian.verify_inrelease(fresh, keyring)
            shutil.copyfile(fresh, inrelease.with_suffix(".tmp"))
            os.replace(inrelease.with_suffix(".tmp"), inrelease)
        fields, hashes = debian.release_fields(text)
        debian.check_dates(fields, url, target.name)
        by_hash = fields.get("Acquire-By-Hash", "").lower() == "yes"
        files, skipped = [], []
        for file in debian.pick_files(hashes, comps, target.deb_arch):
            if file.kind == "Contents" and file.size > debian.CONTENTS_LIMIT:
                log.info(f"{suite.suite}: {file.path} skipped ({file.size / 1e6:.0f} MB)")
                skipped.append(file.path)
                continue
            try:
                raw = debian.fetch_file(suite, file, by_hash, settings)
            except SourceError as exc:
                if file.kind != "Contents":
                    raise
                # Ubuntu regenerates its suite-level Contents apart from the signed Release:
                # an active pocket's can disagree with its InRelease for hours. Unverified data
                # is never used; paths resolve with the other suites' Contents meanwhile.
                log.warn(f"{exc}; {suite.suite}: {file.path} left out of the index")
                skipped.append(file.path)
                continue
            _add(builder, raw, file, comps)
            files.append(
                {
                    "path": file.path,
                    "sha256": file.sha256,
                    "kind": file.kind,
                    "size": file.size,
                    "component": file.component,
                    "mtime_ns": raw.stat().st_mtime_ns,  # a cheap tamper check on load
                }
            )
        records.append(
            {
                "suite": suite.suite,
                "uri": suite.uri,
                "pocket": suite.pocket,
                "inrelease": inrelease.name,
                "files": files,
                "skipped": skipped,
            }
        )
    index = builder.build(target.name)
    save(where, index, records, comps)
    log.info(
        f"{target.name}: {len(index.packages)} packages, {len(index.provides)} virtual names,"
        f" {len(index.files)} programs"
    )
    removed(collect_garbage(settings))
    return index


def removed(counts: tuple[int, int]) -> None:
    files, size = counts
    if files:
        log.info(f"index cache: removed {files} file(s) no index names ({size / 1e6:.0f} MB)")


def rederive(target: Target, settings: Settings, *, keyring: Path | None = None) -> Index:
    """The derived index made again from the cached raw files (no network), e.g. after a
    specport upgrade changed its layout; every file is verified as in `update`."""
    where = target_dir(target, settings)
    try:
        manifest = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
        comps = tuple(manifest["components"])
        records = manifest["suites"]
        keyring = keyring or debian.archive_keyring(target, settings, fetch=False)
        builder = Builder()
        for suite in records:
            text = debian.verify_inrelease(where / suite["inrelease"], keyring)
            _, hashes = debian.release_fields(text)
            for f in suite["files"]:
                file = debian.IndexFile(
                    f["kind"], f["path"], f["sha256"], f["size"], f["component"]
                )
                if hashes.get(file.path, ("",))[0] != file.sha256:
                    raise PackageIndexError(f"{suite['suite']}/{file.path}: not in its InRelease")
                raw = debian.raw_dir(settings) / file.sha256
                debian.check_file(raw, file.sha256, f"{suite['suite']}/{file.path}")
                f["mtime_ns"] = raw.stat().st_mtime_ns
                _add(builder, raw, file, comps)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PackageIndexError(
            f"{target.name}: the cached index cannot be rebuilt ({exc})",
            f"run `specport index update --target {target.name}`",
        ) from None
    index = builder.build(target.name)
    save(where, index, records, comps)
    return index


def _add(builder: Builder, raw: Path, file: debian.IndexFile, comps: tuple[str, ...]) -> None:
    if file.kind == "Packages":
        builder.add_packages(debian.read_text(raw, file.path))
    elif file.kind == "Sources":
        builder.add_sources(debian.read_text(raw, file.path))
    else:
        own = file.component or "main"
        builder.add_contents(debian.read_lines(raw, file.path), comps, own)


def save(where: Path, index: Index, suites: list[dict[str, Any]], comps: tuple[str, ...]) -> None:
    data = json.dumps(index.as_json(), separators=(",", ":")).encode()
    _write(where / DERIVED, data)
    manifest = {
        "format": FORMAT,
        "target": index.target,
        "made": time.time(),
        "components": list(comps),
        "suites": suites,
        "derived_sha256": debian.sha256_bytes(data),
    }
    _write(where / MANIFEST, json.dumps(manifest, indent=1).encode())


# a raw file younger than this is kept even when no manifest names it: another specport may be
# fetching it for a manifest it has not written yet
GARBAGE_GRACE = 3600.0


def collect_garbage(settings: Settings, now: float | None = None) -> tuple[int, int]:
    """Remove the raw index files (and their libsolv form) that no target's manifest names:
    every update leaves the previous Packages/Contents/primary files behind, tens of MB per
    suite. Returns (files, bytes) removed. An unreadable manifest removes nothing."""
    now = time.time() if now is None else now
    named: set[str] = set()
    for path in (cache_root(settings) / "index").glob(f"*/{MANIFEST}"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            named.update(str(f["sha256"]) for s in doc["suites"] for f in s["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0
    files = size = 0
    for directory in (debian.raw_dir(settings), debian.solv_dir(settings)):
        for path in directory.iterdir() if directory.is_dir() else []:
            stat = path.lstat()
            if path.name.split(".")[0] in named or now - stat.st_mtime < GARBAGE_GRACE:
                continue  # the by-hash name, or <sha256>.solv; temporaries (".x") age out
            path.unlink(missing_ok=True)
            files, size = files + 1, size + stat.st_size
    return files, size


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- load --------------------------------------------------------------------------------------


def cached(target: Target, settings: Settings) -> bool:
    return (target_dir(target, settings) / MANIFEST).is_file()


def load(target: Target, settings: Settings, *, keyring: Path | None = None) -> Index:
    """The verified cached index; PackageIndexError when missing or changed."""
    where = target_dir(target, settings)
    manifest_path = where / MANIFEST
    if not manifest_path.is_file():
        raise PackageIndexError(
            f"no package index of {target.name} is cached in {where}",
            f"run `specport index update --target {target.name}`",
        )
    key = (str(manifest_path), manifest_path.stat().st_mtime_ns)
    if key in _LOADED:
        return _LOADED[key]
    manifest = read_manifest(manifest_path, target)
    keyring = keyring or debian.archive_keyring(target, settings, fetch=False)
    for suite in manifest["suites"]:
        text = debian.verify_inrelease(where / suite["inrelease"], keyring)
        fields, hashes = debian.release_fields(text)
        debian.check_dates(fields, f"{target.name}: {suite['suite']}", target.name)
        for f in suite["files"]:
            if hashes.get(f["path"], ("",))[0] != f["sha256"]:
                raise PackageIndexError(
                    f"{manifest_path}: {suite['suite']}/{f['path']} is not the file the signed"
                    " InRelease lists: the cache was changed",
                    f"run `specport index update --target {target.name}`",
                )
            check_raw(debian.raw_dir(settings) / f["sha256"], f, target)
    index = load_derived(where, manifest, target)
    _LOADED[key] = index
    return index


def load_derived(where: Path, manifest: dict[str, Any], target: Target) -> Index:
    """The derived index, checked against the manifest's SHA256 (the raw files were)."""
    derived = where / DERIVED
    data = derived.read_bytes() if derived.is_file() else b""
    if debian.sha256_bytes(data) != manifest.get("derived_sha256"):
        raise PackageIndexError(
            f"{derived} does not match the SHA256 in {MANIFEST}: the cache was changed",
            f"run `specport index update --target {target.name}`",
        )
    doc = json.loads(data)
    if doc.get("format") != FORMAT or doc.get("target") != target.name:
        raise PackageIndexError(
            f"{derived} was made by another specport version or for another target",
            f"run `specport index update --target {target.name}`",
        )
    return Index.from_json(doc)


def check_raw(raw: Path, record: dict[str, Any], target: Target) -> None:
    """Size and mtime of a raw file as the update left it: hashing every raw file on each load
    would cost more than the load itself (`update` and `rederive` hash them)."""
    try:
        st = raw.stat()
    except OSError:
        st = None
    if st is None or st.st_size != record.get("size") or st.st_mtime_ns != record.get("mtime_ns"):
        raise PackageIndexError(
            f"cached index file {raw} ({record['path']}) was changed or removed since"
            " `specport index update` verified it",
            f"run `specport index update --target {target.name}`",
        )


def read_manifest(path: Path, target: Target) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest["target"] != target.name or not isinstance(manifest["suites"], list):
            raise ValueError("not this target's manifest")
        if manifest.get("format") != FORMAT:
            raise StaleIndexError(
                f"{path}: the cached index was made by another specport version",
                f"run `specport index update --target {target.name}`",
            )
    except StaleIndexError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PackageIndexError(
            f"{path}: unreadable index manifest ({exc})",
            f"run `specport index update --target {target.name}`",
        ) from None
    return dict(manifest)


def package_lists(target: Target, settings: Settings) -> list[tuple[Path, str]]:
    """(raw file, its name in the archive) of each cached Packages file, for a solver.

    Only after `load` verified the cache: the files are the ones the signed InRelease lists."""
    manifest = read_manifest(target_dir(target, settings) / MANIFEST, target)
    return [
        (debian.raw_dir(settings) / f["sha256"], f["path"])
        for suite in manifest["suites"]
        for f in suite["files"]
        if f["kind"] == "Packages"
    ]


def info(target: Target, settings: Settings) -> CacheInfo:
    where = target_dir(target, settings)
    manifest_path = where / MANIFEST
    if not manifest_path.is_file():
        return CacheInfo(target.name, None, 0, 0)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return CacheInfo(target.name, None, 0, 0)
    size = sum(p.stat().st_size for p in where.iterdir() if p.is_file())
    raw = debian.raw_dir(settings)
    for suite in manifest.get("suites", []):
        for f in suite.get("files", []):
            p = raw / f["sha256"]
            size += p.stat().st_size if p.is_file() else 0
    try:
        count = len(json.loads((where / DERIVED).read_bytes()).get("packages", {}))
    except (OSError, ValueError):
        count = 0
    return CacheInfo(target.name, float(manifest.get("made", 0)), size, count)


__all__ = [
    "CacheInfo", "cached", "info", "load", "package_lists", "rederive", "update",
]  # fmt: skip
