"""Reading a spec on the host runs nothing from it; sources and BuildRequires come out right."""

from __future__ import annotations

from pathlib import Path

import pytest

from specport.building.engines import rpm_dep_to_deb
from specport.errors import SpecError
from specport.normalize.shell import INERT, sanitize
from specport.sandbox.specinfo import SourceRef, read_spec_info

SPEC = """\
Name: demo
Version: 1.2
Release: 3%{{?dist}}
Summary: x
License: MIT
Packager: Jane Doe <jane@example.org>
%global evil %(touch {marker})
%global lua_evil %{{lua: os.execute("touch {marker}.lua")}}
%if 0%{{?debian}}
BuildRequires: libyaml-dev >= 0.2, php-dev
%else
BuildRequires: libyaml-devel
%endif
Source0: https://example.invalid/demo-%{{version}}.tgz#/demo.tgz
Source1: demo.ini
Patch0: fix.patch
%description
Source9: not-a-source-in-description.tgz
%files
"""


def test_reading_runs_no_shell_and_finds_everything(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = SPEC.format(marker=marker)
    info = read_spec_info(text, label="demo.spec", defines={"debian": "12"})
    assert not marker.exists() and not Path(f"{marker}.lua").exists()
    assert (info.name, info.version, info.release) == ("demo", "1.2", "3")
    assert info.packager == "Jane Doe <jane@example.org>"
    assert [s.filename for s in info.sources] == ["demo.tgz", "demo.ini", "fix.patch"]
    assert info.build_requires == ("libyaml-dev >= 0.2", "php-dev")
    rpm_side = read_spec_info(text, label="demo.spec", defines={"dist": ".el8"})
    assert rpm_side.build_requires == ("libyaml-devel",) and rpm_side.release == "3.el8"


def test_sanitize_keeps_literal_percent() -> None:
    assert sanitize("a %%(not shell) %(rm -rf /) b\n") == f"a %%(not shell) {INERT} b\n"
    assert sanitize("%include /etc/shadow\nName: x\n") == "Name: x\n"


def test_broken_spec_gives_rpms_first_error_line() -> None:
    with pytest.raises(SpecError, match=r"^broken.spec: rpmspec: .*"):
        read_spec_info("Name: x\n%if\n", label="broken.spec")


def test_source_ref_url_and_name() -> None:
    ref = SourceRef("Source0", "https://example.invalid/a/b-1.tgz")
    assert (ref.url, ref.filename) == ("https://example.invalid/a/b-1.tgz", "b-1.tgz")
    assert SourceRef("Source1", "x.ini").url is None


@pytest.mark.parametrize(
    ("rpm", "deb"),
    [("a", "a"), ("a >= 1.2", "a (>= 1.2)"), ("b < 2", "b (<< 2)"), ("c > 1", "c (>> 1)")],
)
def test_rpm_dep_to_deb(rpm: str, deb: str) -> None:
    assert rpm_dep_to_deb(rpm) == deb
