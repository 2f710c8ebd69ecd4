"""The packages a spec builds, read as text."""

from __future__ import annotations

import re

from specport.normalize.lines import expand
from specport.normalize.model import Line

PACKAGE_RE = re.compile(r"^%package\s+(-n\s+)?(\S+)")


def own_packages(lines: list[Line], macros: dict[str, str]) -> set[str]:
    """Names of the packages this spec builds (main and %package subpackages), expanded."""
    main = expand(macros.get("name", ""), macros) or macros.get("name", "")
    names = {main, "%{name}"}
    for ln in lines:
        m = PACKAGE_RE.match(ln.text)
        if m:
            sub = m.group(2) if m.group(1) else f"{main}-{m.group(2)}"
            names.add(expand(sub, macros) or sub)
    return names
