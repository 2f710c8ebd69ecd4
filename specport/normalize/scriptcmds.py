"""Pass (deb targets): Red Hat commands in scriptlets, as the target has them or as no-ops.

- `alternatives` (chkconfig's, /usr/sbin/alternatives) -> `update-alternatives`: the same
  --install/--remove/--set/--auto/--config syntax (Red Hat's is a port of Debian's); its own
  `--initscript NAME` and `--family NAME` options are dropped.
- `chkconfig --add X` / `--del X` / `X on|off` -> `update-rc.d X defaults` / `update-rc.d -f X
  remove` / `update-rc.d X enable|disable`; other chkconfig forms (`--level`, `--list`) -> `:`.
- `semanage`, `restorecon`: SELinux labels of Fedora's policy; Debian ships neither that policy
  nor SELinux enabled: the command becomes `:` (its arguments are still read by the shell).
Only lines of scriptlet sections are read; every rewrite is a change note.
"""

from __future__ import annotations

import re

from specport.normalize.lines import sections
from specport.normalize.model import Change, Line, PassContext, PassResult
from specport.normalize.scriptparse import SCRIPT_KINDS

NAME = "scriptlet-commands"
# a command word: at the start, or after ; & | ( ` $( then do else
_AT = r"(?P<at>^\s*|[;&|(`]\s*|\$\(\s*|\b(?:then|do|else)\s+)"
_SBIN = r"(?:/usr/sbin/|/sbin/|sbin/|%\{_sbindir\}/|%\{_root_sbindir\}/|%_sbindir/)?"
_ALTERNATIVES_RE = re.compile(rf"{_AT}{_SBIN}alternatives(?=\s)")
_RH_OPTION_RE = re.compile(r"\s--(initscript|family)\s+\S+")
# its arguments: words up to a redirection, ; & | or )
_CHKCONFIG_RE = re.compile(rf"{_AT}{_SBIN}chkconfig(?P<args>(?:\s+(?![0-9]*[<>])[^\s;&|)<>]+)*)")
_SELINUX_RE = re.compile(rf"{_AT}{_SBIN}(?P<cmd>semanage|restorecon)(?=\s|$)")


def translate_commands(lines: list[Line], ctx: PassContext) -> PassResult:
    out: list[Line] = []
    changes: list[Change] = []
    alternatives = False  # in a continued `alternatives ... \` command
    for ln, sec in zip(lines, sections(lines), strict=True):
        if sec not in SCRIPT_KINDS or ln.text.startswith("%"):
            out.append(ln)
            continue
        text, notes = rewrite(ln.text)
        if alternatives and _RH_OPTION_RE.search(f" {text}"):
            text = _RH_OPTION_RE.sub("", f" {text}")[1:]
            notes.append("dropped alternatives' --initscript/--family (Red Hat only)")
        alternatives = text.endswith("\\") and (alternatives or "update-alternatives" in text)
        changes += [Change(NAME, ln.no, n) for n in notes]
        out.append(Line(ln.no, text))
    return out, changes


def rewrite(text: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    if _ALTERNATIVES_RE.search(text):
        text = _ALTERNATIVES_RE.sub(r"\g<at>update-alternatives", text)
        if _RH_OPTION_RE.search(text):
            text = _RH_OPTION_RE.sub("", text)
            notes.append("dropped alternatives' --initscript/--family (Red Hat only)")
        notes.append("alternatives -> update-alternatives (the same syntax)")
    if m := _CHKCONFIG_RE.search(text):
        new = _chkconfig(m.group("args").split())
        text = text[: m.start()] + m.group("at") + new + text[m.end() :]
        what = "no-op: no update-rc.d form" if new.startswith(":") else new.split(" >")[0]
        notes.append(f"chkconfig{m.group('args')} -> {what}")
    if m2 := _SELINUX_RE.search(text):
        text = _SELINUX_RE.sub(r"\g<at>: \g<cmd>", text)
        notes.append(
            f"{m2.group('cmd')}: no-op (`:`): Fedora's SELinux policy and labels are not the"
            " target's"
        )
    return text, notes


def _chkconfig(args: list[str]) -> str:
    if len(args) == 2 and args[0] == "--add":
        return f"update-rc.d {args[1]} defaults"
    if len(args) == 2 and args[0] == "--del":
        return f"update-rc.d -f {args[1]} remove"
    if len(args) == 2 and args[1] in ("on", "off"):
        return f"update-rc.d {args[0]} {'enable' if args[1] == 'on' else 'disable'}"
    return ": chkconfig " + " ".join(args)
