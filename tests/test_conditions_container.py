"""The %if branches specport decides are the ones the real readers take: debbuild 24.12 in the
debian-12 builder image (`debbuild --showpkgs` lists one subpackage per condition taken), and
rpm 4.18's rpmspec in the same image for the rpm dialect, with el8-php7.4's macros."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from specport.config import load_config
from specport.normalize.conditions import spec_view
from specport.normalize.lines import split_lines
from specport.normalize.macrofiles import write_macro_files
from specport.normalize.model import Bconds
from specport.targets.facts import spec_macros

pytestmark = pytest.mark.container

SPEC = Path(__file__).resolve().parent / "data" / "conditions" / "specport-conds.spec"
TARGETS = load_config(None).targets


def taken(text: str, target: str, bconds: Bconds, reader: str) -> set[str]:
    """The subpackages (c01, c02, ...) whose %if specport decides true for `reader`; each must
    be decided."""
    lines = split_lines(text)
    out = set()
    for decision in spec_view(lines, TARGETS[target], bconds, reader=reader).decisions:
        package = re.match(r"%package (c\d+)$", lines[decision.line].text)  # the line after
        if package is None:
            continue  # a condition of the setup, not one under test
        assert decision.truth is not None, decision
        if decision.truth:
            out.add(package.group(1))
    return out


def run_in(engine: object, image: str, directory: Path, command: str) -> str:
    from specport.container.runs import Throwaway

    log = directory.parent / "conds.log"
    with Throwaway(engine, image, log_path=log, purpose="test-conditions") as box:  # type: ignore[arg-type]
        box.copy_in(directory, "/", name="conds")
        return box.run(command, timeout=300).output


@pytest.mark.parametrize(
    "bconds", [Bconds(), Bconds(with_=("extra", "tests"), without=("docs",))], ids=["plain", "with"]
)
def test_debbuild_takes_the_branches_specport_decides(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path, bconds: Bconds
) -> None:
    image = builder_images("debian-12")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / SPEC.name).write_text(SPEC.read_text())
    command = f"cd /tmp && debbuild -v --showpkgs {shlex.join(bconds.args())} /conds/{SPEC.name}"
    out = run_in(engine, image, tmp_path / "in", command)
    listed = set(re.findall(r"^specport-conds-(c\d+)_", out, re.M))
    assert listed == taken(SPEC.read_text(), "debian-12", bconds, "debbuild"), out


# conditions rpm answers (it refuses bare words and undefined %{x}, which debbuild takes); the
# spec is not noarch, so %ifarch is asked of the machine's arch (x86_64 here, as el8-php7.4's)
RPM_CONDITIONS = [
    "0%{?scl:1} && 0%{?rhel}",
    '"%{?vendor}" == "debbuild"',
    "%{with_tests}",
    '0%{?rhel} >= 8 && "a" == "a"',
    "0%{?zero:1}",
    '"%{?name}" == "specport-rpmconds"',
    '"%{php_version}" > "5.6"',
    '"%{?scl_prefix}" != "%{?sub_prefix}"',
    "%{with extra}",
    "%{without docs}",
    '"%{pkg_name}" == "specport-rpmconds"',
    "0%{?el8}",
    "%ifarch x86_64",
    "%ifnarch x86_64",
    "%ifarch aarch64 x86_64",
    "%ifos linux",
]


def rpm_spec() -> str:
    head = (
        "Name: specport-rpmconds\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n"
        "%global zero 0\n%global with_tests 0%{?_with_tests:1}\n"
        "%if 0%{?scl:1}\n%global sub_prefix %{scl_prefix}\n%endif\n"
        "%{!?scl: %global pkg_name %{name}}\n%bcond_with extra\n%bcond_without docs\n"
        "%description\nd\n%files\n"
    )
    blocks = [
        f"{c if c.startswith('%if') else '%if ' + c}\n"
        f"%package {n}\nSummary: s\n%description {n}\nc\n%files {n}\n%endif\n"
        for n, c in ((f"c{k:02d}", c) for k, c in enumerate(RPM_CONDITIONS, start=1))
    ]
    return head + "".join(blocks)


@pytest.mark.parametrize("name", ["el8-php7.4", "debian-12"])
def test_rpm_takes_the_branches_specport_decides(
    engine: object, builder_images: Callable[[str], str], tmp_path: Path, name: str
) -> None:
    # el8's rpm, and the rpmspec that reads a debian-12 spec in the build's sandbox query (what
    # apt installs): the target's macro files and facts loaded, as the build loads them
    target = TARGETS[name]
    image = builder_images("debian-12")
    directory = tmp_path / "in"
    directory.mkdir()
    (directory / "rpmconds.spec").write_text(rpm_spec())
    files = write_macro_files(target, directory / "macros")
    argv = ["rpmspec", "-q", "--qf", "%{name}\\n"]
    for f in files:
        argv += ["--load", f"/conds/macros/{f.name}"]
    for k, v in spec_macros(target).items():
        argv += ["--define", f"{k} {v}"]
    for bconds in (Bconds(), Bconds(with_=("extra", "tests"), without=("docs",))):
        switches = [a for k, v in bconds.defines().items() for a in ("--define", f"{k} {v}")]
        command = f"cd /tmp && {shlex.join([*argv, *switches, '/conds/rpmconds.spec'])}"
        out = run_in(engine, image, directory, command)
        listed = set(re.findall(r"^specport-rpmconds-(c\d+)$", out, re.M))
        assert listed == taken(rpm_spec(), name, bconds, "rpm"), out
