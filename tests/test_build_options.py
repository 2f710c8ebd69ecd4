"""--nocheck and --with/--without NAME without containers: the options each command takes, what
normalize and graph make of them, the cache key, the manifest, the summary, the CI commands.
(test_build_options_container.py builds with them.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from specport.building import results
from specport.building.plan import BuildOptions, Pair, PairResult
from specport.building.resultcache import key_inputs
from specport.building.sources import SourceSearch
from specport.cli import cli
from specport.config import load_config
from specport.normalize.model import Bconds

TARGETS = load_config(None).targets

# a bcond that pulls in a build dependency and a file; another spec of the set provides it
SPEC = """\
Name: bctest
Version: 1.0
Release: 1%{?dist}
Summary: bcond test
License: MIT
%bcond_with yaml
%bcond_without docs
%if %{with yaml}
BuildRequires: libfoo-devel
BuildRequires: libyaml-devel
%endif
%description
A spec with two bconds.
%prep
%build
%install
%files
"""
LIBFOO = """\
Name: libfoo
Version: 1.0
Release: 1%{?dist}
Summary: a library
License: MIT
%description
A library.
%package devel
Summary: its headers
%description devel
Headers.
%prep
%build
%install
%files
%files devel
"""


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "bctest.spec"
    path.write_text(SPEC)
    return path


def test_build_flags_spell_the_options_as_rpmbuild_and_debbuild_take_them(tmp_path: Path) -> None:
    options = BuildOptions(
        output=tmp_path, search=SourceSearch(), nocheck=True, bconds=Bconds(("a",), ("b",))
    )
    assert options.build_flags() == ["--nocheck", "--with", "a", "--without", "b"]
    assert BuildOptions(output=tmp_path, search=SourceSearch()).build_flags() == []


def test_normalize_reads_the_bconds_as_the_build_will(spec: Path) -> None:
    plain = specport("normalize", "--target", "debian-12", "--no-index", "--explain", str(spec))
    assert plain.returncode == 0, plain.stderr
    assert "bcond yaml: off (default; --with yaml changes it)" in plain.stdout
    assert "bcond docs: on (default; --without docs changes it)" in plain.stdout
    on = specport(
        "normalize", "--target", "debian-12", "--no-index", "--keep-unresolved",
        "--with", "yaml", "--without", "docs", str(spec),
    )  # fmt: skip
    assert on.returncode == 0, on.stderr
    # the branch is translated now, and the normalized spec says which switches it was made for
    assert "BuildRequires: libyaml-dev\n" in on.stdout
    assert "%global _with_yaml --with-yaml\n%global _without_docs --without-docs\n" in on.stdout
    off = specport("normalize", "--target", "debian-12", "--no-index", str(spec))
    assert "BuildRequires: libyaml-devel\n" in off.stdout  # never read on Debian: as written
    assert "_with_yaml" not in off.stdout


def test_unknown_bcond_is_noted_not_refused(spec: Path) -> None:
    done = specport(
        "normalize", "--target", "debian-12", "--no-index", "--explain", "--with", "nosuch",
        str(spec),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "bcond nosuch: the spec declares no such bcond" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--with", "yaml", "--without", "yaml"], "--with and --without both name yaml"),
        (["--with", "a b"], "a bcond name is letters, digits and _"),
    ],
)
@pytest.mark.parametrize("command", ["normalize", "build", "graph", "matrix"])
def test_bad_bcond_options_are_usage_errors(
    spec: Path, tmp_path: Path, command: str, args: list[str], message: str
) -> None:
    extra = ["-o", str(tmp_path / "out")] if command == "build" else []
    done = specport(command, "--target", "debian-12", *extra, *args, str(spec))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def _captured_build(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> dict[str, Any]:
    """Run `specport build|rebuild argv` up to the run itself, which is replaced by a recorder:
    the options as the command line made them."""
    import specport.building.api as build_cmd
    import specport.building.rebuild as rebuild_cmd

    seen: dict[str, Any] = {}

    def record(app: Any, pairs: Any, options: BuildOptions, **kw: Any) -> list[PairResult]:
        seen["options"] = options
        seen["pairs"] = pairs
        return []

    monkeypatch.setattr(build_cmd, "execute", record)
    monkeypatch.setattr(rebuild_cmd, "execute", record)
    done = CliRunner().invoke(cli, argv)
    assert done.exit_code == 0, done.output
    return seen


def test_build_and_rebuild_take_the_options(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = ["--nocheck", "--with", "yaml", "--without", "docs"]
    out = str(tmp_path / "out")
    built = _captured_build(
        monkeypatch, ["build", "-t", "debian-12", "--no-index", "-o", out, *flags, str(spec)]
    )
    assert built["options"].build_flags() == flags
    lib = tmp_path / "libfoo.spec"
    lib.write_text(LIBFOO)
    argv = ["rebuild", "-t", "debian-12", "--no-index", "-o", out, "--suffix", "1"]
    rebuilt = _captured_build(
        monkeypatch, [*argv, "--changed", str(lib), *flags, str(spec), str(lib)]
    )
    assert rebuilt["options"].build_flags() == flags
    # with yaml on, bctest needs libfoo: the change reaches it
    assert sorted(p.spec.name for p in rebuilt["pairs"]) == ["bctest.spec", "libfoo.spec"]


def test_graph_follows_the_bconds(spec: Path, tmp_path: Path) -> None:
    lib = tmp_path / "libfoo.spec"
    lib.write_text(LIBFOO)
    for target in ("debian-12", "el8-php7.4"):
        base = ["graph", "--target", target, "--no-index", "--format", "json"]
        plain = json.loads(specport(*base, str(spec), str(lib)).stdout)
        on = json.loads(specport(*base, "--with", "yaml", str(spec), str(lib)).stdout)
        assert plain["targets"][0]["edges"] == []
        edges = on["targets"][0]["edges"]
        assert [(e["spec"], e["needs"]) for e in edges] == [("bctest", "libfoo")]


def test_matrix_jobs_build_with_the_options(spec: Path, tmp_path: Path) -> None:
    lib = tmp_path / "libfoo.spec"
    lib.write_text(LIBFOO)
    flags = ["--target", "debian-12", "--no-index", "--nocheck", "--with", "yaml"]
    waves = subprocess.run(
        [sys.executable, "-m", "specport", "ci", "workflow", *flags, spec.name, lib.name],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert waves.returncode == 0, waves.stderr
    plan = json.loads((tmp_path / ".specport" / "ci-jobs.json").read_text())
    assert plan["flags"] == ["--nocheck", "--with", "yaml"]  # each job's build gets them
    # ordered with yaml on: bctest after libfoo
    assert [[j["specs"] for j in w] for w in plan["waves"]] == [
        [["libfoo.spec"]],
        [["bctest.spec"]],
    ]
    base = ["matrix", "--target", "debian-12", "--no-index", "--nocheck", "--with", "yaml"]
    rows = json.loads(specport(*base, "--format", "json", str(spec)).stdout)
    assert rows[0]["build_flags"] == "--nocheck --with yaml"


def test_the_flags_are_part_of_the_cache_key(tmp_path: Path) -> None:
    from specport.building.prepare import Prepared
    from specport.sandbox.specinfo import SpecInfo

    work = tmp_path / "work"
    for d in ("top/SPECS", "top/SOURCES", "macros"):
        (work / d).mkdir(parents=True)
    (work / "top" / "SPECS" / "x.spec").write_text(SPEC)
    info = SpecInfo("x", "1", "1", "", (), ())
    prep = Prepared(Pair(tmp_path / "x.spec", TARGETS["debian-12"]), work, info, "x.spec", [])
    keys = {
        key_inputs(prep, "sha256:a", [], lintian=True, build_flags=tuple(f)).key()
        for f in ([], ["--nocheck"], ["--with", "yaml"], ["--without", "yaml"])
    }
    assert len(keys) == 4


def test_the_manifest_and_the_summary_record_the_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from specport.building.summary import print_summary

    deb = tmp_path / "debian-12" / "bctest_1.0-1+deb12_amd64.deb"
    deb.parent.mkdir()
    deb.write_bytes(b"x")
    done = PairResult(Pair(tmp_path / "bctest.spec", TARGETS["debian-12"]), ok=True)
    done.packages = [deb]
    flags = ["--nocheck", "--with", "yaml"]
    (manifest,) = results.record([done], flags)
    doc = json.loads(manifest.read_text())
    assert doc["packages"][deb.name] == {"spec": "bctest.spec", "build_flags": flags}
    # a later plain build of the same file records that it was plain
    results.record([done])
    doc = json.loads(manifest.read_text())
    assert doc["packages"][deb.name]["build_flags"] == []
    print_summary([done], flags)
    assert "specport build --nocheck --with yaml" in capsys.readouterr().out
