"""normalize over a spec set: built here, --keep-going, --report, -o collisions; the live index
(container-marked: it fetches bookworm's index from the host's mirror)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from specport.cli import cli

LIB = """Name: php-acme-lib
Version: 1.0
Release: 1
Summary: lib
License: MIT
Provides: php-composer(acme/lib) = 1.0
%description
lib
"""
APP = """Name: php-acme-app
Version: 1.0
Release: 1
Summary: app
License: MIT
Requires: php-composer(acme/lib) >= 1.0
Requires: gcc
%description
app
"""
BAD = "Name: php-acme-bad\nVersion: 1\nRelease: 1\nRequires: nope-nothing\n"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_spec_set_report_and_collisions(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lib, app, bad = tmp_path / "lib.spec", tmp_path / "a" / "app.spec", tmp_path / "bad.spec"
    twin = tmp_path / "b" / "app.spec"
    lib.write_text(LIB)
    app.write_text(APP)
    twin.write_text(APP)
    bad.write_text(BAD)
    report, out = tmp_path / "report.json", tmp_path / "out"
    code, _ = invoke(
        "normalize", str(bad), str(lib), str(app), str(twin), "--target", "debian-12",
        "--no-index", "--keep-going", "--report", str(report), "-o", str(out),
    )  # fmt: skip
    assert code == 1  # bad.spec failed; --keep-going went on with the others
    doc = json.loads(report.read_text())
    by_spec = {e["spec"]: e for e in doc["specs"]}
    assert set(by_spec) == {str(bad), str(lib), str(app), str(twin)}
    assert by_spec[str(bad)]["status"] == "failed"
    assert by_spec[str(bad)]["unresolved"] == ["nope-nothing"]
    assert by_spec[str(bad)]["output"] is None
    entry = by_spec[str(app)]
    assert entry["status"] == "ok" and entry["error"] is None
    assert {
        "fedora": "php-composer(acme/lib)",
        "target": "php-acme-lib",
        "how": f"built here by {lib}",
    } in entry["dependencies"]
    # two specs named php-acme-app: each keeps its own file
    assert entry["output"] == str(out / "debian-12" / "php-acme-app@1.spec")
    assert by_spec[str(twin)]["output"] == str(out / "debian-12" / "php-acme-app@2.spec")
    assert (
        "Requires: php-acme-lib >= 1.0" in (out / "debian-12" / "php-acme-app@1.spec").read_text()
    )


def test_an_unreadable_spec_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    broken, lib = tmp_path / "broken.spec", tmp_path / "lib.spec"
    broken.write_bytes(b"Name: x\n\xff\xfe\n")
    lib.write_text(LIB)
    report = tmp_path / "r.json"
    code, _ = invoke(
        "normalize", str(broken), str(lib), "--target", "debian-12", "--no-index",
        "--keep-going", "--report", str(report),
    )  # fmt: skip
    assert code == 1
    entries = json.loads(report.read_text())["specs"]
    assert [(e["spec"], e["status"]) for e in entries] == [
        (str(broken), "failed"),
        (str(lib), "ok"),
    ]
    assert "cannot read the spec" in entries[0]["error"]


def test_without_keep_going_the_first_failure_stops(tmp_path: Path) -> None:
    bad, lib = tmp_path / "bad.spec", tmp_path / "lib.spec"
    bad.write_text(BAD)
    lib.write_text(LIB)
    report = tmp_path / "r.json"
    code, _ = invoke(
        "normalize", str(bad), str(lib), "--target", "debian-12", "--no-index",
        "--report", str(report),
    )  # fmt: skip
    assert code == 1
    assert [e["spec"] for e in json.loads(report.read_text())["specs"]] == [str(bad)]


@pytest.mark.container
def test_live_index_update_for_debian_12(tmp_path: Path) -> None:
    env = {"SPECPORT_CACHE_DIR": str(tmp_path / "cache")}
    code, out = invoke("index", "update", "--target", "debian-12", env=env)
    assert code == 0, out
    code, out = invoke("index", "list", env=env)
    assert code == 0 and "debian-12" in out
    spec = tmp_path / "x.spec"
    spec.write_text(
        "Name: x\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\n"
        "BuildRequires: %{_bindir}/xsltproc, pkgconfig(libxml-2.0), php-pcre\n"
        "Requires: php-composer(symfony/console), php-pear(PEAR), perl(XML::Parser)\n"
        "%description\nx\n"
    )
    code, out = invoke(
        "normalize", str(spec), "--target", "debian-12", "--offline",
        env={**env, "SPECPORT_INDEX": "auto"},
    )  # fmt: skip
    assert code == 0, out
    assert "BuildRequires: xsltproc, libxml2-dev, pkg-config, php8.2-common" in out
    assert "Requires: php-symfony-console, php-pear, libxml-parser-perl" in out
