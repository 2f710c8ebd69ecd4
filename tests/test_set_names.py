"""What a spec set builds answers for names (normalize/provided.py): its packages, Provides,
.pc and CMake files, Python distributions and paths; the one resolver normalize, graph and build
share with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_index_routes import TARGETS, fixture_index

from specport.config import load_config
from specport.graph.sets import graph_of_texts
from specport.index.debresolver import IndexResolver
from specport.index.resolvers import make_resolvers
from specport.normalize.deps import UnresolvedError
from specport.normalize.lines import split_lines
from specport.normalize.passes import normalize
from specport.normalize.provided import provided_names
from specport.normalize.resolver import BuiltHere

LIB = """Name: libgreet
Version: 1.0
Release: 1
Summary: l
License: MIT
%description
l
%package devel
Summary: d
Provides: greet-headers = 1.0
%description devel
d
%files
%{_libdir}/libgreet.so.1*
%files devel
%{_includedir}/greet.h
%{_libdir}/pkgconfig/libgreet.pc
%{_bindir}/greet-config
%{_libdir}/cmake/Greet/
"""
CLI = """Name: greet-cli
Version: 1.0
Release: 1
Summary: c
License: MIT
BuildRequires: pkgconfig(libgreet), %{_bindir}/greet-config, greet-headers
%description
c
"""


def test_provided_names_of_a_spec() -> None:
    names = provided_names(split_lines(LIB), TARGETS["debian-12"])
    assert names["pkgconfig(libgreet)"] == "libgreet-devel"
    assert names["/usr/bin/greet-config"] == "libgreet-devel"
    assert names["/usr/include/greet.h"] == "libgreet-devel"
    assert names["greet-headers"] == "libgreet-devel"
    assert "/usr/lib/x86_64-linux-gnu/libgreet.so.1*" not in names  # a glob: no name
    # rpm's generator names cmake(Greet) and cmake(greet) after cmake/Greet/GreetConfig.cmake
    assert names["cmake(Greet)"] == names["cmake(greet)"] == "libgreet-devel"


def test_a_python_package_of_the_set_answers_to_python3dist() -> None:
    """rpm's generator gives python3dist(x) from the dist-info; a set's spec that needs it asks
    for it by that name (%pyproject_buildrequires, Requires)."""
    spec = """Name: python-sp-util
Version: 1.0
Release: 1
Summary: s
License: MIT
%description
s
%package -n python3-sp-util
Summary: s
%description -n python3-sp-util
s
%package -n python3-legacy
Summary: l
%description -n python3-legacy
l
%files -n python3-sp-util -f %{pyproject_files}
%files -n python3-legacy
%{python3_sitelib}/Legacy_Thing-1.0-py3.11.egg-info/
"""
    names = provided_names(split_lines(spec), TARGETS["debian-12"])
    assert names["python3dist(sp-util)"] == "python3-sp-util"
    assert names["python3dist(legacy-thing)"] == "python3-legacy"
    assert "python3dist(python-sp-util)" not in names


def test_normalize_graph_and_build_resolve_a_set_alike(tmp_path: Path) -> None:
    lib, cli_spec = tmp_path / "libgreet.spec", tmp_path / "greet-cli.spec"
    lib.write_text(LIB)
    cli_spec.write_text(CLI)
    target = TARGETS["debian-12"]
    resolvers = make_resolvers([target], {lib: LIB, cli_spec: CLI}, load_config(None).settings,
                               "off")  # fmt: skip
    chosen = resolvers["debian-12"]
    assert isinstance(chosen, BuiltHere)
    # normalize and build (prepare normalizes with the same resolver)
    text = normalize(CLI, target, resolver=chosen).text
    assert "BuildRequires: libgreet-devel, pkg-config\n" in text
    # graph: the same edge
    tg = graph_of_texts([(str(lib), LIB), (str(cli_spec), CLI)], target, chosen)
    assert [(e.spec, e.needs) for e in tg.graph.edges] == [(1, 0)]
    assert tg.waves == ((0,), (1,))
    # without the set, the names are refused the same way everywhere
    with pytest.raises(UnresolvedError):
        normalize(CLI, target, resolver=IndexResolver(target, fixture_index("debian-12")))
