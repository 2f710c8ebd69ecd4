"""Publishing a rebuild that is byte for byte what the repository holds is a no-op: no new
metadata generation under .meta/, nothing signed again (the signed files keep their bytes and
mtimes), the pool untouched. Reproducible builds (reproducible.py) make such rebuilds the
normal case; the copies here stand for them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_repo_support import make_deb, make_rpm, test_key, tree_snapshot

from specport.config import load_config
from specport.gpg import open_key
from specport.repo import PublishOptions, publish_files
from specport.repo.atomic import META_DIR


def _generations(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in repo.rglob(f"{META_DIR}/*") if p.is_dir()
                  and p.parent.name == META_DIR)  # fmt: skip


def _signed(repo: Path) -> dict[str, tuple[bytes, int]]:
    names = ("InRelease", "Release.gpg", "repomd.xml.asc")
    return {
        str(p.relative_to(repo)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in repo.rglob("*")
        if p.name in names and p.is_file()
    }


@pytest.mark.parametrize("kind", ["deb", "rpm"])
def test_an_identical_rebuild_publishes_nothing(tmp_path: Path, kind: str) -> None:
    targets = load_config().targets
    chosen = [targets["el8-php7.4"], targets["debian-12"]]
    first = (
        make_deb(tmp_path / "a", "hello") if kind == "deb" else make_rpm(tmp_path / "a", "hello")
    )
    # the rebuild: another build's output directory, the same bytes
    (tmp_path / "b").mkdir()
    rebuilt = Path(shutil.copy2(first, tmp_path / "b" / first.name))
    repo = tmp_path / "repo"
    with open_key(key_file=test_key().secret_path) as key:
        report = publish_files(repo, [first], chosen, key, PublishOptions())
        assert report.changed
        generations, signed, tree = _generations(repo), _signed(repo), tree_snapshot(repo)
        assert len(generations) == 1 and signed
        report = publish_files(repo, [rebuilt], chosen, key, PublishOptions())
    assert not report.changed
    assert report.targets[0].unchanged == [rebuilt.name] and not report.targets[0].added
    assert _generations(repo) == generations  # no new generation
    assert _signed(repo) == signed  # nothing signed again
    assert tree_snapshot(repo) == tree
