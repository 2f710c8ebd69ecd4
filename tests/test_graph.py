"""specport graph: records read from the normalized specs, edges, waves, cycles, the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specport.config import load_config
from specport.graph.cycles import find_cycles
from specport.graph.model import SpecRecord, build_graph
from specport.graph.records import record_from_spec
from specport.graph.setnames import point_at_set, requires_renames
from specport.graph.sets import TargetGraph, graph_of_texts, target_graph
from specport.graph.waves import waves

DATA = Path(__file__).parent / "data" / "graph"
SPECS = sorted(DATA.glob("*.spec"))
TARGETS = load_config(None).targets


def specport(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=120
    )


def fixture_graph(target: str) -> TargetGraph:
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in SPECS]
    return graph_of_texts(texts, TARGETS[target])


def names(tg: TargetGraph) -> list[list[str]]:
    return [sorted(tg.label(i) for i in wave) for wave in tg.waves]


@pytest.mark.parametrize("target", ["debian-12", "el8-php7.4", "ubuntu-20.04"])
def test_fixture_set_in_three_waves(target: str) -> None:
    tg = fixture_graph(target)
    assert names(tg) == [["libspfoo"], ["php-pecl-spfoo", "spfoo-tool"], ["php-spbar"]]
    edges = {(tg.label(e.spec), tg.label(e.needs)) for e in tg.graph.edges}
    assert edges == {
        ("spfoo-tool", "libspfoo"),
        ("php-pecl-spfoo", "libspfoo"),
        ("php-spbar", "php-pecl-spfoo"),
    }
    assert tg.cycles == ()


def test_deb_edges_go_through_the_target_names() -> None:
    # normalized without the set's names (one spec of an earlier CI wave), the normalizer writes
    # libspfoo-dev (Debian's name); the set builds libspfoo-devel
    tg = fixture_graph("debian-12")
    vias = {(tg.label(e.spec), e.via, e.package) for e in tg.graph.edges}
    assert ("spfoo-tool", "libspfoo-dev", "libspfoo-devel") in vias
    assert ("php-spbar", "php-spfoo", "php-pecl-spfoo") in vias
    tool = next(r for r in tg.records if r.name == "spfoo-tool")
    assert "libspfoo-dev" in tool.build_requires and "pkg-config" in tool.build_requires


def test_pkgconfig_files_and_php_abi_in_records() -> None:
    tg = fixture_graph("el8-php7.4")
    lib = next(r for r in tg.records if r.name == "libspfoo")
    assert "pkgconfig(spfoo)=libspfoo-devel" in lib.provides
    ext = next(r for r in tg.records if r.name == "php-pecl-spfoo")
    assert {"php(api)", "php(zend-abi)", "phpapi-20190902"} <= set(ext.requires)
    tool = next(r for r in tg.records if r.name == "spfoo-tool")
    assert not any(r.startswith("php") for r in tool.requires)


def test_pkgconfig_build_requires_finds_the_devel_package() -> None:
    spec = (
        (DATA / "spfoo-tool.spec")
        .read_text()
        .replace("BuildRequires:  libspfoo-devel", "BuildRequires:  pkgconfig(spfoo)")
    )
    texts = [(str(DATA / "libspfoo.spec"), (DATA / "libspfoo.spec").read_text()), ("t", spec)]
    tg = graph_of_texts(texts, TARGETS["el8-php7.4"])
    assert [(e.via, e.package) for e in tg.graph.edges] == [("pkgconfig(spfoo)", "libspfoo-devel")]


def rec(name: str, needs: tuple[str, ...] = ()) -> SpecRecord:
    return SpecRecord(f"{name}.spec", name, (name,), (), needs)


def test_cycle_is_reported_with_the_edge_that_closes_it() -> None:
    records = [rec("a", ("b",)), rec("b", ("c",)), rec("c", ("a",)), rec("d", ("a",)), rec("e")]
    graph = build_graph(records)
    (cycle,) = find_cycles(graph)
    assert cycle.members == (0, 1, 2)
    assert len(cycle.closing) == 1  # one edge breaks it
    broken = [e for e in graph.edges if e not in cycle.closing]
    assert find_cycles(build_graph_from(records, broken)) == []
    # the cycle shares a wave; what needs it comes after
    assert waves(graph) == [[0, 1, 2, 4], [3]]


def build_graph_from(records: list[SpecRecord], edges: list[object]) -> object:
    from specport.graph.model import Graph

    return Graph(tuple(records), tuple(edges))  # type: ignore[arg-type]


def test_waves_are_longest_paths() -> None:
    records = [rec("a"), rec("b", ("a",)), rec("c", ("b",)), rec("d", ("a",)), rec("e", ("c", "d"))]
    assert waves(build_graph(records)) == [[0], [1, 3], [2], [4]]


def test_self_requirement_and_unknown_names_make_no_edge() -> None:
    records = [rec("a", ("a", "gcc", "make"))]
    assert build_graph(records).edges == ()


def test_dependents_are_transitive() -> None:
    graph = build_graph([rec("a"), rec("b", ("a",)), rec("c", ("b",)), rec("d")])
    assert graph.dependents({0}) == {1, 2}
    assert graph.dependents({2}) == set()


def test_graph_command_text_dot_json() -> None:
    args = [str(p) for p in SPECS]
    text = specport("graph", *args, "-t", "debian-12,el9-php8.2")
    assert text.returncode == 0, text.stderr
    assert "debian-12: 4 specs, 3 edges, 3 waves" in text.stdout
    assert "  wave 2: php-pecl-spfoo, spfoo-tool" in text.stdout
    # the set's own names are "built here" for normalize (normalize/resolver.py BuiltHere)
    assert "spfoo-tool -> libspfoo (libspfoo-devel)" in text.stdout
    assert "el9-php8.2: 4 specs, 3 edges, 3 waves" in text.stdout
    dot = specport("graph", *args, "-t", "debian-12", "--format", "dot")
    assert dot.stdout.startswith("digraph specport {")
    assert '[label="libspfoo-devel"]' in dot.stdout
    doc = json.loads(specport("graph", *args, "-t", "debian-12", "--format", "json").stdout)
    (tdoc,) = doc["targets"]
    assert tdoc["waves"] == [["libspfoo"], ["php-pecl-spfoo", "spfoo-tool"], ["php-spbar"]]
    assert {s["name"]: s["wave"] for s in tdoc["specs"]}["php-spbar"] == 3


CYCLE_A = """Name: cyc-a
Version: 1
Release: 1%{?dist}
Summary: a
License: MIT
BuildRequires: cyc-b
%description
a
%files
%changelog
"""


def test_cycle_in_the_command_and_build_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "a.spec").write_text(CYCLE_A)
    (tmp_path / "b.spec").write_text(
        CYCLE_A.replace("cyc-a", "cyc-x").replace("cyc-b", "cyc-a").replace("cyc-x", "cyc-b")
    )
    specs = [str(tmp_path / "a.spec"), str(tmp_path / "b.spec")]
    shown = specport("graph", *specs, "-t", "el9-php8.2")
    assert shown.returncode == 0
    assert "cycle: cyc-a, cyc-b: closed by" in shown.stdout
    assert "build cycle" in shown.stderr
    built = specport("build", *specs, "-t", "el9-php8.2", "-o", str(tmp_path / "out"))
    assert built.returncode == 1
    assert built.stderr.count("specport: error:") == 1
    assert "el9-php8.2: build cycle: cyc-a, cyc-b: closed by" in built.stderr


def test_point_at_set_renames_build_requires_and_requires() -> None:
    tg = fixture_graph("debian-12")
    spbar = next(i for i, r in enumerate(tg.records) if r.name == "php-spbar")
    names_ = requires_renames(tg.records, spbar)
    assert names_ == {"php-spfoo": "php-pecl-spfoo"}
    text = (
        "Name: x\nBuildRequires: php8.2-cli, php-spfoo >= 1.0\nRequires: php-spfoo\n%description\n"
    )
    new, notes = point_at_set(text, names_)
    assert "BuildRequires: php8.2-cli, php-pecl-spfoo >= 1.0\n" in new
    assert "Requires: php-pecl-spfoo\n" in new
    assert len(notes) == 2


def test_graph_of_unreadable_spec_is_one_error(tmp_path: Path) -> None:
    proc = specport("graph", str(tmp_path / "nope.spec"), "-t", "debian-12")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"specport: error: spec file {tmp_path / 'nope.spec'} does not exist"
    )


def test_record_keeps_names_no_rule_knows() -> None:
    spec = CYCLE_A.replace("BuildRequires: cyc-b", "BuildRequires: pkgconfig(nowhere-9)")
    record = record_from_spec("x.spec", spec, TARGETS["debian-12"])
    assert record.build_requires == ("pkgconfig(nowhere-9)",)


def test_target_graph_labels_duplicate_names_by_path() -> None:
    tg = target_graph(
        [rec("a"), SpecRecord("other/a.spec", "a", ("a2",), (), ())], TARGETS["debian-12"]
    )
    assert [tg.label(0), tg.label(1)] == ["a.spec", "other/a.spec"]
