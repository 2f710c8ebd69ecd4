"""Publish records: each publish that changes what a repository offers leaves a numbered record
of the changes (old and new version per package), read from the repository's own metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_repo_support import make_deb, make_rpm, test_key

from specport.config import load_config
from specport.errors import UsageError
from specport.gpg import SigningKey, open_key
from specport.repo import PublishOptions, publish_files
from specport.repo.changes import RECORDS, latest_id, parse_id, read_record, records
from specport.repo.contents import held


@pytest.fixture(scope="module")
def targets():  # type: ignore[no-untyped-def]
    t = load_config().targets
    return {"el8": t["el8-php7.4"], "deb": t["debian-12"]}


@pytest.fixture
def key():  # type: ignore[no-untyped-def]
    with open_key(key_file=test_key().secret_path) as k:
        yield k


def test_a_release_change_is_recorded_and_a_republish_is_not(
    tmp_path: Path,
    targets,
    key: SigningKey,  # type: ignore[no-untyped-def]
) -> None:
    repo = tmp_path / "repo"
    deb = targets["deb"]
    first = [make_deb(tmp_path, "php-ext", "1.0-1+deb12"), make_deb(tmp_path, "other", "2.0-1")]
    report = publish_files(repo, first, [deb], key, PublishOptions())
    assert report.record is not None and report.record.id == 1
    added = {c.name: (c.old, c.new) for c in report.record.targets["debian-12"]}
    assert added == {"php-ext": ("", "1.0-1+deb12"), "other": ("", "2.0-1")}

    again = publish_files(repo, first, [deb], key, PublishOptions())
    assert again.record is None and latest_id(repo) == 1  # nothing changed: nothing recorded

    (tmp_path / "n").mkdir()
    newer = make_deb(tmp_path / "n", "php-ext", "1.0-2+deb12")
    report = publish_files(repo, [newer], [deb], key, PublishOptions())
    assert report.record is not None and report.record.id == 2
    (change,) = report.record.targets["debian-12"]
    assert (change.name, change.old, change.new) == ("php-ext", "1.0-1+deb12", "1.0-2+deb12")
    assert change.describe() == "php-ext 1.0-1+deb12 -> 1.0-2+deb12"
    assert [r.id for r in records(repo, 2)] == [2] and read_record(repo, 1).id == 1
    doc = json.loads((repo / RECORDS / "000002.json").read_text())
    assert doc["targets"]["debian-12"][0]["new"] == "1.0-2+deb12"
    # the signed metadata does not name the records
    assert not any(RECORDS in p.read_text() for p in (repo / "apt" / "dists").rglob("Release"))


def test_rpm_contents_with_their_source_and_module_stream(
    tmp_path: Path,
    targets,
    key: SigningKey,  # type: ignore[no-untyped-def]
) -> None:
    repo = tmp_path / "repo"
    el8 = targets["el8"]
    rpm = make_rpm(tmp_path, "hello")
    publish_files(repo, [rpm], [el8], key, PublishOptions())
    (pkg,) = held(repo, el8)
    assert (pkg.name, pkg.version, pkg.source, pkg.stream) == ("hello", "1.0-1.el8", "hello", "")
    report = publish_files(
        repo,
        [rpm],
        [el8],
        key,
        PublishOptions(modules={el8.name: "hello:1.0"}),
    )
    assert report.record is not None
    (change,) = report.record.targets[el8.name]
    assert (change.old, change.new, change.new_stream) == ("1.0-1.el8", "1.0-1.el8", "hello:1.0")
    assert "stream" in change.describe()


def test_publish_ids_and_missing_records(tmp_path: Path) -> None:
    assert parse_id("000007") == 7
    for bad in ("0", "x", "-1", ""):
        with pytest.raises(UsageError, match="publish id"):
            parse_id(bad)
    with pytest.raises(UsageError, match="has no publish 3"):
        read_record(tmp_path, 3)
    assert records(tmp_path) == [] and latest_id(tmp_path) == 0


def test_the_cli_says_which_publish_it_recorded(tmp_path: Path) -> None:
    deb = make_deb(tmp_path, "php-ext", "1.0-1+deb12")
    key_file = str(test_key().secret_path)
    argv = [sys.executable, "-m", "specport", "publish", "--repo", str(tmp_path / "repo"),
            "--target", "debian-12", "--key-file", key_file, str(deb)]  # fmt: skip
    first = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert first.returncode == 0, first.stderr
    assert "publish 1 recorded" in first.stdout
    second = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert second.returncode == 0 and "recorded" not in second.stdout
