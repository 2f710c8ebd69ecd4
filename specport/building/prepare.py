"""Host-side preparation of one pair, before any container: normalize, macros, sources.

Everything lands in a temporary directory laid out as the container wants it:
  <work>/top/SPECS/<name>.spec   the normalized spec
  <work>/top/SOURCES/...         every Source/Patch file, checksums verified
  <work>/macros/...              the target's macro files
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from specport import safeio
from specport.building import pyreqs
from specport.building.plan import Pair
from specport.building.sources import SourceSearch, resolve_sources
from specport.config import DEFAULT_MAINTAINER, Settings
from specport.errors import SpecError
from specport.normalize.history import normalize_options
from specport.normalize.macrofiles import write_macro_files
from specport.normalize.model import Bconds
from specport.normalize.packages import spec_names
from specport.normalize.passes import normalize
from specport.normalize.pyproject import PyprojectRequest, parse_marker
from specport.normalize.resolver import Resolver, RuleResolver
from specport.sandbox.rpmspec import Request
from specport.sandbox.specinfo import SpecInfo, info_request, read_spec_infos
from specport.targets import Target
from specport.targets.facts import spec_macros


@dataclass
class Prepared:
    pair: Pair
    work: Path
    info: SpecInfo
    spec_name: str  # file name under top/SPECS
    macro_names: list[str]
    changes: list[str] = field(default_factory=list)  # what the normalizer did, for the log
    missing: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


@dataclass
class _Staged:
    pair: Pair
    work: Path
    text: str  # the normalized spec
    macro_files: list[Path]
    changes: list[str]


def prepare(
    pair: Pair, search: SourceSearch, maintainer: str = "", resolver: Resolver | None = None
) -> Prepared:
    """`maintainer` signs the %changelog entry %autochangelog gets without git history."""
    resolvers = {pair.target.name: resolver} if resolver is not None else None
    return prepare_many([pair], search, maintainer, resolvers=resolvers)[0]


def prepare_many(
    pairs: list[Pair],
    search: SourceSearch,
    maintainer: str = "",
    image: str | None = None,
    resolvers: Mapping[str, Resolver] | None = None,
    kept: Path | None = None,
    bconds: Bconds | None = None,
    engine: str | None = None,
) -> list[Prepared]:
    """Normalize every pair, read all their specs in the sandbox (one per target image), then
    find their sources. image: read every spec in this image (stand-ins) instead of the
    target's builder image; resolvers: by target name (the package index); kept: the
    sandbox's kept answers (sandbox/answers.py), None to ask it every time; bconds: the build's
    --with/--without (the normalized spec carries them, so the sandbox reads them too); engine:
    the container engine chosen (--engine)."""
    staged: list[_Staged] = []
    done: list[Prepared] = []
    try:
        for pair in pairs:
            resolver = (resolvers or {}).get(pair.target.name)
            staged.append(_stage(pair, maintainer, resolver, bconds or Bconds()))
        infos = _read_infos(staged, image, kept, engine)
        for st, info in zip(staged, infos, strict=True):
            spec_name = f"{info.name}.spec"
            safeio.write_text(st.work / "top" / "SPECS" / spec_name, st.text)
            resolved = resolve_sources(st.pair.spec, info.name, info.sources, search)
            for name, path in resolved.found.items():
                shutil.copy2(path, st.work / "top" / "SOURCES" / name)
            request = parse_marker(st.text)
            if request is not None:  # %pyproject_buildrequires: its requirements from Source0
                resolver = (resolvers or {}).get(st.pair.target.name)
                info = _python_requirements(st, info, request, resolver, spec_name)
            done.append(
                Prepared(
                    st.pair,
                    st.work,
                    info,
                    spec_name,
                    [p.name for p in st.macro_files],
                    st.changes,
                    [f"{st.pair.spec}: {m}" for m in resolved.missing],
                )
            )
    except BaseException:
        for st in staged:
            shutil.rmtree(st.work, ignore_errors=True)
        raise
    return done


def _python_requirements(
    st: _Staged,
    info: SpecInfo,
    request: PyprojectRequest,
    resolver: Resolver | None,
    spec_name: str,
) -> SpecInfo:
    """The spec (on disk) and its info with the BuildRequires of its Source0's Python project."""
    target = st.pair.target
    first = min(
        (s for s in info.sources if s.tag.lower() in ("source", "source0")),
        key=lambda s: s.tag,
        default=None,
    )
    archive = st.work / "top" / "SOURCES" / first.filename if first else None
    if archive is None or not archive.is_file():
        return info  # a missing Source0 fails the pair with the sources' own message
    chosen = resolver or RuleResolver(target)
    items = pyreqs.build_requires(archive, request, target, chosen, str(st.pair.spec))
    text = pyreqs.add_at_marker(st.text, items, archive.name)
    safeio.write_text(st.work / "top" / "SPECS" / spec_name, text)
    st.text = text
    st.changes.append(f"pyproject: BuildRequires from {archive.name}: {', '.join(items)}")
    return replace(info, build_requires=(*info.build_requires, *items))


def _stage(pair: Pair, maintainer: str, resolver: Resolver | None, bconds: Bconds) -> _Staged:
    try:
        text = pair.spec.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the spec: {exc}", path=str(pair.spec)) from None
    spec_names(text, str(pair.spec))  # rpm's answer is checked again after the sandbox
    options = normalize_options(pair.spec, packager=maintainer or DEFAULT_MAINTAINER)
    options = replace(options, bconds=bconds)
    result = normalize(text, pair.target, path=str(pair.spec), options=options, resolver=resolver)
    work = Path(tempfile.mkdtemp(prefix="specport-build-"))
    try:
        (work / "top" / "SPECS").mkdir(parents=True)
        (work / "top" / "SOURCES").mkdir()
        macro_files = write_macro_files(pair.target, work / "macros")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    changes = [f"{c.pass_name}: line {c.line}: {c.reason}" for c in result.changes]
    return _Staged(pair, work, result.text, macro_files, changes)


def _read_infos(
    staged: list[_Staged], image: str | None, kept: Path | None, engine: str | None
) -> list[SpecInfo]:
    """Every spec's info, one sandbox per image; the first failure raises."""
    groups: dict[str | None, list[int]] = {}
    for k, st in enumerate(staged):
        groups.setdefault(image or _builder_image(st.pair.target), []).append(k)
    out: dict[int, SpecInfo] = {}
    for where, members in groups.items():
        requests = [_request(staged[k]) for k in members]
        results = read_spec_infos(requests, image=where, kept=kept, engine=engine)
        for k, r in zip(members, results, strict=True):
            if isinstance(r, SpecError):
                raise r
            out[k] = r
    return [out[k] for k in range(len(staged))]


def _request(st: _Staged) -> Request:
    # the same macro files and platform facts the container build loads (targets.facts), so the
    # sandboxed query picks the BuildRequires and Sources the build will see
    return info_request(
        st.text,
        label=str(st.pair.spec),
        macro_files=st.macro_files,
        defines=spec_macros(st.pair.target),
    )


def _builder_image(target: Target) -> str | None:
    try:
        from specport.images import kinds as images
    except ImportError:  # no docker SDK: bwrap
        return None
    return images.image_ref("builder", target, Settings())
