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
from specport.errors import SpecError, SpecportError
from specport.targets import Target

# sorts after macros.specport-{compat,php,platform}: rpm and debbuild load macros.* in order
TARGET_MACROS = "macros.specport-target"


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


def prepare(pair: Pair, search: SourceSearch, maintainer: str = "") -> Prepared:
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
        result = normalize(text, pair.target, path=str(pair.spec), options=options)
        specs = work / "top" / "SPECS"
        specs.mkdir(parents=True)
        (work / "top" / "SOURCES").mkdir()
        macro_files = write_macro_files(pair.target, work / "macros")
        macro_files += _write_target_macros(pair.target, work / "macros")
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


def _write_target_macros(target: Target, dest: Path) -> list[Path]:
    """The target's own `macros` table (like OBS's Macros:), loaded after the shipped files."""
    if not target.macros:
        return []
    path = dest / TARGET_MACROS
    lines = [f"%{name} {value}\n" for name, value in sorted(target.macros.items())]
    path.write_text(f"# {target.name}: [targets.{target.name}.macros]\n" + "".join(lines))
    return [path]


def _read_info(text: str, pair: Pair, macro_files: list[Path]) -> SpecInfo:
    label = str(pair.spec)
    defines = dict(pair.target.macros)
    if pair.target.family == "rpm":
        return read_spec_info(text, label=label, macro_files=macro_files, defines=defines)
    # debbuild shims are written for debbuild; rpm on the host may not read all of them, and
    # for Sources and BuildRequires it only needs the distro facts debbuild itself sets
    defines.setdefault(pair.target.distro, pair.target.release.split(".")[0])
    defines.setdefault("dist", pair.target.dist)
    try:
        return read_spec_info(text, label=label, macro_files=macro_files, defines=defines)
    except SpecportError:
        return read_spec_info(text, label=label, defines=defines)
