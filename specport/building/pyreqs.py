"""The Python requirements a spec's %pyproject_buildrequires would generate, read from its source.

On Fedora, rpm runs `%generate_buildrequires` after %prep and the generator prints the
requirements of the project's metadata. debbuild has no such step, so normalize leaves a marker
(normalize/pyproject.py) and this module does the generator's work on the host, before any
container: the archive's pyproject.toml and setup.cfg are read as data (one member each, size
capped; nothing of the project runs), each PEP 508 requirement whose markers hold for the
target's Python becomes a python3dist() name, the build's resolver translates it as any
BuildRequires, and the lines go in at the marker. Only lower bounds are kept: Debian ships one
version of each module, and an upper bound written for PyPI's churn would refuse it.
"""

from __future__ import annotations

import configparser
import tarfile
import tomllib
import zipfile
from pathlib import Path

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from specport.errors import SpecError
from specport.normalize.depsyntax import Dep
from specport.normalize.deptranslate import translate
from specport.normalize.errors import UnresolvedError
from specport.normalize.pyproject import MARKER, PyprojectRequest
from specport.normalize.resolver import Resolver
from specport.targets.model import Target

MAX_MEMBER = 1 << 20  # a pyproject.toml or setup.cfg larger than 1 MiB is not one
WANTED = ("pyproject.toml", "setup.cfg", "setup.py")  # setup.py: only that it is there
# what setuptools' backend needs when a project names no build system (PEP 517's fallback)
LEGACY_BUILD = ["setuptools>=40.8", "wheel"]


def project_files(archive: Path) -> dict[str, str]:
    """pyproject.toml, setup.cfg and setup.py of the project: at the archive's top or in its one
    top directory (name-1.0/), as %autosetup unpacks it. Regular members only, read as text."""
    found: dict[str, str] = {}
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    name = _wanted(info.filename)
                    if name and not info.is_dir() and info.file_size <= MAX_MEMBER:
                        found.setdefault(name, z.read(info).decode("utf-8", "replace"))
            return found
        with tarfile.open(archive) as tar:
            for member in tar:
                name = _wanted(member.name)
                if name and member.isreg() and member.size <= MAX_MEMBER:
                    data = tar.extractfile(member)
                    if data is not None:
                        found.setdefault(name, data.read(MAX_MEMBER).decode("utf-8", "replace"))
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise SpecError(f"cannot read {archive.name} for its Python requirements: {exc}") from None
    return found


def _wanted(member: str) -> str:
    parts = [p for p in member.split("/") if p not in ("", ".")]
    if parts and parts[-1] in WANTED and len(parts) <= 2:
        return parts[-1]
    return ""


def requirements(files: dict[str, str], request: PyprojectRequest, label: str) -> list[str]:
    """The PEP 508 strings %pyproject_buildrequires would read: the build system's, then (unless
    -R) the run-time ones, then those of the -x extras."""
    try:
        pyproject = tomllib.loads(files.get("pyproject.toml", ""))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{label}: pyproject.toml is not TOML: {exc}") from None
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read_string(files.get("setup.cfg", ""))
    except configparser.Error as exc:
        raise SpecError(f"{label}: setup.cfg cannot be read: {exc}") from None
    system = pyproject.get("build-system", {})
    out = list(system.get("requires", LEGACY_BUILD))
    if "setuptools" in system.get("build-backend", "setuptools"):
        # setuptools' backend reports setup.cfg's setup_requires as build requirements
        out += _cfg_lines(cfg, "options", "setup_requires")
    project = pyproject.get("project", {})
    dynamic = set(project.get("dynamic", []))
    static = "project" in pyproject and "dependencies" not in dynamic
    if request.runtime:
        out += (
            project.get("dependencies", [])
            if static
            else _cfg_lines(cfg, "options", "install_requires")
        )
    optional = project.get("optional-dependencies", {})
    for extra in request.extras:
        if "optional-dependencies" in dynamic or not static:
            out += _cfg_lines(cfg, "options.extras_require", extra)
        else:
            out += optional.get(extra, [])
    return [str(r) for r in out]


def _cfg_lines(cfg: configparser.ConfigParser, section: str, key: str) -> list[str]:
    """One requirement a line, as setup.cfg lists them (blank and comment lines skipped)."""
    lines = (ln.strip() for ln in cfg.get(section, key, fallback="").splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


def python3dist(reqs: list[str], python_version: str, extras: tuple[str, ...]) -> list[Dep]:
    """Each requirement whose markers hold on the target, as python3dist(name) >= lower bound."""
    env = {
        "python_version": python_version or "3",
        "python_full_version": f"{python_version or '3'}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
    }
    deps: dict[str, Dep] = {}
    for text in reqs:
        try:
            req = Requirement(text)
            wanted = req.marker is None or any(
                req.marker.evaluate({**env, "extra": e}) for e in ("", *extras)
            )
        except (InvalidRequirement, InvalidMarker) as exc:
            raise SpecError(
                f"a Python requirement specport cannot read: {text!r} ({exc})"
            ) from None
        if not wanted:
            continue
        name = f"python3dist({canonicalize_name(req.name)})"
        lower = [
            s.version.removesuffix(".*")
            for s in req.specifier
            if s.operator in (">=", ">", "==", "~=", "===")
        ]
        dep = Dep(name, ">=", lower[0]) if lower else Dep(name)
        if name not in deps or (dep.version and not deps[name].version):
            deps[name] = dep
    return list(deps.values())


def build_requires(
    archive: Path, request: PyprojectRequest, target: Target, resolver: Resolver, label: str
) -> list[str]:
    """The BuildRequires (target names, rpm syntax) of the project in `archive`."""
    files = project_files(archive)
    if not files:
        raise SpecError(
            f"{label}: %pyproject_buildrequires, but {archive.name} has no pyproject.toml,"
            " setup.cfg or setup.py at its top",
            hint="list the build requirements as BuildRequires instead",
        )
    deps = python3dist(requirements(files, request, label), target.python_version, request.extras)
    items: list[str] = []
    refused: list[tuple[str, str, str]] = []
    for dep in deps:
        done = translate(dep, "buildrequires", resolver, {}, set())
        items += done.items
        refused += [(r.name, r.kind, r.why) for r in done.refused]
    if refused:
        names = "; ".join(f"{n} ({why})" if why else n for n, _, why in refused)
        raise UnresolvedError(
            f"{label}: the Python requirements of {archive.name} have no {target.name}"
            f" counterpart: {names}",
            [n for n, _, _ in refused],
            hint='map them in specport.toml ([names.deb] "python3dist(x)" = "python3-x")',
            refused=refused,
        )
    return list(dict.fromkeys(items))


def add_at_marker(text: str, items: list[str], source: str) -> str:
    """The normalized spec with `BuildRequires:` lines for `items` after its marker line."""
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith(MARKER))
    added = [f"# read from {source.replace('%', '%%')} by specport build"] + [
        f"BuildRequires: {i}" for i in items
    ]
    return "\n".join([*lines[: at + 1], *added, *lines[at + 1 :]])
