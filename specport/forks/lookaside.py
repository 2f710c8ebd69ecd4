"""Fetch the files a dist-git `sources` file lists into the fork, checksums verified: the same
search `specport build` uses (specport.building.sources), here run once, at import/update time."""

from __future__ import annotations

from pathlib import Path

from specport import log, safeio
from specport.building.sources import SourceSearch, read_sources_file, resolve_sources
from specport.errors import SourceError, listing
from specport.normalize.lines import expand, simple_macros, split_lines
from specport.sandbox.specinfo import SourceRef

LOOKASIDE_HINT = "the fork's files are written; fetch these, or give another --lookaside"


def package_name(spec: Path) -> str:
    """Name: of the spec, read as text (expanded from simple %globals); else the file's stem."""
    macros = simple_macros(split_lines(spec.read_text(encoding="utf-8", errors="replace")))
    name = expand(macros.get("name", ""), macros) if "name" in macros else None
    return name or spec.stem


def fetch_sources(directory: Path, spec: Path, search: SourceSearch) -> list[str]:
    """Every file of directory/sources present in directory afterwards; returns the names that
    were not there before. Without a lookaside, a file not already present is a warning."""
    checksums = read_sources_file(directory / "sources")
    if not checksums:
        return []
    for name in checksums:
        # a name is a file in the fork's top directory, never a path to somewhere else
        if "/" in name or name in (".", "..") or name.startswith("."):
            raise SourceError(f"{directory / 'sources'}: {name!r} is not a plain file name")
    refs = [SourceRef("sources", name) for name in checksums]
    resolved = resolve_sources(spec, package_name(spec), refs, search)
    fetched = []
    for name, path in resolved.found.items():
        dest = directory / name
        if path.resolve() != dest.resolve():
            safeio.replace_file(dest, path)
            fetched.append(name)
    if resolved.missing:
        names = listing([m.split(" (", 1)[0] for m in resolved.missing], sep=", ")
        if not search.lookaside:
            log.warn(f"not fetched (no lookaside given): {names}")
        else:
            raise SourceError(
                f"not in the lookaside {search.lookaside}: {names}", hint=LOOKASIDE_HINT
            )
    return fetched
