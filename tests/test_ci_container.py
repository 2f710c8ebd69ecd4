"""A generated GitHub workflow, run as a runner would run it (tests/ci_runner.py), twice.

The repository: this checkout of specport (the jobs `pipx install .` it) with a set of three
specs for debian-12 in two waves (libspfoo; spfoo-tool, which build-requires libspfoo-devel;
spindie, which needs nothing), its plan and workflow made by `specport ci workflow`, and the
public half of the cache key. A docker-registry on 127.0.0.1 stands in for the CI's registry: the
builders job pushes the base and builder images there, every job pulls them, and the result
cache lives there too (entries signed with the key from the jobs' secret).

The first run builds each pair once and publishes every package; the second run of the whole
workflow starts no build container at all (each pair a verified hit from the registry) and
publishes the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_runner import RUNNER_CONTAINERFILE, Runner
from test_cache_shared import _serve
from test_repo_support import ensure_test_image, test_key

from specport.fetch import request

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[1]
GRAPH = REPO / "tests" / "data" / "graph"
SPINDIE = (REPO / "tests" / "data" / "spindie.spec").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """host:port of a docker-registry on 127.0.0.1 (the CI's registry)."""
    for url in _serve(tmp_path_factory.mktemp("ci-registry")):
        yield url.split("//", 1)[1].split("/", 1)[0]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository a job checks out: specport's files, the set, the key, plan and workflow."""
    top = tmp_path_factory.mktemp("checkout") / "project"
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for rel in filter(None, listed):
        source, dest = REPO / rel, top / rel
        if source.is_symlink() or source.is_file():  # specport/data/* link to the top's dirs
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest, follow_symlinks=False)
    specs = top / "ci-specs"
    specs.mkdir()
    for name in ("libspfoo.spec", "spfoo.c", "spfoo.h", "spfoo-tool.spec", "spfoo-tool.c"):
        shutil.copy2(GRAPH / name, specs / name)
    (specs / "spindie.spec").write_text(SPINDIE)
    (top / ".specport").mkdir()
    shutil.copy2(test_key().public_path, top / ".specport" / "cache-key.asc")
    made = subprocess.run(
        [sys.executable, "-m", "specport", "ci", "workflow", "-t", "debian-12",
         "ci-specs/libspfoo.spec", "ci-specs/spfoo-tool.spec", "ci-specs/spindie.spec"],
        capture_output=True, text=True, timeout=300, cwd=top,
        env={**os.environ, "SPECPORT_INDEX": "off"},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (top / ".github" / "workflows").mkdir(parents=True)
    (top / ".github" / "workflows" / "specport.yml").write_text(made.stdout)
    return top


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, checkout: Path) -> Path:
    """What the jobs' pip finds instead of PyPI: specport's dependencies, pip and setuptools."""
    out = tmp_path_factory.mktemp("wheelhouse")
    build = tmp_path_factory.mktemp("wheel-build") / "src"
    shutil.copytree(checkout, build)  # pip builds in the tree: not in the checkout itself
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "wheel", "-w", str(out), str(build)], check=True, timeout=900)
    subprocess.run(
        [*pip, "download", "-d", str(out), "pip", "setuptools>=68", "wheel"],
        check=True,
        timeout=600,
    )
    (out / "specport-0.1.0-py3-none-any.whl").unlink(missing_ok=True)  # pipx builds it from .
    return out


@pytest.fixture(scope="module")
def pulled_names(engine: Any, registry: str) -> Iterator[None]:
    """The jobs build in the builder image under its registry name: those names go after."""
    yield
    for image in engine.client.images.list():
        for tag in image.tags:
            if tag.startswith(f"{registry}/"):
                engine.client.images.remove(tag, noprune=True)


@pytest.fixture(scope="module")
def runner(
    pulled_names: None,
    engine: Any,
    base_images: Callable[[str], str],
    builder_images: Callable[[str], str],
    registry: str,
    checkout: Path,
    wheelhouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Runner:
    base = base_images("debian-12")
    builder_images("debian-12")  # the engine's, up to date: the builders job pushes it as is
    containerfile = RUNNER_CONTAINERFILE.format(base=base)
    tag = f"specport-test/ci-runner:{uuid.uuid5(uuid.NAMESPACE_URL, containerfile).hex[:12]}"
    image = ensure_test_image(engine, tag, containerfile)
    socket = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")
    apt_cache = tmp_path_factory.mktemp("apt-archives")
    (apt_cache / "partial").mkdir()
    secret = test_key().secret_path.read_text()
    return Runner(
        client=engine.client,
        image=image,
        checkout=checkout,
        work=tmp_path_factory.mktemp("ci-runs"),
        socket=socket,
        env={
            # the CI's registry: the stand-in on 127.0.0.1, without a login
            "SPECPORT_BUILDERS_REGISTRY": f"{registry}/specport",
            "SPECPORT_REGISTRY_AUTH": "",
            "SPECPORT_SHARED_CACHE": f"oci+http://{registry}/specport-results",
            "SPECPORT_SHARED_CACHE_AUTH": "",
            # the runner's settings: its engine, its pip mirror, rule data for names
            "DOCKER_HOST": "unix:///var/run/docker.sock",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": "/wheelhouse",
            "SPECPORT_INDEX": "off",
        },
        secrets={
            "GITHUB_TOKEN": "",
            "SPECPORT_CI_CACHE_SIGNING_KEY": secret,
            "SPECPORT_CI_REPO_KEY": secret,
        },
        context={
            "github.repository": "example/specs",
            "github.actor": "example",
            "vars.SPECPORT_REGISTRY": registry,
        },
        mounts={str(wheelhouse): "/wheelhouse", str(apt_cache): "/var/cache/apt/archives"},
        prefix=f"sp-ci-{uuid.uuid4().hex[:6]}",
    )


def _published(run_dir: Path) -> dict[str, str]:
    """Package file name -> sha256 of the .debs in the published repository."""
    import hashlib

    repo = run_dir / "artifacts" / "specport-repository"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(repo.rglob("*.deb"))}


def _built(run_dir: Path) -> set[str]:
    """The binary .debs the wave jobs passed on (debbuild's .sdeb is no binary package)."""
    return {p.name for p in (run_dir / "artifacts").glob("specport-wave-*/**/*.deb")}


def test_the_generated_workflow_runs_and_its_second_run_is_all_hits(
    runner: Runner, registry: str, checkout: Path
) -> None:
    doc = yaml.safe_load((checkout / ".github" / "workflows" / "specport.yml").read_text())
    client = runner.client
    base_id = client.images.get("debian:bookworm").id

    first = runner.run_workflow(doc, "run1")
    assert [(j.name, j.index) for j in first.jobs] == [
        ("builders", None),
        ("wave-1", 0),
        ("wave-1", 1),
        ("wave-2", 0),
        ("publish", None),
    ]
    assert client.images.get("debian:bookworm").id == base_id  # nothing bootstrapped again
    tags = json.loads(request("GET", f"http://{registry}/v2/specport/builder/tags/list").body)
    assert [t.split("-", 2)[:2] for t in tags["tags"]] == [["debian", "12"]]
    assert "pushed" in first.log_of("builders")
    for name, index in (("wave-1", 0), ("wave-1", 1), ("wave-2", 0)):
        log = first.log_of(name, index)
        assert "pulling" in log and "builder:debian-12-" in log, log[-3000:]
        assert "cache miss" in log, log[-3000:]
    assert "--with-packages waves" in first.log_of("wave-2", 0)
    assert sum(n for p, n in first.created.items() if p.startswith("build-")) == 3, first.created
    built = _built(runner.work / "run1")
    published = _published(runner.work / "run1")
    assert {n.split("_", 1)[0] for n in built} >= {"libspfoo", "spfoo-tool", "spindie"}
    assert built == set(published), (built, published)  # the publish holds every package

    second = runner.run_workflow(doc, "run2")
    assert not [p for p in second.created if p.startswith("build-")], second.created
    assert "pushed" not in second.log_of("builders")
    for name, index in (("wave-1", 0), ("wave-1", 1), ("wave-2", 0)):
        log = second.log_of(name, index)
        assert "cache hit" in log and "cache miss" not in log, log[-3000:]
    assert _published(runner.work / "run2") == published  # the same bytes
    times = ", ".join(f"{j.name}[{j.index}] {j.seconds:.0f} s" for j in second.jobs)
    print(
        f"\nfirst run {first.seconds:.0f} s; second run {second.seconds:.0f} s ({times}); "
        f"containers of the second run: {dict(second.created)}"
    )


def test_images_pull_names_what_the_builders_job_pushed(
    runner: Runner, registry: str, engine: Any
) -> None:
    """`specport builders pull` (outside CI) finds the images the workflow's builders job pushed
    under the keys this checkout computes, and gives them the names builds use."""
    done = subprocess.run(
        [sys.executable, "-m", "specport", "builders", "pull", "--target", "debian-12",
         "--registry", f"{registry}/specport"],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [ln.split("\t")[:2] for ln in lines] == [["debian-12", "pulled"]] * 2
    assert f"{registry}/specport/base:debian-12-" in lines[0]
    labels = engine.client.images.get("specport/builder:debian-12").labels
    assert lines[1].endswith(labels["specport.inputs"])
    missing = subprocess.run(
        [sys.executable, "-m", "specport", "builders", "pull", "--target", "debian-11",
         "--registry", f"{registry}/specport"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert missing.returncode == 1 and "the registry has no base image" in missing.stderr
