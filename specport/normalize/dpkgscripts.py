"""Shell text for dpkg maintainer scripts that run rpm scriptlet bodies as rpm would.

rpm runs each scriptlet on its own, with /bin/sh (bash on Fedora/EL) and no `set -e`, and
passes counts: $1 = how many instances of the package there will be (1 install, 2 upgrade,
0 erase); a trigger also gets $2 (instances of the other package). dpkg calls one script per
phase with an action word instead ("configure", "remove", "upgrade", "abort-upgrade", ...).
Each body therefore runs in a subshell, only for the actions rpm has an equivalent of, with
`set -- N` giving it rpm's count; `set +e` undoes debbuild's `#!/bin/bash -e`. A failing %pre,
%preun or %pretrans stops the package operation (rpm stops there too); a failing %post, %postun
or %posttrans only warns, as rpm does.

debbuild writes the four scripts from %pre, %post, %preun and %postun (bash, as the compat
shim sets %_buildshell). dpkg's trigger declarations (DEBIAN/triggers) are added by the deb
post-step from the `# specport-trigger:` lines these scripts carry (specport/building/debfix.py).
"""

from __future__ import annotations

import re

TRIGGER_MARK = "# specport-trigger:"  # debfix.py reads `# specport-trigger: interest-noawait X`

# dpkg action -> rpm count, per rpm scriptlet; actions not listed do not run the body
_GUARDS = {
    "pre": ('[ "$1" = install ] || [ "$1" = upgrade ]', 'if [ "$1" = upgrade ]; then set -- 2; else set -- 1; fi'),  # noqa: E501
    "post": ('[ "$1" = configure ]', 'if [ -n "$2" ]; then set -- 2; else set -- 1; fi'),
    "preun": ('[ "$1" = remove ] || [ "$1" = upgrade ]', 'if [ "$1" = upgrade ]; then set -- 1; else set -- 0; fi'),  # noqa: E501
}  # fmt: skip
_GUARDS["pretrans"] = _GUARDS["pre"]
_GUARDS["posttrans"] = _GUARDS["post"]
_GUARDS["postun"] = _GUARDS["preun"]
_GUARDS["preuntrans"] = _GUARDS["preun"]
_GUARDS["postuntrans"] = _GUARDS["preun"]
FATAL = {"pre", "pretrans", "preun", "preuntrans"}  # rpm stops the operation when these fail

# a body already written for dpkg's arguments (a spec that knows debbuild): run as it is
_DPKG_WORDS = (
    r"configure|abort-upgrade|abort-remove|abort-install|abort-deconfigure|failed-upgrade|"
    r"purge|disappear|deconfigure|triggered|remove|upgrade|install"
)
_DPKG_ARG = re.compile(rf"\$\{{?1\}}?\"?\s*!?==?\s*\"?({_DPKG_WORDS})\b")
_CASE_ON_1 = re.compile(r"\bcase\s+\"?\$\{?1\}?\"?\s+in\b")
_DPKG_ARM = re.compile(rf"^\s*\(?\"?({_DPKG_WORDS})\"?\s*(\||\))")


def speaks_dpkg(body: list[str]) -> bool:
    """`[ "$1" = configure ]`, or a `case "$1" in` with a dpkg action among its arms (a `case
    "$1" in 0)` is rpm's)."""
    if any(_DPKG_ARG.search(t) for t in body):
        return True
    return any(_CASE_ON_1.search(t) for t in body) and any(_DPKG_ARM.match(t) for t in body)


def run_body(
    kind: str, body: list[str], args: str, prog: str = "", setter: str = "", stdin: str = ""
) -> list[str]:
    """`body` in a subshell with rpm's arguments `args` ("1", "1 0") or the `setter` line that
    sets them; a failure of a non-fatal scriptlet kind is a warning. `stdin`: a redirection."""
    inner = _interpreted(body, prog) if prog else body
    label = kind  # no %: rpm and debbuild would read %post in it as a macro
    end = (
        f"){stdin} || exit $?"
        if kind in FATAL
        else f'){stdin} || echo "specport: the {label} scriptlet failed, exit status $?" >&2'
    )
    return ["(", "set +e", setter or f"set -- {args}", *inner, end]


def guarded(kind: str, body: list[str], prog: str = "") -> list[str]:
    """A plain scriptlet: runs for the dpkg actions rpm has an equivalent of, with rpm's count."""
    test, count = _GUARDS[kind]
    return [f"if {test}; then", *run_body(kind, body, "", prog, setter=count), "fi"]


def _interpreted(body: list[str], prog: str) -> list[str]:
    """A body for another interpreter (`-p /usr/bin/perl`): rpm runs `prog script $1`."""
    if not any(t.strip() for t in body):
        return [f'{prog} "$@"']
    return [
        "_sp_script=$(mktemp)",
        "cat >\"$_sp_script\" <<'SPECPORT_SCRIPT_EOF'",
        *body,
        "SPECPORT_SCRIPT_EOF",
        f'{prog} "$_sp_script" "$@"',
        '_sp_rc=$?; rm -f "$_sp_script"; exit $_sp_rc',
    ]


def present(package: str) -> str:
    """A test: `package` is on the system (its files are there)."""
    return (
        f"dpkg-query -W -f='${{Status}}' {package} 2>/dev/null"
        " | grep -Eq ' (installed|unpacked|half-configured|triggers-awaited|triggers-pending)$'"
    )


def on_trigger(names: list[str], body: list[str]) -> list[str]:
    """`body` when dpkg calls `postinst triggered "<names>"` with one of `names`."""
    arms = "|".join(f'*" {n} "*' for n in names)
    return [f'case " $2 " in {arms})', *body, ";;", "esac"]


def interest(path: str) -> str:
    return f"{TRIGGER_MARK} interest-noawait {path}"


def doc_dir(package: str) -> str:
    """The path a package's file trigger watches for it: its /usr/share/doc directory, which
    every Debian package ships (policy 12.5: its copyright), minimal images included."""
    return f"/usr/share/doc/{package}"
