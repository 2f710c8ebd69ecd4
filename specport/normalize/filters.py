"""Pass: Fedora's dependency-filter macros, on deb targets.

`%filter_from_provides /regex/d`, `%filter_from_requires ...`, `%filter_provides_in`,
`%filter_requires_in` and `%filter_setup` (redhat-rpm-config's macros.filter-annotation) tune
rpm's automatic Provides/Requires generators. debbuild has neither the macros nor the generators
(the post-step's dpkg-shlibdeps computes Depends), so the lines would be read as text: "Unknown
tag". They are commented out with the reason; `%global __provides_exclude ...` and its kind are
plain definitions and stay.
"""

from __future__ import annotations

import re

from specport.normalize.lines import continued
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "filters"
_FILTER_RE = re.compile(
    r"^\s*%\{?(filter_from_provides|filter_from_requires|filter_provides_in|filter_requires_in"
    r"|filter_setup)\b"
)


def drop_dependency_filters(lines: list[Line], ctx: PassContext) -> PassResult:
    out: list[Line] = []
    changes: list[Change] = []
    dropping = False  # the continuation lines of a dropped line go with it
    for ln, cont in zip(lines, continued(lines), strict=True):
        if (cont and dropping) or (not cont and _FILTER_RE.match(ln.text)):
            dropping = True
            # %% keeps rpm and debbuild from expanding macros in the comment
            out.append(Line(ln.no, "# specport dropped: " + ln.text.replace("%", "%%")))
            if not cont:
                m = _FILTER_RE.match(ln.text)
                assert m is not None
                changes.append(
                    Change(NAME, ln.no, f"dropped %{m.group(1)}: debbuild generates no automatic"
                           " Provides/Requires to filter (dpkg-shlibdeps computes Depends)")
                )  # fmt: skip
            continue
        dropping = False
        out.append(ln)
    return out, changes
