"""The packages a spec builds, read as text."""

from __future__ import annotations

import re

from specport.errors import SpecError
from specport.normalize.lines import DEFINE_RE, expand, simple_macros, split_lines
from specport.normalize.model import Line
from specport.pathnames import rpm_name

PACKAGE_RE = re.compile(r"^%package\s+(-n\s+)?(\S+)")
_PACKAGE_RE = re.compile(r"^%package\s+(?:.*\s)?-n\s+(\S+)|^%package\s+(\S+)\s*$")


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


def spec_names(text: str, label: str) -> str | None:
    """The spec's Name (after simple macros), its subpackage names checked too; None when the
    Name uses macros specport cannot expand as text (rpm reads it later, in the sandbox)."""
    lines = split_lines(text)
    macros = simple_macros(lines)
    name = expand(macros.get("name", ""), macros)
    if name:
        rpm_name(name, label)
    else:
        name = "%{name}"
    for ln in lines:
        m = _PACKAGE_RE.match(ln.text)
        if not m or DEFINE_RE.match(ln.text):
            continue
        sub = m.group(1) or f"{name}-{m.group(2)}"
        value = expand(sub, macros)
        if value is not None:
            try:
                rpm_name(value, label)
            except SpecError as exc:
                raise SpecError(
                    exc.message.removeprefix(f"{label}: "), path=label, line=ln.no
                ) from None
    return None if name == "%{name}" else name
