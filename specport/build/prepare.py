"""Host-side preparation of one pair, before any container: normalize, macros, sources.

Everything lands in a temporary directory laid out as the container wants it:
  <work>/top/SPECS/<name>.spec   the normalized spec
  <work>/top/SOURCES/...         every Source/Patch file, checksums verified
  <work>/macros/...              the target's macro files
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from specport.build.plan import Pair
from specport.build.sources import SourceSearch, resolve_sources
from specport.build.specinfo import SpecInfo, read_spec_info
from specport.config import DEFAULT_MAINTAINER
from specport.errors import SpecError
from specport.spec.resolver import Resolver
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


def prepare(
    pair: Pair, search: SourceSearch, maintainer: str = "", resolver: Resolver | None = None
) -> Prepared:
    """`maintainer` signs the %changelog entry %autochangelog gets without git history."""
    from specport.spec.history import normalize_options
    from specport.spec.macrofiles import write_macro_files
    from specport.spec.normalize import normalize

    try:
        text = pair.spec.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror}", path=str(pair.spec)) from None
    work = Path(tempfile.mkdtemp(prefix="specport-build-"))
    try:
        options = normalize_options(pair.spec, packager=maintainer or DEFAULT_MAINTAINER)
        result = normalize(
            text, pair.target, path=str(pair.spec), options=options, resolver=resolver
        )
        specs = work / "top" / "SPECS"
        specs.mkdir(parents=True)
        (work / "top" / "SOURCES").mkdir()
        macro_files = write_macro_files(pair.target, work / "macros")
        info = _read_info(result.text, pair, macro_files)
        spec_name = f"{info.name}.spec"
        (specs / spec_name).write_text(result.text, encoding="utf-8")
        resolved = resolve_sources(pair.spec, info.name, info.sources, search)
        for name, path in resolved.found.items():
            shutil.copy2(path, work / "top" / "SOURCES" / name)
        changes = [f"{c.pass_name}: line {c.line}: {c.reason}" for c in result.changes]
        return Prepared(
            pair,
            work,
            info,
            spec_name,
            [p.name for p in macro_files],
            changes,
            [f"{pair.spec}: {m}" for m in resolved.missing],
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _read_info(text: str, pair: Pair, macro_files: list[Path]) -> SpecInfo:
    # the same macro files and platform facts the container build loads (targets.facts), so the
    # host-side query picks the BuildRequires and Sources the build will see
    return read_spec_info(
        text, label=str(pair.spec), macro_files=macro_files, defines=spec_macros(pair.target)
    )
