"""The container side of the hostile classes: --check and the build's spec query read every
hostile fixture in one throwaway container per image (no network, nobody, limits), and
nothing of theirs reaches the host."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_support import BAD_NAMES, SPECS, Contained, one_clear_line, run_cli

from specport.building.plan import Pair
from specport.building.prepare import prepare_many
from specport.building.sources import SourceSearch
from specport.config import load_config
from specport.sandbox.jobs import Job, run_jobs

pytestmark = pytest.mark.container


@pytest.fixture(autouse=True)
def _container_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX", "container")  # no fallback to bwrap: fail instead
    monkeypatch.setenv("SPECPORT_SANDBOX_SECONDS", "2")


def test_check_runs_every_hostile_spec_in_one_container(
    engine: object,
    builder_images: Callable[[str], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    image = builder_images("debian-12")
    box = Contained(tmp_path)
    specs = [str(box.spec(f)) for f in SPECS if f.stem not in BAD_NAMES]
    out = tmp_path / "out"
    argv = ["normalize", *specs, "--target", "debian-12,el9-php8.2", "--check", "-o", str(out)]
    code, output = run_cli(argv, capsys)
    assert f"container {image}" in output
    assert "debbuild --showpkgs" in output
    assert "bwrap" not in output
    if code != 0:
        one_clear_line(output)
    box.check([output], allowed=[out])


def test_the_container_sandbox_is_offline_and_unprivileged(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    image = builder_images("debian-12")
    box = Contained(tmp_path)
    spec = (
        "Name: probe\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\n"
        f"%(touch {box.marker}; cat {box.secret}; id -u; "
        "touch /etc/rpm/x 2>/dev/null || echo ro-etc; "
        # a default route is a network (no host name to look up: none is written here)
        "awk '$2 == \"00000000\" { r = 1 } END { exit !r }' /proc/net/route || echo no-network)\n"
    )
    batch = run_jobs([Job("probe", spec, (("rpmspec", "-P"),))], image=image)
    answer = batch.answers[0][0]
    assert batch.where.startswith("container")
    assert answer.ok, answer.err
    words = answer.out.split()
    assert "65534" in words and "ro-etc" in words and "no-network" in words
    box.check([answer.out, answer.err])


def test_build_reads_hostile_specs_in_the_container(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    image = builder_images("debian-12")
    targets = load_config().targets
    box = Contained(tmp_path)
    spec = tmp_path / "specs" / "build-probe.spec"
    spec.parent.mkdir()
    spec.write_text(
        "Name: build-probe\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n"
        # %% gets past the sanitizer; rpm runs it, in the container, and the value comes back
        f"Source0: https://specport.invalid/probe-%{{expand:%%(touch {box.marker}; echo 7)}}.tgz\n"
        "%description\nd\n%files\n%changelog\n"
    )
    box.settle()
    pairs = [Pair(spec, targets["debian-12"]), Pair(spec, targets["el9-php8.2"])]
    prepared = prepare_many(pairs, SourceSearch(cache_dir=tmp_path / "cache"), image=image)
    try:
        assert [p.info.name for p in prepared] == ["build-probe", "build-probe"]
        assert [p.info.sources[0].filename for p in prepared] == ["probe-7.tgz"] * 2
        box.check([repr(p.info) for p in prepared], allowed=[tmp_path / "cache"])
    finally:
        for p in prepared:
            p.cleanup()
