"""rpm-md repositories: DIR/rpm/<target>/<arch>/ with Packages/ and a signed repodata/.

Packages are signed with rpmsign and copied into Packages/ before any metadata names them.
createrepo_c writes the new repodata/ aside (reusing the old metadata with --update), the
repomd.xml gets a detached armored signature (repomd.xml.asc) and the public key beside it
(repomd.xml.key), and then the repodata link is swapped (see atomic.py).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from specport import log
from specport.errors import PublishError
from specport.gpg import SigningKey, export_public, sign_detached
from specport.repo import atomic, modulemd
from specport.repo.model import TargetReport
from specport.repo.packages import Package, newest, read_rpm
from specport.run import run
from specport.targets import Target

CREATEREPO_TIMEOUT = 600.0
RPMSIGN_TIMEOUT = 300.0
MANIFEST = "manifest.json"  # beside repodata/ in a generation: what it was made from


def repo_path(root: Path, target: Target) -> Path:
    return root / "rpm" / target.name / target.arch


def publish_rpm(
    root: Path,
    target: Target,
    incoming: list[Package],
    key: SigningKey,
    *,
    keep: int,
    module: str | None,
) -> TargetReport:
    repo = repo_path(root, target)
    pool = repo / "Packages"
    atomic.make_dirs(pool)
    report = TargetReport(target=target.name, path=repo)
    link = repo / "repodata"
    current = atomic.current_target(link)
    # what the published metadata lists; files a killed publisher left in the pool do not count
    present = {name: read_rpm(pool / name) for name in _published_files(current)}
    for pkg in incoming:
        old = present.get(pkg.filename)
        if old is None:
            present[pkg.filename] = _add_signed(pkg, pool, key)
            report.added.append(pkg.filename)
        elif old.identity == pkg.identity:
            report.unchanged.append(pkg.filename)
        else:
            raise PublishError(
                f"{target.name}: {pkg.filename} is already published with other contents",
                hint="bump the Release to publish a rebuild",
            )
    kept, dropped = newest(list(present.values()), keep)
    public_key = export_public(key)
    manifest = {
        "packages": [f"{p.filename} {p.identity}" for p in kept],
        "module": module or "",
        "key": key.fingerprint,
    }
    if current is not None and _read_manifest(current.parent) == manifest:
        log.debug(f"{target.name}: repository already up to date")
        return report
    generation = atomic.new_generation(repo, "repodata")
    try:
        _write_metadata(repo, generation, kept, current, target, module, key, public_key)
        (generation / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    except BaseException:
        atomic.discard(generation)
        raise
    atomic.swap_in(link, generation, "repodata")
    report.changed = True
    report.removed = [p.filename for p in dropped]
    keep_files = {p.filename for p in kept}
    mine = atomic.owned(repo)
    gone = {rel for rel in mine if Path(rel).name not in keep_files}
    for rel in gone:  # only now, and only files publish recorded as its own
        (repo / rel).unlink(missing_ok=True)
    if gone:
        atomic.set_owned(repo, mine - gone)
    return report


def _published_files(current: Path | None) -> list[str]:
    manifest = _read_manifest(current.parent) if current is not None else None
    if not isinstance(manifest, dict):
        return []
    return [str(line).split()[0] for line in manifest.get("packages", [])]


def _add_signed(pkg: Package, pool: Path, key: SigningKey) -> Package:
    """Copy into the pool under a temporary name, sign the copy, then give it its real name."""
    repo = pool.parent
    atomic.set_owned(repo, atomic.owned(repo) | {f"{pool.name}/{pkg.filename}"})  # before the file
    temp = pool / f".{pkg.filename}.{os.getpid()}.tmp"
    shutil.copyfile(pkg.path, temp)
    try:
        sign_rpms([temp], key)
        atomic.readable(temp)
        os.replace(temp, pool / pkg.filename)
    finally:
        temp.unlink(missing_ok=True)
    return read_rpm(pool / pkg.filename)


def sign_rpms(paths: list[Path], key: SigningKey) -> None:
    """rpmsign --addsign with the key's GnuPG home.

    rpmsign feeds the package to gpg on stdin, so a passphrase goes through a file in a private
    directory that is removed right after.
    """
    argv: list[str | Path] = [
        "rpmsign", "--addsign",
        "--define", f"_gpg_name {key.fingerprint}",
        "--define", f"_gpg_path {key.home}",
        # Debian's rpm names gpg2, which Debian no longer ships; use the gpg on PATH
        "--define", f"__gpg {shutil.which('gpg') or 'gpg'}",
    ]  # fmt: skip
    env = {**os.environ, "GNUPGHOME": str(key.home)}
    if key.passphrase is None:
        run([*argv, *paths], timeout=RPMSIGN_TIMEOUT, env=env)
        return
    private = Path(tempfile.mkdtemp(prefix="specport-pass-"))
    try:
        secret = private / "passphrase"
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.passphrase + "\n")
        extra = f"--pinentry-mode loopback --passphrase-file {secret}"
        argv += ["--define", f"_gpg_sign_cmd_extra_args {extra}"]
        run([*argv, *paths], timeout=RPMSIGN_TIMEOUT, env=env)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _write_metadata(
    repo: Path,
    generation: Path,
    kept: list[Package],
    current: Path | None,
    target: Target,
    module: str | None,
    key: SigningKey,
    public_key: bytes,
) -> None:
    pkglist = generation / "pkglist"
    pkglist.write_text("".join(f"Packages/{p.filename}\n" for p in kept))
    argv: list[str | Path] = [
        "createrepo_c", "--quiet", "--outputdir", generation, "--pkglist", pkglist,
        "--excludes", f"{atomic.META_DIR}/*",
    ]  # fmt: skip
    if current is not None:
        # reuse what the last run read from unchanged packages instead of reading them again
        argv += ["--update", "--update-md-path", current.parent]
    run([*argv, repo], timeout=CREATEREPO_TIMEOUT)
    pkglist.unlink()
    repodata = generation / "repodata"
    if module:
        modules_yaml = generation / "modules.yaml"
        modules_yaml.write_text(modulemd.document(module, target, kept))
        run(
            ["modifyrepo_c", "--mdtype", "modules", modules_yaml, repodata],
            timeout=CREATEREPO_TIMEOUT,
        )
        modules_yaml.unlink()
    (repodata / "repomd.xml.key").write_bytes(public_key)
    sign_detached(key, repodata / "repomd.xml", repodata / "repomd.xml.asc")


def _read_manifest(generation: Path) -> object:
    try:
        return json.loads((generation / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
