"""The failure classes of bench/build_corpus.py (bench/build_report.py): what the README's
build figures rest on, so a change to the classes is seen here before a re-run."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from bench_support import bench_module


@pytest.fixture(scope="module")
def report() -> ModuleType:
    return bench_module("build_report")


def test_a_section_and_the_logs_tail_name_the_class(report: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("+ pushd src\n/tmp/x: 3: pushd: not found\n")
    why, line = report.classify_build("specport: error: a: failed in %build (log: a.log)", tmp_path)
    assert why == "%build: dash: a bash-ism"
    assert line == "/tmp/x: 3: pushd: not found"
    refused = "specport: error: neither debian-12's package index nor the spec set has these names"
    why, _ = report.classify_build(refused + ": line 3: x", tmp_path)
    assert why == "dependency names"


def test_causes_of_the_spec_or_target_are_told_apart(report: ModuleType) -> None:
    rec = report.Record("s.spec", "debian-12", version="1.11.0", spec_version="2.2.0")
    why, _ = report.explain(rec, "%prep: no such source file", "d")
    assert why == "%prep: a file of the spec's release (2.2.0), not in 1.11.0"
    assert report.SPEC_OR_TARGET.search(why)
    assert report.explain(rec, why, "d")[0] == why  # --from-report applies it again
    newer = "missing libbson-dev >= 1.28.0 (the index has libbson-dev 1.23.1-1)"
    why, _ = report.explain(rec, "build dependencies not installable", newer)
    assert why.startswith("the spec's release needs newer libbson-dev")
    # a compile error after the spec's patches were dropped is the corpus's, counted apart
    patched = report.Record("s.spec", "debian-12", dropped=["fix.patch"])
    why, _ = report.explain(patched, "%build: C compile error", "x.c:1:1: error: y")
    assert why in report.APART
    # one name without its reason: not "no counterpart", specport's own failure
    detail = "these names: line 3: a (absent on debian-12); line 4: b"
    assert report.explain(rec, "dependency names", detail)[0] == "dependency names"
    assert report.explain(rec, "dependency names", detail[: detail.index(";")])[0] == (
        report.NO_COUNTERPART
    )
