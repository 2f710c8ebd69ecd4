"""Fedora's Python packaging for debbuild, without a container: %generate_buildrequires with
%pyproject_buildrequires (normalize/pyproject.py), the requirements read from a source archive
(building/pyreqs.py), the shared %_description written into each section (descriptions.py), and
the Depends of the post-step from a package's metadata (debfix.sh py_deps). The build itself is
tests/test_python_container.py."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from debian.deb822 import Deb822
from test_debfix import CTX, unpacked

from specport.building import debfix, pyreqs
from specport.building.plan import Pair
from specport.building.prepare import prepare
from specport.building.sources import SourceSearch
from specport.config import load_config
from specport.errors import SpecError
from specport.forks.specedit import source0
from specport.index.resolvers import make_resolvers
from specport.normalize.errors import UnresolvedError
from specport.normalize.passes import normalize
from specport.normalize.pyproject import PyprojectRequest, parse_marker
from specport.normalize.resolver import RuleResolver
from specport.targets import load_targets

TARGETS = load_targets()
DEB12 = TARGETS["debian-12"]
FIXTURE = Path(__file__).parent / "data" / "debbuild" / "python-spgreet.spec"
HEAD = "Name: python-x\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n"
TAIL = "%description\nd\n%prep\n%autosetup\n%generate_buildrequires\n{}\n%build\n%pyproject_wheel\n"


def _normalize(call: str, target: str = "debian-12") -> str:
    return normalize(HEAD + TAIL.format(call), TARGETS[target]).text


def test_the_fixture_gets_a_marker_and_the_shims_tools() -> None:
    result = normalize(FIXTURE.read_text(), DEB12)
    assert "%generate_buildrequires" not in result.text.replace("%%generate", "")
    assert parse_marker(result.text) == PyprojectRequest(("test",), True)
    assert "BuildRequires: python3-pip\nBuildRequires: python3-wheel\n" in result.text
    # the marker and the tools sit in the main preamble, before the first section
    preamble = result.text.split("%description", 1)[0]
    assert "# specport-pyproject-buildrequires: extras=test runtime=1" in preamble
    assert any(c.pass_name == "pyproject" for c in result.changes)


@pytest.mark.parametrize(
    ("call", "request_"),
    [
        ("%pyproject_buildrequires", PyprojectRequest((), True)),
        ("%pyproject_buildrequires -R", PyprojectRequest((), False)),
        ("%{pyproject_buildrequires} -x a,b -xc -t", PyprojectRequest(("a", "b", "c"), True)),
        # the branch the target takes: no --with tests, so no test extra
        (
            "%if %{with tests}\n%pyproject_buildrequires -x test\n%else\n"
            "%pyproject_buildrequires\n%endif",
            PyprojectRequest((), True),
        ),
    ],
)
def test_pyproject_buildrequires_options(call: str, request_: PyprojectRequest) -> None:
    assert parse_marker(_normalize(call)) == request_


def test_other_generators_are_refused_by_name() -> None:
    with pytest.raises(SpecError, match="debbuild has no dynamic build dependencies"):
        _normalize("%cargo_generate_buildrequires")
    with pytest.raises(SpecError, match="%generate_buildrequires"):
        _normalize("%pyproject_buildrequires --unknown-option")


def test_rpm_targets_keep_the_section() -> None:
    text = _normalize("%pyproject_buildrequires", "el9-php8.2")
    assert "%generate_buildrequires\n%pyproject_buildrequires\n" in text
    assert parse_marker(text) is None


# --- the shared description -------------------------------------------------------------------
def test_a_shared_description_is_written_into_each_section() -> None:
    spec = (
        HEAD + "%global _description %{expand:\nFirst line.\n\nSecond, with %{name}.}\n"
        "%global other \\\nOne line\\\nand two\n"
        "%description %_description\n%package -n python3-x\nSummary: s\n"
        "%description -n python3-x %{_description}\n%package doc\nSummary: s\n"
        "%description doc %{?other}\n%prep\n"
    )
    text = normalize(spec, DEB12).text
    assert "%description\nFirst line.\n\nSecond, with %{name}.\n%package" in text
    assert "%description -n python3-x\nFirst line.\n" in text
    assert "%description doc\nOne line\nand two\n%prep" in text
    assert "%description %_description" in normalize(spec, TARGETS["el9-php8.2"]).text


# --- requirements from the source archive ------------------------------------------------------
PYPROJECT = """
[build-system]
requires = ["hatchling>=1.8", "hatch-vcs"]
build-backend = "hatchling.build"
[project]
name = "demo"
dependencies = [
    "Six >= 1.10, < 2", "tomli; python_version < '3.11'", "pywin32; sys_platform == 'win32'"
]
[project.optional-dependencies]
test = ["pytest ~= 7.0", "coverage[toml]"]
"""
SETUP_CFG = """
[options]
install_requires =
    requests>=2.0
[options.extras_require]
test = pytest
"""


def _tarball(path: Path, files: dict[str, str], top: str = "demo-1.0/") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(top + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_requirements_of_a_pep621_project(tmp_path: Path) -> None:
    archive = _tarball(
        tmp_path / "demo-1.0.tar.gz", {"pyproject.toml": PYPROJECT, "a/setup.cfg": ""}
    )
    files = pyreqs.project_files(archive)
    assert set(files) == {"pyproject.toml"}  # a deeper setup.cfg is not the project's
    reqs = pyreqs.requirements(files, PyprojectRequest(("test",), True), "demo")
    deps = pyreqs.python3dist(reqs, "3.11", ("test",))
    assert [d.render() for d in deps] == [
        "python3dist(hatchling) >= 1.8",
        "python3dist(hatch-vcs)",
        "python3dist(six) >= 1.10",  # the lower bound only: Debian has one six
        "python3dist(pytest) >= 7.0",
        "python3dist(coverage)",
    ]
    # focal's Python 3.8: tomli's marker holds there
    assert "python3dist(tomli)" in [d.render() for d in pyreqs.python3dist(reqs, "3.8", ())]


def test_setup_cfg_when_the_metadata_is_dynamic_or_absent(tmp_path: Path) -> None:
    toml = (
        '[build-system]\nrequires = ["setuptools"]\n[project]\nname="d"\ndynamic=["dependencies"]\n'
    )
    files = {"pyproject.toml": toml, "setup.cfg": SETUP_CFG}
    reqs = pyreqs.requirements(files, PyprojectRequest(("test",), True), "d")
    assert reqs == ["setuptools", "requests>=2.0", "pytest"]
    # no pyproject.toml at all: setuptools' PEP 517 fallback; -R: no run-time requirements
    reqs = pyreqs.requirements({"setup.cfg": SETUP_CFG}, PyprojectRequest((), False), "d")
    assert reqs == ["setuptools>=40.8", "wheel"]
    # setuptools' backend also asks for setup.cfg's setup_requires
    cfg = "[options]\nsetup_requires =\n    setuptools_scm\n"
    reqs = pyreqs.requirements({"setup.cfg": cfg}, PyprojectRequest((), False), "d")
    assert reqs == ["setuptools>=40.8", "wheel", "setuptools_scm"]
    # setup.py alone (python-btrfs): the fallback; what setup.py computes is not read
    reqs = pyreqs.requirements({"setup.py": "x"}, PyprojectRequest((), True), "d")
    assert reqs == ["setuptools>=40.8", "wheel"]


SETUP_PY = """
import os, sys
from setuptools import setup
BASE = ["cffi>=1.0"]
BUILD = BASE + []
LATER = ["a"]
LATER += ["b"]
TWICE = ["x"]
TWICE = ["y"]
if sys.version_info < (3, 6):
    BUILD.append("never-read")
setup(
    name="demo",
    setup_requires=BUILD,
    install_requires=["six>=1.10", "attrs; python_version < '3'"],
    extras_require={"test": ("pytest",), "docs": LATER},
    tests_require=TWICE,
    version=open(os.path.join("demo", "VERSION")).read(),
    **{"zip_safe": False},
)
"""


def test_the_literal_lists_of_setup_py_are_read_never_run() -> None:
    """focal's cmarkgfm and pyee: setup_requires written in setup.py (cffi, pytest-runner)."""
    found = pyreqs.setup_py_literals(SETUP_PY)
    assert found["setup_requires"] == ["cffi>=1.0"]
    assert "version" not in found and "zip_safe" not in found  # computed, or behind **
    assert "tests_require" not in found  # a name bound twice
    assert found["extras_require"] == {"test": ["pytest"]}  # "docs": LATER is computed
    reqs = pyreqs.requirements({"setup.py": SETUP_PY}, PyprojectRequest(("test",), True), "d")
    assert reqs == [
        "setuptools>=40.8", "wheel", "cffi>=1.0", "six>=1.10", "attrs; python_version < '3'",
        "pytest",
    ]  # fmt: skip
    names = [d.render() for d in pyreqs.python3dist(reqs, "3.8", ("test",))]
    assert "python3dist(attrs)" not in names and "python3dist(six) >= 1.10" in names
    # setup.cfg's lists come first; a setup.py that is not Python is no list at all
    cfg = "[options]\nsetup_requires =\n    setuptools_scm\n"
    files = {"setup.py": SETUP_PY, "setup.cfg": cfg}
    assert "cffi>=1.0" not in pyreqs.requirements(files, PyprojectRequest((), False), "d")
    assert pyreqs.setup_py_literals("setup(setup_requires=[") == {}
    assert pyreqs.setup_py_literals("(" * 100_000) == {}
    # another build backend: setup.py is not its metadata
    toml = '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'
    files = {"setup.py": SETUP_PY, "pyproject.toml": toml}
    assert pyreqs.requirements(files, PyprojectRequest((), False), "d") == ["flit_core"]


def test_a_zip_archive_and_the_size_cap(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("demo-1.0/pyproject.toml", PYPROJECT)
        z.writestr("demo-1.0/setup.cfg", "x" * (pyreqs.MAX_MEMBER + 1))
    assert set(pyreqs.project_files(archive)) == {"pyproject.toml"}


def test_build_requires_translates_and_refuses_with_reasons(tmp_path: Path) -> None:
    archive = _tarball(tmp_path / "demo-1.0.tar.gz", {"pyproject.toml": PYPROJECT})
    request = PyprojectRequest((), True)
    items = pyreqs.build_requires(archive, request, DEB12, RuleResolver(DEB12), "demo.spec")
    assert items == ["python3-hatchling >= 1.8", "python3-hatch-vcs", "python3-six >= 1.10"]
    text = pyreqs.add_at_marker(f"A\n{request.render()}\nB", items, "demo-1.0.tar.gz")
    assert text.splitlines()[2:5] == [
        "# read from demo-1.0.tar.gz by specport build",
        "BuildRequires: python3-hatchling >= 1.8",
        "BuildRequires: python3-hatch-vcs",
    ]
    empty = _tarball(tmp_path / "empty-1.0.tar.gz", {"README": "x"})
    with pytest.raises(SpecError, match=r"has no pyproject\.toml, setup\.cfg or setup\.py"):
        pyreqs.build_requires(empty, request, DEB12, RuleResolver(DEB12), "demo.spec")


class _Refusing(RuleResolver):
    def resolve(self, name: str):  # type: ignore[no-untyped-def]
        return None if name == "python3dist(six)" else super().resolve(name)


def test_an_unknown_requirement_is_one_clear_refusal(tmp_path: Path) -> None:
    archive = _tarball(tmp_path / "demo-1.0.tar.gz", {"pyproject.toml": PYPROJECT})
    with pytest.raises(UnresolvedError, match="no debian-12 counterpart: python3dist\\(six\\)"):
        pyreqs.build_requires(
            archive, PyprojectRequest((), True), DEB12, _Refusing(DEB12), "demo.spec"
        )


# --- the post-step's Depends from the package's metadata ----------------------------------------
@pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="needs dpkg")
def test_py_deps_of_a_built_package(tmp_path: Path) -> None:
    # the build environment here is the host: python3-rpm is one of its packages (host-packages)
    tree = tmp_path / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: python3-demo\nVersion: 1.0-1+deb12\nArchitecture: all\n"
    )
    info = tree / "usr/lib/python3/dist-packages/demo-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: rpm\n"
        "Requires-Dist: no-such-dist>=1\nRequires-Dist: pytest; extra == 'test'\n"
        "Requires-Dist: Demo\n"
    )
    meta = unpacked(tree, tmp_path)
    lines = (meta / "pydeps").read_text().splitlines()
    assert sorted(lines) == ["dep python3", "dep python3-rpm", "missing no-such-dist"]
    changes = debfix.fix_package(meta, CTX)
    assert Deb822((meta / "DEBIAN" / "control").read_text())["Depends"] == "python3, python3-rpm"
    assert any("lacks (no Depends added for them): no-such-dist" in c for c in changes)


def test_a_section_in_a_branch_the_target_never_takes_stays_as_it_is() -> None:
    body = (
        "%description\nd\n%prep\n%autosetup\n%if 0%{?fedora}\n%generate_buildrequires\n"
        "%pyproject_buildrequires\n%endif\n%build\n"
    )
    text = normalize(HEAD + body, DEB12).text
    assert "%if 0%{?fedora}\n%generate_buildrequires\n%pyproject_buildrequires\n%endif" in text
    assert parse_marker(text) is None
    # a live section inside an %if that begins before it: the %endif stays with its %if
    body = body.replace("0%{?fedora}", "0%{?debian}")
    text = normalize(HEAD + body, DEB12).text
    assert parse_marker(text) is not None
    assert "%autosetup\n%if 0%{?debian}\n%endif\n%build" in text


def test_pypi_source_becomes_its_file_name_and_extras_subpackages_go() -> None:
    spec = (
        "%global pypi_name Demo_Pkg\n" + HEAD + "Source0: %{pypi_source}\n"
        "Source1: %{pypi_source %{pypi_name} 2.0 zip}\n"
        "%pyproject_extras_subpkg -n python3-x aio\n%py_provides python3-%{name}\n"
        "%description\nd\n"
    )
    result = normalize(spec, DEB12)
    assert "Source0: %{pypi_name}-%{version}.tar.gz\n" in result.text
    assert "Source1: %{pypi_name}-2.0.zip\n" in result.text
    assert "# specport dropped: %%pyproject_extras_subpkg -n python3-x aio\n" in result.text
    assert "Provides: python3-%{name}\n" in result.text
    assert "pypi" not in "".join(c.reason for c in result.changes if "extras" in c.reason)


def test_rebase_reads_a_pypi_source() -> None:

    spec = "%global srcname Cmark\nName: python-c\nVersion: 0.8\n"
    assert source0(spec + "Source0: %{pypi_source %{srcname} %{version} zip}\n") == "Cmark-0.8.zip"
    assert source0("%global pypi_name x\n" + spec + "Source: %{pypi_source}\n") == "x-0.8.tar.gz"


def test_a_link_or_a_device_named_pyproject_toml_is_not_read(tmp_path: Path) -> None:
    # the archive is untrusted: only regular members are read, never followed
    archive = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        link = tarfile.TarInfo("demo-1.0/pyproject.toml")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
        dev = tarfile.TarInfo("demo-1.0/setup.cfg")
        dev.type = tarfile.CHRTYPE
        tar.addfile(dev)
    assert pyreqs.project_files(archive) == {}
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(SpecError, match=r"cannot read broken\.tar\.gz"):
        pyreqs.project_files(tmp_path / "broken.tar.gz")


# --- specport build's host side: the requirements go into the spec and the build's info ---------
def test_prepare_adds_the_archives_requirements(tmp_path: Path) -> None:

    sources = tmp_path / "sources"
    sources.mkdir()
    with tarfile.open(sources / "spgreet-1.0.tar.gz", "w:gz") as tar:
        tar.add(FIXTURE.parents[1] / "pysrc" / "spgreet-1.0", arcname="spgreet-1.0")
    prep = prepare(Pair(FIXTURE, DEB12), SourceSearch(dirs=(sources,)))
    try:
        assert "python3-six >= 1.10" in prep.info.build_requires
        assert "python3-pytest" in prep.info.build_requires  # the test extra (-x test)
        spec = (prep.work / "top" / "SPECS" / prep.spec_name).read_text()
        assert "BuildRequires: python3-setuptools >= 40.8\n" in spec
        assert any(c.startswith("pyproject: BuildRequires from spgreet") for c in prep.changes)
    finally:
        prep.cleanup()
    # without the archive: the build's own missing-source message, not a Python one
    prep = prepare(Pair(FIXTURE, DEB12), SourceSearch(dirs=(tmp_path,)))
    try:
        assert prep.missing and "spgreet-1.0.tar.gz" in prep.missing[0]
        assert "python3-six >= 1.10" not in prep.info.build_requires
    finally:
        prep.cleanup()


def test_a_requirement_the_set_builds_is_the_sets_package(tmp_path: Path) -> None:
    """A set that builds sp-util answers for python3dist(sp-util) (the dist-info its %files
    list), so the build's plan puts the spec that needs it after it."""
    util = tmp_path / "python-sp-util.spec"
    util.write_text(
        "Name: python-sp-util\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "%description\ns\n%package -n python3-sputil\nSummary: s\n"
        "%description -n python3-sputil\ns\n%files -n python3-sputil\n"
        "%{python3_sitelib}/sputil/\n%{python3_sitelib}/Sp_Util-1.0.dist-info/\n"
    )
    toml = '[build-system]\nrequires = ["setuptools", "sp_util>=1"]\n'
    archive = _tarball(tmp_path / "demo-1.0.tar.gz", {"pyproject.toml": toml})
    settings = load_config(None).settings
    request = PyprojectRequest((), False)
    alone = make_resolvers([DEB12], {}, settings, "off")["debian-12"]
    items = pyreqs.build_requires(archive, request, DEB12, alone, "demo.spec")
    assert items == ["python3-setuptools", "python3-sp-util >= 1"]  # the rules' guess
    the_set = {util: util.read_text(), tmp_path / "demo.spec": "Name: demo\n"}
    in_set = make_resolvers([DEB12], the_set, settings, "off")["debian-12"]
    items = pyreqs.build_requires(archive, request, DEB12, in_set, "demo.spec")
    assert items == ["python3-setuptools", "python3-sputil >= 1"]
