"""The example specs, normalized for every built-in target, against golden files and real rpm.

Refresh the golden files after an intended change with:
    SPECPORT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_specs.py
and review `git diff tests/golden/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.normalize.macrofiles import write_macro_files
from specport.normalize.model import NormalizeOptions
from specport.normalize.passes import normalize
from specport.sandbox.rpmspec import run_rpmspec
from specport.targets import load_targets

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted((REPO / "specs").glob("*.spec"))
GOLDEN = REPO / "tests" / "golden"
TARGETS = load_targets()
# fixed inputs so the output does not depend on git history or the clock
OPTIONS = NormalizeOptions(changelog_date="Tue Nov 24 2026")
needs_rpm = pytest.mark.skipif(shutil.which("rpmspec") is None, reason="rpmspec not installed")


def normalized(spec: Path, target_name: str) -> str:
    return normalize(
        spec.read_text(encoding="utf-8"),
        TARGETS[target_name],
        path=f"specs/{spec.name}",
        options=OPTIONS,
    ).text


PAIRS = [(t, s) for t in TARGETS for s in SPECS]
IDS = [f"{t}-{s.stem}" for t, s in PAIRS]


@pytest.mark.parametrize(("target", "spec"), PAIRS, ids=IDS)
def test_golden(target: str, spec: Path) -> None:
    text = normalized(spec, target)
    golden = GOLDEN / target / spec.name
    if os.environ.get("SPECPORT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with SPECPORT_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


@needs_rpm
@pytest.mark.parametrize(("target", "spec"), PAIRS, ids=IDS)
def test_host_rpmspec_reads_it_with_target_names(target: str, spec: Path, tmp_path: Path) -> None:
    t = TARGETS[target]
    text = normalized(spec, target)
    macros = write_macro_files(t, tmp_path / "macros.d")
    ok, build_requires = run_rpmspec(text, macros, "-q", "--buildrequires")
    assert ok, build_requires
    ok, requires = run_rpmspec(text, macros, "-q", "--requires")
    assert ok, requires
    names = build_requires.split() + requires.split()
    if t.family == "deb":
        for name in names:
            assert not name.endswith("-devel"), name
            assert "(" not in name or name.startswith("/"), name  # no php(api), pkgconfig(), isa
        if "pecl" in spec.name:
            assert f"phpapi-{t.php_api}" in requires.split()
            assert f"php{t.php_version}-dev" in build_requires.split()
    else:
        if "pecl" in spec.name:
            assert f"php(zend-abi) = {t.php_zend_api}-64" in requires


def test_debian12_yaml_requires_phpapi() -> None:
    text = normalized(REPO / "specs" / "php-pecl-yaml.spec", "debian-12")
    assert "Requires:       phpapi-20220829\n" in text
    assert "BuildRequires:  libyaml-dev, pkg-config\n" in text


@pytest.mark.container
def test_el8_results_parse_with_rpm_414(
    engine: object, base_images: Callable[[str], str], tmp_path: Path
) -> None:
    try:
        from specport.sandbox.checkold import check_in_container
    except ImportError as exc:  # pragma: no cover - the runner module is another part
        pytest.skip(f"container runner not available: {exc}")
    image = base_images("ubuntu-20.04")
    target = TARGETS["el8-php7.4"]
    macros = write_macro_files(target, tmp_path / "macros.d")
    jobs = [(target.name, s.name, normalized(s, target.name), macros) for s in SPECS]
    # control: the raw yaml spec (%bcond, %elif) must fail there, or the check proves nothing
    raw = (REPO / "specs" / "php-pecl-yaml.spec").read_text(encoding="utf-8")
    jobs.append((target.name, "raw php-pecl-yaml.spec", raw, macros))
    results = check_in_container(jobs, tmp_path / "check.log", image=image)
    assert all("4.14" in r.tool for r in results)
    *normal, control = results
    assert [r.detail for r in normal if not r.ok] == []
    assert not control.ok and "bcond" in control.detail


@pytest.mark.container
def test_debbuild_reads_the_debian_results(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path
) -> None:
    from specport.sandbox.checkold import check_with_debbuild

    target = TARGETS["debian-12"]
    image = builder_images(target.name)
    macros = write_macro_files(target, tmp_path / "macros.d")
    jobs = [(s.name, normalized(s, target.name), macros) for s in SPECS]
    # control: debbuild rejects the raw yaml spec (%bcond; dash chokes on ${c:0:7})
    raw = (REPO / "specs" / "php-pecl-yaml.spec").read_text(encoding="utf-8")
    jobs.append(("raw", raw, macros))
    *normal, control = check_with_debbuild(target.name, image, jobs, tmp_path / "log")
    assert [(r.spec, r.detail) for r in normal if not r.ok] == []
    assert not control.ok
