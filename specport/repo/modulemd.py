"""A minimal modulemd v2 document, so a target can publish its packages as a module stream."""

from __future__ import annotations

import time

from specport import pathnames as names
from specport.repo.packages import Package
from specport.targets import Target


def document(module: str, target: Target, packages: list[Package]) -> str:
    """modules.yaml for `name:stream` listing the packages as its artifacts (NEVRA)."""
    name, stream = names.module_stream(module)
    binaries = sorted({p.name for p in packages if not p.source})
    artifacts = sorted(f"{p.name}-{_with_epoch(p.version)}.{p.arch}" for p in packages)
    lines = [
        "---",
        "document: modulemd",
        "version: 2",
        "data:",
        f"  name: {name}",
        f'  stream: "{stream}"',
        # a new version each time the set changes; publish never regenerates an unchanged set
        f"  version: {time.strftime('%Y%m%d%H%M%S', time.gmtime())}",
        "  context: specport",
        f"  arch: {target.arch}",
        f"  summary: {name} {stream} packages published by specport",
        "  description: >-",
        f"    The {name}:{stream} stream of this repository, for {target.name}.",
        "  license:",
        "    module: [MIT]",
        "  profiles:",
        "    common:",
        "      rpms:",
        *[f"        - {b}" for b in binaries],
        "  artifacts:",
        "    rpms:",
        *[f"      - {a}" for a in artifacts],
        "...",
    ]
    return "\n".join(lines) + "\n"


def _with_epoch(version: str) -> str:
    return version if ":" in version else f"0:{version}"
