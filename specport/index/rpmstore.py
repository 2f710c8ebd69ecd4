"""The package index of an rpm target, from the rpm-md repositories of target.rpm_repos.

The cache is laid out as the deb one (store.py): the raw metadata files by hash, each
repository's repomd.xml (and repomd.xml.asc) in the target's directory, a manifest and the
derived Index. Every load checks repomd.xml's signature again (when a key is configured), that
each cached file is the one repomd.xml lists, and the derived index against the manifest.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from specport import fetch, log
from specport.config import Settings
from specport.errors import PackageIndexError
from specport.index import rpmmd_read as rpmmd
from specport.index import store
from specport.index.debian import raw_dir
from specport.index.model import Index
from specport.targets.model import Target

_LOADED: dict[tuple[str, int], Index] = {}


def keyring(target: Target) -> Path | None:
    if not target.rpm_repo_key:
        return None
    path = Path(target.rpm_repo_key).expanduser()
    if not path.is_file():
        raise PackageIndexError(f"{target.name}: rpm_repo_key {path} is not a file")
    return path


def update(target: Target, settings: Settings) -> Index:
    """Fetch and verify each repository's metadata and derive the target's index."""
    if not target.rpm_repos:
        raise PackageIndexError(
            f"{target.name}: no rpm-md repository is configured",
            "set rpm_repos (and rpm_repo_key) for the target in specport.toml",
        )
    key = keyring(target)
    where = store.target_dir(target, settings)
    where.mkdir(parents=True, exist_ok=True)
    builder = _Builder()
    records = []
    for number, base in enumerate(target.rpm_repos):
        base = base.rstrip("/")
        log.step(f"{target.name}: {base}")
        repomd = where / f"repomd.{number}.xml"
        signature = where / f"repomd.{number}.xml.asc"
        with tempfile.TemporaryDirectory(prefix="specport-rpmmd-") as tmp:
            fresh = fetch.download(f"{base}/repodata/repomd.xml", Path(tmp) / "repomd.xml")
            if key is not None:
                asc = fetch.download(f"{base}/repodata/repomd.xml.asc", Path(tmp) / "asc")
                rpmmd.verify_signature(fresh, asc, key, base)
                shutil.copyfile(asc, signature)
            shutil.copyfile(fresh, repomd)
        files = []
        for file in rpmmd.repomd_files(repomd.read_bytes(), base):
            raw = rpmmd.fetch_file(base, file, settings)
            builder.add(raw, file)
            files.append(
                {"kind": file.kind, "path": file.href, "sha256": file.sha256,
                 "size": raw.stat().st_size, "mtime_ns": raw.stat().st_mtime_ns}
            )  # fmt: skip
        records.append(
            {"uri": base, "repomd": repomd.name,
             "signature": signature.name if key is not None else None, "files": files}
        )  # fmt: skip
    index = builder.build(target.name)
    store.save(where, index, records, ())
    log.info(f"{target.name}: {len(index.packages)} packages, {len(index.provides)} Provides")
    store.removed(store.collect_garbage(settings))
    return index


def load(target: Target, settings: Settings) -> Index:
    """The verified cached index; PackageIndexError when missing or changed."""
    where = store.target_dir(target, settings)
    manifest_path = where / store.MANIFEST
    hint = f"run `specport index update --target {target.name}`"
    if not manifest_path.is_file():
        raise PackageIndexError(f"no package index of {target.name} is cached in {where}", hint)
    cache_key = (str(manifest_path), manifest_path.stat().st_mtime_ns)
    if cache_key in _LOADED:
        return _LOADED[cache_key]
    manifest = store.read_manifest(manifest_path, target)
    key = keyring(target)
    for repo in manifest["suites"]:
        repomd = where / repo["repomd"]
        if key is not None:
            if not repo.get("signature"):
                raise PackageIndexError(
                    f"{repo['uri']}: cached without a signature, but rpm_repo_key is set", hint
                )
            rpmmd.verify_signature(repomd, where / repo["signature"], key, repo["uri"])
        try:
            listed = {f.sha256 for f in rpmmd.repomd_files(repomd.read_bytes(), repo["uri"])}
        except OSError as exc:
            raise PackageIndexError(f"{repomd}: {exc.strerror}", hint) from None
        for f in repo["files"]:
            if f["sha256"] not in listed:
                raise PackageIndexError(
                    f"{manifest_path}: {f['path']} is not a file {repomd.name} lists:"
                    " the cache was changed",
                    hint,
                )
            store.check_raw(raw_dir(settings) / f["sha256"], f, target)
    index = store.load_derived(where, manifest, target)
    _LOADED[cache_key] = index
    return index


def metadata_files(
    target: Target, settings: Settings, named: Path
) -> list[tuple[str, Path, Path | None]]:
    """(repository, primary, filelists or None) of the cached metadata, for the solver.

    Only after `load` verified the cache. libsolv tells compression by a file's name, so each is
    linked under its repomd.xml name in `named` (a directory the caller removes)."""
    where = store.target_dir(target, settings)
    manifest = store.read_manifest(where / store.MANIFEST, target)
    out = []
    for repo in manifest["suites"]:
        found: dict[str, Path] = {}
        for f in repo["files"]:
            if f["kind"] in ("primary", "filelists"):
                link = named / f"{f['sha256']}-{Path(f['path']).name}"
                link.symlink_to(raw_dir(settings) / f["sha256"])
                found[f["kind"]] = link
        out.append((repo["uri"], found["primary"], found.get("filelists")))
    return out


def module_artifacts(target: Target, settings: Settings) -> list[tuple[str, str]]:
    """(NEVRA, "module:stream") of every modules.yaml the cached metadata has, for the solver.
    Only after `load` verified the cache."""
    where = store.target_dir(target, settings)
    manifest = store.read_manifest(where / store.MANIFEST, target)
    out: list[tuple[str, str]] = []
    for repo in manifest["suites"]:
        for f in repo["files"]:
            if f["kind"] == "modules":
                with rpmmd.open_metadata(raw_dir(settings) / f["sha256"], f["path"]) as data:
                    out += rpmmd.module_artifacts(data.read().decode("utf-8", errors="replace"))
    return out


class _Builder:
    def __init__(self) -> None:
        self.packages: dict[str, str] = {}
        self.provides: dict[str, set[str]] = defaultdict(set)
        self.source_of: dict[str, str] = {}
        self.binaries: dict[str, set[str]] = defaultdict(set)
        self.files: dict[str, set[str]] = defaultdict(set)
        self.modules: dict[str, set[str]] = defaultdict(set)

    def add(self, raw: Path, file: rpmmd.RepoFile) -> None:
        if file.kind == "modules":
            with rpmmd.open_metadata(raw, file.href) as f:
                text = f.read().decode("utf-8", errors="replace")
            for package, stream in rpmmd.module_packages(text):
                self.modules[package].add(stream)
            return
        with rpmmd.open_metadata(raw, file.href) as f:
            if file.kind == "primary":
                for pkg, paths in rpmmd.primary_packages(f):
                    self.packages[pkg.name] = pkg.evr  # shown in messages; the solver has all
                    for cap in pkg.provides:
                        if cap != pkg.name:
                            self.provides[cap].add(pkg.name)
                    if pkg.source and pkg.source != pkg.name:
                        self.source_of[pkg.name] = pkg.source
                    self.binaries[pkg.source or pkg.name].add(pkg.name)
                    for path in paths:
                        self.files[path].add(pkg.name)
            else:
                for name, path in rpmmd.filelists_files(f):
                    self.files[path].add(name)

    def build(self, target: str) -> Index:
        def joined(table: dict[str, set[str]]) -> dict[str, str]:
            return {k: ",".join(sorted(v)) for k, v in sorted(table.items())}

        empty: dict[str, str] = {}
        return Index(
            target=target,
            packages=dict(sorted(self.packages.items())),
            provides=joined(self.provides),
            source_of=self.source_of,
            binaries=joined(self.binaries),
            files=joined(self.files),
            pkgconfig=empty, perl=empty, python=empty, pear=empty, channels=empty,
            modules=joined(self.modules),
        )  # fmt: skip
