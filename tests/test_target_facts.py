"""One place per fact: normalize, the build's spec query and the builder image agree on every
built-in target's macros (they once disagreed: %ubuntu was 2004 in one and 20 in another)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from specport.config import Settings, load_config
from specport.images import builder
from specport.normalize.conditions import distro_values, evaluate_condition
from specport.normalize.macrofiles import write_macro_files
from specport.normalize.passes import normalize
from specport.targets.facts import platform_macros, spec_macros

TARGETS = load_config(None).targets
pytestmark = pytest.mark.skipif(shutil.which("rpm") is None, reason="rpm is not installed")

# conditions real specs use to pick BuildRequires per distro
CONDITIONS = [
    "0%{?ubuntu} >= 2004",
    "0%{?ubuntu} == 20",
    "0%{?debian} >= 12",
    "0%{?debian} == 11",
    "0%{?rhel} >= 8",
    "0%{?rhel} == 9",
    "0%{?el8}",
    "0%{?fedora} || 0%{?rhel} >= 9",
    "! 0%{?debian} && ! 0%{?ubuntu}",
]


def rpm_eval(files: list[Path], defines: dict[str, str], expr: str) -> str:
    """What rpm makes of expr with the build's macro files loaded and its defines given, as the
    build's host-side spec query (building/prepare.py) sets them up."""
    argv = ["rpm"]
    for f in files:
        argv += ["--load", str(f)]
    for key, value in defines.items():
        argv += ["--define", f"{key} {value}"]
    done = subprocess.run(
        [*argv, "--eval", expr], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_normalize_build_and_image_use_the_same_macros(name: str, tmp_path: Path) -> None:
    target = TARGETS[name]
    # the build: the macro files prepare() writes and the defines it gives rpmspec
    build_files = write_macro_files(target, tmp_path / "build")
    defines = spec_macros(target)
    # the builder image: the macros.d its build context carries
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    builder.prepare_builder(target, Settings(cache_dir=str(tmp_path / "c")), "base:x", ctx)
    image_files = sorted((ctx / "macros.d").iterdir())
    assert [f.name for f in image_files] == [f.name for f in build_files]
    for built, baked in zip(build_files, image_files, strict=True):
        assert built.read_bytes() == baked.read_bytes(), built.name
    # normalize's view of the distro macros is the value rpm sees in the build
    for macro, value in distro_values(target).items():
        assert rpm_eval(build_files, defines, f"%{{{macro}}}") == value, macro
    for macro, value in platform_macros(target).items():
        assert rpm_eval(build_files, {}, f"%{{{macro}}}") == value, macro
    # and the %if branches normalize keeps are the ones rpm takes in the build
    for condition in CONDITIONS:
        decided = evaluate_condition(condition, target)
        assert decided is not None, condition
        rpm_says = rpm_eval(build_files, defines, f"%[{condition}]")
        assert decided == (rpm_says not in ("0", "")), (condition, rpm_says)
    # the normalized spec carries the same %dist
    text = normalize("Name: x\n", target).text
    assert f"%global dist {defines['dist']}\n" in text


def test_ubuntu_version_macro_is_the_release_without_its_dot() -> None:
    assert distro_values(TARGETS["ubuntu-20.04"]) == {"ubuntu": "2004"}
    assert distro_values(TARGETS["debian-12"]) == {"debian": "12"}
    assert distro_values(TARGETS["el8-php7.4"]) == {"rhel": "8", "el8": "1"}
