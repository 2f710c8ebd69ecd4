"""The spec corpus (tests/corpus/): Fedora idioms, normalized for every built-in target.

Each corpus spec either normalizes or fails with a SpecError naming the line and the construct;
EXPECTED below records which, so a regression in either direction fails. What normalizes is then
parsed by the host's rpmspec with the target's macro files (sanitized: no %( ) runs on the host),
and on deb targets its dependencies must hold no Fedora-only names. Container tests run debbuild
--showpkgs (deb) and rpm 4.14 (el8) on the results, one container per target image.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from specport.errors import SpecError, SpecportError
from specport.normalize.macrofiles import write_macro_files
from specport.normalize.model import NormalizeOptions
from specport.normalize.passes import normalize
from specport.sandbox.rpmspec import Request, run_many
from specport.sandbox.rpmspec import outcome as rpm_outcome
from specport.targets import load_targets
from specport.targets.model import Target

CORPUS = Path(__file__).resolve().parent / "corpus"
SPECS = sorted(p.stem for p in CORPUS.glob("*.spec"))
TARGETS = load_targets()
OPTIONS = NormalizeOptions(changelog_date="Tue Nov 24 2026")
needs_rpm = pytest.mark.skipif(shutil.which("rpmspec") is None, reason="rpmspec not installed")

# (spec, target group) -> "ok", or (line, text the SpecError must contain). Groups: "deb", "el8"
# (rpm 4.14), "el9" (rpm 4.16). Anything not listed must normalize.
EXPECTED: dict[tuple[str, str], tuple[int, str]] = {
    # deb: %pyproject_buildrequires becomes a marker that specport build reads (test_pyproject.py)
    ("python-acme-client", "el8"): (40, "%generate_buildrequires (needs rpm 4.15)"),
    ("rust-acme-cli", "deb"): (38, "debbuild has no dynamic build dependencies"),
    ("rust-acme-cli", "el8"): (38, "%generate_buildrequires (needs rpm 4.15)"),
}
# names only Fedora has; on deb targets none may reach --buildrequires or --requires
FEDORA_ONLY = ("-devel", "pkgconfig(", "php(", "perl(", "python3dist(", "(x86-64)")


def group(target: Target) -> str:
    return "deb" if target.family == "deb" else f"el{target.release}"


def spec_text(spec: str) -> str:
    return (CORPUS / f"{spec}.spec").read_text(encoding="utf-8")


@cache
def outcome(spec: str, target: str) -> str | SpecportError:
    try:
        return normalize(
            spec_text(spec), TARGETS[target], path=f"tests/corpus/{spec}.spec", options=OPTIONS
        ).text
    except SpecportError as exc:
        return exc


PAIRS = [(s, t) for s in SPECS for t in TARGETS]
IDS = [f"{s}-{t}" for s, t in PAIRS]


def test_corpus_is_big_enough() -> None:
    assert len(SPECS) >= 12
    for spec in SPECS:
        assert spec_text(spec).startswith("# Corpus"), f"{spec}: header comment names its idioms"


@pytest.mark.parametrize(("spec", "target"), PAIRS, ids=IDS)
def test_normalizes_or_fails_precisely(spec: str, target: str) -> None:
    result = outcome(spec, target)
    expected = EXPECTED.get((spec, group(TARGETS[target])))
    if expected is None:
        assert isinstance(result, str), f"unexpected failure: {result}"
        return
    line, text = expected
    assert isinstance(result, SpecError), "normalized, but the table expects a SpecError"
    assert result.line == line
    assert text in str(result)


_QUERIES = (("-P",), ("-q", "--buildrequires"), ("-q", "--requires"), ("-q", "--qf", "%{name}\\n"))


@pytest.fixture(scope="module")
def parsed() -> dict[tuple[str, str], tuple[bool, str, str, str]]:
    """Every successful result through rpmspec, all in one sandbox run:
    (parsed, first error or the names, build requires, requires)."""
    good = [(s, t) for s, t in PAIRS if isinstance(outcome(s, t), str)]
    with tempfile.TemporaryDirectory(prefix="specport-corpus-") as tmp:
        macros = {t: write_macro_files(TARGETS[t], Path(tmp) / t) for t in {t for _, t in good}}
        requests = [
            Request(f"{s}/{t}", str(outcome(s, t)), _QUERIES, tuple(macros[t])) for s, t in good
        ]
        # a few sandboxes side by side: rpmspec itself is the slow part
        chunks = [requests[k::4] for k in range(4)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            batches = list(pool.map(lambda chunk: run_many(chunk).answers, chunks))
    answers = [None] * len(requests)
    for k, rows in enumerate(batches):
        answers[k::4] = rows
    results = {}
    for pair, row in zip(good, answers, strict=True):
        assert row is not None
        ok, out = rpm_outcome(row[0].exit_code, row[0].out, row[0].err)
        if not ok:
            results[pair] = (False, out, "", "")
        else:
            results[pair] = (True, row[3].out, row[1].out, row[2].out)
    return results


@needs_rpm
@pytest.mark.parametrize(("spec", "target"), PAIRS, ids=IDS)
def test_host_rpmspec_parses_result(
    spec: str, target: str, parsed: dict[tuple[str, str], tuple[bool, str, str, str]]
) -> None:
    if (spec, target) not in parsed:
        pytest.skip("normalization fails by design (see EXPECTED)")
    ok, names, brs, reqs = parsed[(spec, target)]
    assert ok, names
    if TARGETS[target].family != "deb":
        return
    own = set(names.split())  # the spec's own subpackages keep their names (libacme-devel)
    deps = [d for d in (brs.split() + reqs.split()) if d not in own]
    leaked = [d for d in deps if any(f in d for f in FEDORA_ONLY)]
    assert leaked == [], f"Fedora-only names on {target}: {leaked}"


def test_guarded_rich_dependency_is_left_to_the_fedora_branch() -> None:
    text = outcome("php-acme-richdeps", "debian-12")
    assert isinstance(text, str)
    assert "BuildRequires:  (php-composer(psr/log) >= 1.0 with" in text  # dead branch: as written
    assert "Requires:       php-psr-log >= 1.0\n" in text


def test_perl_pseudo_modules_and_core_modules_on_debian() -> None:
    text = outcome("perl-Acme-Tiny", "debian-12")
    assert isinstance(text, str)
    assert "BuildRequires:  perl\n" in text  # perl(:VERSION) >= 5.10: the interpreter
    tags = [ln for ln in text.splitlines() if ln.startswith(("Requires:", "BuildRequires:"))]
    assert not any("MODULE_COMPAT" in ln for ln in tags), tags
    # a core module's version (ExtUtils::MakeMaker 6.76) is not perl's
    assert not any(ln.startswith("BuildRequires:  perl >=") for ln in tags), tags
    assert "# specport dropped: Requires:       perl(:MODULE_COMPAT_" in text


def _deb_jobs(target: Target, macros: list[Path]) -> list[tuple[str, str, list[Path]]]:
    jobs = []
    for spec in SPECS:
        text = outcome(spec, target.name)
        if isinstance(text, str):
            jobs.append((spec, text, macros))
    return jobs


@pytest.mark.container
@pytest.mark.parametrize("target_name", ["debian-12", "ubuntu-20.04"])
def test_debbuild_reads_every_deb_result(
    target_name: str, engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    from specport.sandbox.checkold import check_with_debbuild

    target = TARGETS[target_name]
    macros = write_macro_files(target, tmp_path / "macros.d")
    jobs = _deb_jobs(target, macros)
    image = builder_images(target.name)
    results = check_with_debbuild(target.name, image, jobs, tmp_path / "check.log")
    assert len(results) == len(jobs)
    assert [(r.spec, r.detail) for r in results if not r.ok] == []


@pytest.mark.container
def test_rpm_414_reads_every_el8_result(
    engine: object, base_images: Callable[[str], str], tmp_path: Path
) -> None:
    from specport.sandbox.checkold import check_in_container

    target = TARGETS["el8-php7.4"]
    macros = write_macro_files(target, tmp_path / "macros.d")
    jobs = []
    for spec in SPECS:
        text = outcome(spec, target.name)
        if isinstance(text, str):
            jobs.append((target.name, spec, text, macros))
    results = check_in_container(jobs, tmp_path / "check.log", image=base_images("ubuntu-20.04"))
    assert all("4.14" in r.tool for r in results)
    assert [(r.spec, r.detail) for r in results if not r.ok] == []
