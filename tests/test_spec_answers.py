"""The spec sandbox's kept answers (sandbox/answers.py): asked again with exactly the same
inputs in the same image, the sandbox is not started; any other input is asked afresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from specport.sandbox import answers
from specport.sandbox.jobs import Job, run_jobs

SPEC = "Name: kept\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"
LIMITS = {"SANDBOX_SECONDS": "60"}


def _job(tmp_path: Path, text: str = SPEC, macro: str = "%k 1\n") -> Job:
    m = tmp_path / "macros.specport-k"
    m.write_text(macro, encoding="utf-8")
    return Job("kept.spec", text, (("rpmspec", "-P"),), (m,), (("dist", ".x"),))


def test_every_input_is_part_of_the_key(tmp_path: Path) -> None:
    base = answers.key(_job(tmp_path), "sha256:a", LIMITS)
    assert base == answers.key(_job(tmp_path), "sha256:a", LIMITS)
    others = [
        answers.key(_job(tmp_path, text=SPEC + "# changed\n"), "sha256:a", LIMITS),
        answers.key(_job(tmp_path, macro="%k 2\n"), "sha256:a", LIMITS),
        answers.key(_job(tmp_path), "sha256:b", LIMITS),  # another image
        answers.key(_job(tmp_path), "sha256:a", {"SANDBOX_SECONDS": "5"}),
    ]
    job = _job(tmp_path)
    others.append(
        answers.key(Job(job.label, job.text, job.queries, job.macro_files, ()), "sha256:a", LIMITS)
    )
    others.append(
        answers.key(Job(job.label, job.text, (("rpmspec", "-q"),), job.macro_files, job.defines),
                    "sha256:a", LIMITS)
    )  # fmt: skip
    assert len({base, *others}) == len(others) + 1


def test_kept_and_load_dependent_answers(tmp_path: Path) -> None:
    answers.store(tmp_path, "k1", "4.18.0", [(0, "out", ""), (1, "", "error: x")])
    assert answers.load(tmp_path, "k1") == ("4.18.0", [(0, "out", ""), (1, "", "error: x")])
    answers.store(tmp_path, "k2", "4.18.0", [(0, "out", ""), (137, "", "")])  # timed out
    assert answers.load(tmp_path, "k2") is None
    (tmp_path / "k3.json").write_text("{not json", encoding="utf-8")
    assert answers.load(tmp_path, "k3") is None


@pytest.mark.container
def test_the_same_read_is_not_run_twice(
    engine: object,
    builder_images: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX", "container")
    image = builder_images("debian-12")
    kept = tmp_path / "kept"
    spec = SPEC.replace("d\n", "%{k}\n")
    first = run_jobs([_job(tmp_path, spec)], image=image, kept=kept)
    assert first.where == f"container {image}, no network"
    assert first.answers[0][0].ok and "\n1\n" in first.answers[0][0].out
    log = tmp_path / "second.log"
    second = run_jobs([_job(tmp_path, spec)], image=image, kept=kept, log_path=log)
    assert second.where.endswith("answers kept")
    assert second.answers == first.answers and second.rpm_version == first.rpm_version
    assert "# container" not in log.read_text(encoding="utf-8")  # no container was made
    # a changed macro file is another question: a container answers it, with the new value
    third = run_jobs([_job(tmp_path, spec, macro="%k 2\n")], image=image, kept=kept)
    assert not third.where.endswith("answers kept")
    assert "\n2\n" in third.answers[0][0].out
    # one kept and one new spec in one batch: only the new one enters the container
    log = tmp_path / "mixed.log"
    both = [
        _job(tmp_path, spec),
        Job("other.spec", SPEC.replace("kept", "other"), (("rpmspec", "-P"),)),
    ]
    mixed = run_jobs(both, image=image, kept=kept, log_path=log)
    assert "Name: other" in mixed.answers[1][0].out and "\n1\n" in mixed.answers[0][0].out
    assert log.read_text(encoding="utf-8").count("# container") == 1
