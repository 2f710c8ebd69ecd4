"""specport matrix --waves (checked against the published GitHub/GitLab schemas), the build
plan of a set, the live status, the local repository helpers and the shlibs of debfix."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from specport.building import localrepo
from specport.building.debfix import shlibs_lines
from specport.building.plan import PairResult, SetPlan
from specport.building.status import Status, phase_in, phases_in
from specport.config import load_config
from specport.graph import ci

DATA = Path(__file__).parent / "data" / "graph"
SPECS = [str(p) for p in sorted(DATA.glob("*.spec"))]

SPEC = """Name: {name}
Version: 1.0
Release: 1%{{?dist}}
Summary: generated
License: MIT
BuildArch: noarch
{needs}
%description
generated
%files
%changelog
"""


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=300
    )


def schema(name: str) -> dict[str, Any]:
    """SchemaStore's schema as check-jsonschema vendors it."""
    ref = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / name
    loaded: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return loaded


def validate(doc: object, name: str) -> None:
    check = schema(name)
    jsonschema.validators.validator_for(check)(check).validate(doc)


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """1,000 specs: 600 need nothing (wave 1), 400 each need one of those (wave 2)."""
    d = tmp_path_factory.mktemp("thousand")
    paths = []
    for n in range(1000):
        needs = f"BuildRequires: gen{n % 600}" if n >= 600 else ""
        path = d / f"gen{n}.spec"
        path.write_text(SPEC.format(name=f"gen{n}", needs=needs))
        paths.append(str(path))
    return paths


def test_github_waves_validate_and_chain() -> None:
    proc = specport("matrix", *SPECS, "-t", "debian-12,el9-php8.2", "--waves")
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(proc.stdout)
    validate(doc, "github-workflows.json")
    jobs = doc["jobs"]
    assert list(jobs) == ["wave-1", "wave-2", "wave-3"]
    assert "needs" not in jobs["wave-1"] and jobs["wave-3"]["needs"] == ["wave-2"]
    matrix = jobs["wave-2"]["strategy"]["matrix"]
    assert matrix.startswith("${{ fromJSON('") and matrix.endswith("') }}")
    rows = json.loads(matrix[len("${{ fromJSON('") : -len("') }}")])["include"]
    assert sorted((r["name"], r["target"]) for r in rows) == [
        ("php-pecl-spfoo", "debian-12"),
        ("php-pecl-spfoo", "el9-php8.2"),
        ("spfoo-tool", "debian-12"),
        ("spfoo-tool", "el9-php8.2"),
    ]
    steps = jobs["wave-2"]["steps"]
    assert any(s.get("uses", "").startswith("actions/download-artifact") for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    build = next(s for s in steps if s.get("name") == "build")
    assert "--with-packages waves" in build["run"] and '--with-set "$SPECPORT_SET"' in build["run"]


def test_gitlab_waves_validate_and_chain() -> None:
    proc = specport("matrix", *SPECS, "-t", "debian-12", "--waves", "--format", "gitlab")
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(proc.stdout)
    validate(doc, "gitlab-ci.json")
    assert doc["stages"] == ["wave-1", "wave-2", "wave-3"]
    assert doc["wave-2"]["stage"] == "wave-2"
    assert sorted(m["SPEC"] for m in doc["wave-2"]["parallel"]["matrix"]) == [
        str(DATA / "php-pecl-spfoo.spec"),
        str(DATA / "spfoo-tool.spec"),
    ]
    assert doc["wave-1"]["artifacts"]["paths"] == ["waves/$CI_JOB_ID/"]


def test_a_thousand_pairs_split_under_the_limits(thousand: list[str]) -> None:
    gh = yaml.safe_load(specport("matrix", *thousand, "-t", "debian-12", "--waves").stdout)
    validate(gh, "github-workflows.json")
    sizes = {}
    for job_id, job in gh["jobs"].items():
        matrix = job["strategy"]["matrix"]
        sizes[job_id] = len(json.loads(matrix[len("${{ fromJSON('") : -len("') }}")])["include"])
    assert sizes == {
        "wave-1-part-1": 256,
        "wave-1-part-2": 256,
        "wave-1-part-3": 88,
        "wave-2-part-1": 256,
        "wave-2-part-2": 144,
    }
    wave1 = ["wave-1-part-1", "wave-1-part-2", "wave-1-part-3"]
    assert gh["jobs"]["wave-2-part-2"]["needs"] == wave1
    gl_text = specport("matrix", *thousand, "-t", "debian-12", "--waves", "--format", "gitlab")
    gl = yaml.safe_load(gl_text.stdout)
    validate(gl, "gitlab-ci.json")
    counts = {k: len(v["parallel"]["matrix"]) for k, v in gl.items() if k.startswith("wave-")}
    assert counts == {f"wave-1-part-{p}": 200 for p in (1, 2, 3)} | {
        "wave-2-part-1": 200,
        "wave-2-part-2": 200,
    }
    assert gl["stages"] == ["wave-1", "wave-2"]


def test_split_is_exact_at_the_limit() -> None:
    rows = [{"spec": f"s{i}.spec", "target": "debian-12"} for i in range(ci.GITLAB_MAX)]
    assert [len(p) for p in ci.wave_parts([rows], ci.GITLAB_MAX)[0]] == [200]
    assert [len(p) for p in ci.wave_parts([[*rows, rows[0]]], ci.GITLAB_MAX)[0]] == [200, 1]


def test_yaml_writer_round_trips() -> None:
    doc = {"on": {"push": None}, "a": [{"b": "x: y", "c": ["'q'", 1, True]}, []], "d": {}}
    assert yaml.safe_load(ci.to_yaml(doc)) == doc


def test_plain_matrix_unchanged() -> None:
    proc = specport("matrix", *SPECS[:1], "-t", "debian-12")
    assert json.loads(proc.stdout)["include"][0]["target"] == "debian-12"


def test_set_plan_order_and_closure() -> None:
    plan = SetPlan(
        needs=(frozenset(), frozenset({0}), frozenset({0}), frozenset({1}), frozenset()),
        wave=(1, 2, 2, 3, 1),
    )
    assert plan.order() == [0, 4, 1, 2, 3]
    assert plan.closure(3) == {0, 1}
    assert plan.waves == 3
    assert SetPlan.unordered(2).order() == [0, 1]


def test_phase_from_build_output() -> None:
    assert phase_in("Executing(%prep): /bin/sh -e x\n...\nExecuting(%build): y\n") == "%build"
    assert phase_in("Executing (%install): /bin/sh -e /var/tmp/deb-tmp.install.1\n") == "%install"
    assert phase_in("\n$ sh /specport/debfix.sh unpack /a /b\n") == "post-step"
    assert phase_in("\n$ cd /specport/result && lintian --suppress-tags x *.deb\n") == "lintian"
    kept = "\n# cd /specport/result && lintian *.deb: the verdict on these exact files, from /c\n"
    assert phase_in(kept) == "lintian"
    assert phase_in("\n# copied /specport/result -> /tmp/lintian-out\n") is None
    assert phase_in("gcc -c x.c\n") is None
    assert phases_in("Executing(%prep): a\nExecuting(%build): b\n$ lintian x\n") == [
        "%prep",
        "%build",
        "lintian",
    ]


def test_status_lines_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_path = tmp_path / "a.log"
    log_path.write_text("")
    with Status([1, 2], live=False) as status:
        status.start("a / debian-12", 1, log_path)
        status.phase("a / debian-12", "build dependencies")
        with log_path.open("a") as f:
            f.write("Executing (%build): sh\nExecuting (%install): sh\nExecuting (%ch")
        status.refresh()  # what the watcher thread does every half second
        with log_path.open("a") as f:
            f.write("eck): sh\n")
        status.finish("a / debian-12", 1, "ok")
        assert status.waves_done() == 1
    err = capsys.readouterr().err
    lines = [line.split(" ", 1)[1] for line in err.splitlines()]
    assert lines == [
        "a / debian-12: starting (wave 1/2)",
        "a / debian-12: build dependencies",
        "a / debian-12: %build",
        "a / debian-12: %install",
        "a / debian-12: %check",  # read by finish(), the half line completed
        lines[5],
        "wave 1 of 2 done",
    ]
    assert lines[5].startswith("a / debian-12: ok (")
    assert all(line[2] == ":" and line[5] == ":" for line in err.splitlines())  # HH:MM:SS


def test_a_runner_phase_comes_after_the_phases_its_log_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """publish moves the log away: what it showed last (a kept lintian verdict) is read first."""
    log_path = tmp_path / "a.log"
    log_path.write_text("")
    with Status([1], live=False) as status:
        status.start("a / debian-12", 1, log_path)
        with log_path.open("a") as f:
            f.write("$ sh /specport/debfix.sh unpack a b\n# lintian x: the verdict on these\n")
        status.runner_phase("a / debian-12", "publish")
        log_path.rename(tmp_path / "moved.log")
        status.finish("a / debian-12", 1, "ok")
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert lines[1:4] == [
        "a / debian-12: post-step",
        "a / debian-12: lintian",
        "a / debian-12: publish",
    ]


def test_seeded_packages_are_found_per_target(tmp_path: Path) -> None:
    target = load_config(None).targets["debian-12"]
    for rel in (
        "w1/out/debian-12/a_1_amd64.deb",
        "w1/out/debian-12/a-1.sdeb",
        "w2/out/debian-12/b_1_all.deb",
        "w2/out/ubuntu-20.04/c_1_all.deb",
        "w2/out/debian-12/logs/a.log",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [p.name for p in localrepo.seeded((tmp_path,), target)]
    assert sorted(found) == ["a_1_amd64.deb", "b_1_all.deb"]
    query = localrepo.query_command([Path(f) for f in found])
    assert query.endswith(" a b")


def test_rpm_query_names_the_packages() -> None:
    pkgs = [Path("x-1.0-1.el9.x86_64.rpm"), Path("x-1.0-1.el9.src.rpm")]
    assert localrepo.binary_packages(pkgs) == [pkgs[0]]
    assert "rpm -q x-1.0-1.el9.x86_64" in localrepo.query_command(pkgs[:1])


def test_shlibs_for_sonames() -> None:
    assert shlibs_lines(["libspfoo.so.1"], "libspfoo", "1.0-1+deb12") == (
        "libspfoo 1 libspfoo (>= 1.0)\n"
    )
    assert shlibs_lines(["libx-2.1.so", "libspfoo.so.1"], "p", "2:3.4-5") == (
        "libx 2.1 p (>= 2:3.4)\nlibspfoo 1 p (>= 2:3.4)\n"
    )
    assert shlibs_lines(["plugin.so"], "p", "1-1") == ""


def test_gitlab_schema_rejects_an_unsplit_matrix() -> None:
    # the check has teeth: the published schema itself holds GitLab's 200-job limit
    rows = [{"spec": f"s{i}.spec", "target": "debian-12"} for i in range(201)]
    doc = ci.gitlab_pipeline([rows], ["s0.spec"])
    validate(doc, "gitlab-ci.json")  # split into 200 + 1
    doc["wave-1-part-1"]["parallel"]["matrix"] += doc.pop("wave-1-part-2")["parallel"]["matrix"]
    with pytest.raises(jsonschema.ValidationError):
        validate(doc, "gitlab-ci.json")


def test_live_display_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from specport import log

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(log, "err_console", terminal)
    with Status([1, 2]) as status:
        assert status.live
        assert log.err_console is not terminal and not log.err_console.is_terminal
        status.start("a / debian-12", 1)
        status.phase("a / debian-12", "%install")
        status.refresh()
        log.info("a message from elsewhere")
        status.finish("a / debian-12", 1, "ok")
    assert log.err_console is terminal
    shown = screen.getvalue()
    assert "a / debian-12  wave 1  %install" in shown
    assert "waves: 0 done, 2 to go" in shown
    assert "a message from elsewhere" in shown
    assert "a / debian-12: ok (" in shown and "wave 1 of 2 done" in shown


def scripted_run(
    tmp: Path, jobs: int, keep_going: bool, fail: set[int]
) -> tuple[list[int], list[PairResult]]:
    """BuildRun with the container part replaced by scripted outcomes: the scheduling (order,
    blocked, skipped, keep-going) is under test here, the builds themselves in the container
    tests. Returns the pairs in the order they started, and the results."""
    from specport.building.plan import BuildOptions, Pair
    from specport.building.prepare import Prepared
    from specport.building.scheduler import BuildRun
    from specport.building.sources import SourceSearch
    from specport.errors import BuildError
    from specport.sandbox.specinfo import SpecInfo

    target = load_config(None).targets["debian-12"]
    started: list[int] = []

    class Run(BuildRun):
        def _build(self, *args: Any) -> list[str]:
            index = args[4]
            started.append(index)
            if index in fail:
                raise BuildError("scripted failure")
            return []

    prepared = []
    for n in range(4):
        work = tmp / f"w{n}"
        work.mkdir()
        info = SpecInfo(f"s{n}", "1", "1", "", (), ())
        prepared.append(Prepared(Pair(tmp / f"s{n}.spec", target), work, info, "x", []))
    # s1 needs s0, s2 needs s1; s3 needs nothing
    plan = SetPlan(
        needs=(frozenset(), frozenset({0}), frozenset({1}), frozenset()), wave=(1, 2, 3, 1)
    )
    options = BuildOptions(
        output=tmp / "out", search=SourceSearch(), jobs=jobs, keep_going=keep_going
    )
    engine: Any = None  # never used: _build is scripted
    results = Run(engine, engine, options, plan).run(prepared)
    return started, results


def state(r: PairResult) -> str:
    return "ok" if r.ok else "blocked" if r.blocked else "skipped" if r.skipped else "failed"


@pytest.mark.parametrize("jobs", [1, 2])
def test_failure_blocks_dependents_keep_going_builds_the_rest(tmp_path: Path, jobs: int) -> None:
    started, results = scripted_run(tmp_path, jobs, keep_going=True, fail={0})
    assert [state(r) for r in results] == ["failed", "blocked", "blocked", "ok"]
    assert sorted(started) == [0, 3]
    assert results[2].message == "blocked: needs s1, which did not build"
    assert not (tmp_path / "out" / "debian-12" / "logs" / "s1.log").exists()


def test_without_keep_going_the_rest_is_skipped(tmp_path: Path) -> None:
    started, results = scripted_run(tmp_path, 1, keep_going=False, fail={0})
    assert started == [0]
    assert [state(r) for r in results] == ["failed", "blocked", "blocked", "skipped"]


def test_waves_run_in_order(tmp_path: Path) -> None:
    started, results = scripted_run(tmp_path, 1, keep_going=False, fail=set())
    assert started == [0, 3, 1, 2]  # wave 1 (s0, s3), then s1, then s2
    assert [state(r) for r in results] == ["ok"] * 4
