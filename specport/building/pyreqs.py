"""The Python requirements a spec's %pyproject_buildrequires would generate, read from its source.

On Fedora, rpm runs `%generate_buildrequires` after %prep and the generator prints the
requirements of the project's metadata. debbuild has no such step, so normalize leaves a marker
(normalize/pyproject.py) and this module does the generator's work on the host, before any
container: the archive's pyproject.toml and setup.cfg are read as data (one member each, size
capped; nothing of the project runs), and so are the literal lists of setup.py's setup() call
(parsed with `ast`, never run: what setup.py computes stays unread). Each PEP 508 requirement
whose markers hold for the target's Python becomes a python3dist() name, the build's resolver
translates it as any BuildRequires, and the lines go in at the marker. Only lower bounds are
kept: Debian ships one version of each module, and an upper bound written for PyPI's churn
would refuse it.
"""

from __future__ import annotations

import ast
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
WANTED = ("pyproject.toml", "setup.cfg", "setup.py")  # setup.py: parsed, never run
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
    setuptools = "setuptools" in system.get("build-backend", "setuptools")
    setup_py = setup_py_literals(files.get("setup.py", "")) if setuptools else {}
    if setuptools:
        # setuptools' backend reports setup_requires as build requirements
        out += _cfg_lines(cfg, "options", "setup_requires") or _strings(
            setup_py.get("setup_requires")
        )
    project = pyproject.get("project", {})
    dynamic = set(project.get("dynamic", []))
    static = "project" in pyproject and "dependencies" not in dynamic
    if request.runtime:
        out += (
            project.get("dependencies", [])
            if static
            else _cfg_lines(cfg, "options", "install_requires")
            or _strings(setup_py.get("install_requires"))
        )
    optional = project.get("optional-dependencies", {})
    legacy_extras = setup_py.get("extras_require")
    for extra in request.extras:
        if "optional-dependencies" in dynamic or not static:
            out += _cfg_lines(cfg, "options.extras_require", extra) or _strings(
                legacy_extras.get(extra) if isinstance(legacy_extras, dict) else None
            )
        else:
            out += optional.get(extra, [])
    return [str(r) for r in out]


def setup_py_literals(text: str) -> dict[str, object]:
    """The keyword arguments of setup.py's `setup(...)` whose values are literals, or names
    bound once at the top to a literal (`REQUIRES = [...]`). setup.py is parsed by `ast` and
    never run: a value it computes (read from a file, built by a function) is left out, and a
    list it appends to later is read as first written."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    bound: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and [type(t) for t in node.targets] == [ast.Name]:
            name = node.targets[0].id  # type: ignore[attr-defined]
            value = _value(node.value, bound)
            if value is not None and name not in bound:
                bound[name] = value
            else:
                bound[name] = None  # bound twice, or to what only running it gives
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            bound[node.target.id] = None  # REQUIRES += [...]: what it ends as is computed
    found: dict[str, object] = {}
    calls = (n for n in ast.walk(tree) if isinstance(n, ast.Call))
    for call in calls:
        func = call.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called != "setup":
            continue
        for kw in call.keywords:
            if kw.arg is None:  # **kwargs: what it holds is computed
                continue
            value = _value(kw.value, bound)
            if value is not None:
                found.setdefault(kw.arg, value)
    return found


def _value(node: ast.expr, bound: dict[str, object]) -> object:
    """A literal, with the top's bound names in it (`{"test": TEST_REQUIRES}`, `BASE + ["x"]`);
    None for what only running setup.py gives. A dict keeps the keys whose values are known."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.List | ast.Tuple):
        items = [_value(e, bound) for e in node.elts]
        return None if any(i is None for i in items) else items
    if isinstance(node, ast.Dict):
        known = {}
        for k, v in zip(node.keys, node.values, strict=True):
            key = _literal(k) if k is not None else None
            value = _value(v, bound)
            if isinstance(key, str) and value is not None:
                known[key] = value
        return known
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, bound), _value(node.right, bound)
        return left + right if isinstance(left, list) and isinstance(right, list) else None
    return _literal(node)


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None


def _strings(value: object) -> list[str]:
    """A requirement list as setup.py writes it: a list or tuple of strings, or one string."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


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
