"""Pass: flag rpm-style scriptlet arguments on deb targets (a note, not a rewrite).

rpm calls %post/%preun/... with a count ($1 = 0 on erase, 1 on install, 2 on upgrade); dpkg
calls the maintainer scripts debbuild makes from them with an action ("configure", "remove",
"upgrade"). `[ $1 -eq 0 ]` then fails with "integer expression expected" and the branch never
runs. Rewriting shell is guesswork, so the pass says where it happens.
"""

from __future__ import annotations

import re

from specport.spec.lines import sections
from specport.spec.model import Change, Line, PassContext, PassResult

NAME = "scriptlets"
_NUMERIC_ARG = re.compile(
    r"\"?\$\{?1\}?\"?\s+-(eq|ne|gt|ge|lt|le)\s+\d|\"?\$\{?1\}?\"?\s*=\s*\"?\d"
)
_SCRIPTLETS = {"pre", "post", "preun", "postun", "pretrans", "posttrans"}


def flag_numeric_arguments(lines: list[Line], ctx: PassContext) -> PassResult:
    changes = [
        Change(NAME, ln.no, f"%{sec} tests rpm's numeric $1; dpkg passes an action word here")
        for ln, sec in zip(lines, sections(lines), strict=True)
        if sec in _SCRIPTLETS and _NUMERIC_ARG.search(ln.text)
    ]
    return lines, changes
