"""The deb post-step's work on debbuild's maintainer scripts (pure functions on their text).

- Triggers: the scriptlets pass (specport/normalize/scriptlets.py) writes `# specport-trigger:
  interest-noawait PATH` into %post for each rpm trigger it translates; debbuild copies it into
  postinst with its macros expanded, and only where its %if held. Those lines become
  DEBIAN/triggers, which debbuild never writes.
- %attr/%defattr: debbuild cannot put modes and owners into the .deb, so it writes
  `/bin/chown -Rh USER PATH`, `/bin/chgrp -Rh GROUP PATH` and `/bin/chmod MODE PATH` at the top
  of postinst, for every file of a %defattr(-,root,root) too. The package is built with
  --root-owner-group, so root's lines are dropped; a mode on a root-owned path goes into the
  tree (debfix.sh pack applies meta/<n>/modes) and its line is dropped; lines for other users
  and groups stay (the user may only exist after %pre), and so do the modes of those paths
  (chown clears setuid bits, so chmod must come after it).
"""

from __future__ import annotations

import re

TRIGGER_RE = re.compile(
    r"^\s*# specport-trigger: (interest|interest-noawait|activate|activate-noawait) (\S+)\s*$"
)
_OWNER_RE = re.compile(r"^(?:/usr)?/bin/(chown|chgrp) -R?h (['\"]?)([\w.-]+)\2 (/\S*)$")
_MODE_RE = re.compile(r"^(?:/usr)?/bin/chmod ([0-7]{3,4}) (/\S*)$")
_ROOT = {"root", "0"}


def trigger_directives(postinst: str) -> list[str]:
    """`interest-noawait /usr/share/doc/php-pear`, ... in the order they appear, once each."""
    found = [f"{m[1]} {m[2]}" for line in postinst.splitlines() if (m := TRIGGER_RE.match(line))]
    return list(dict.fromkeys(found))


def merge_triggers(existing: str, directives: list[str]) -> str:
    lines = [line.strip() for line in existing.splitlines() if line.strip()]
    return "".join(f"{line}\n" for line in dict.fromkeys([*lines, *directives]))


def split_attrs(postinst: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(postinst without the lines the tree can carry, [(mode, path)] for the tree, notes).

    Only the block debbuild writes right after the #! line is read: a spec's own chmod stays."""
    lines = postinst.split("\n")
    start = 1 if lines and lines[0].startswith("#!") else 0
    end = start
    owners: dict[str, set[str]] = {}
    modes: list[tuple[str, str]] = []
    while end < len(lines):
        line = lines[end].strip()
        if m := _OWNER_RE.match(line):
            owners.setdefault(m[4], set()).add(m[3])
        elif m := _MODE_RE.match(line):
            modes.append((m[1], m[2]))
        else:
            break
        end += 1
    if end == start:
        return postinst, [], []
    non_root = {path for path, names in owners.items() if names - _ROOT}
    kept = []
    for line in lines[start:end]:
        m = _OWNER_RE.match(line.strip()) or _MODE_RE.match(line.strip())
        path = m[4] if m and m.re is _OWNER_RE else (m[2] if m else "")
        if path in non_root:
            kept.append(line)
    tree = [(mode, path) for mode, path in modes if path not in non_root]
    notes = []
    if tree:
        notes.append("modes in the package: " + ", ".join(f"{p} {m}" for m, p in tree))
    dropped = end - start - len(kept) - len(tree)
    if dropped:
        notes.append(f"postinst: {dropped} chown/chgrp to root dropped (the package is root's)")
    new = [*lines[:start], *kept, *lines[end:]]
    return "\n".join(new), tree, notes


def is_empty_script(text: str) -> bool:
    """Nothing left but the #! line and blank lines."""
    rest = [line for line in text.splitlines()[1:] if line.strip()]
    return not rest
