"""Specs that build a thread-safe (ZTS) extension on every path, on a target with no ZTS PHP.

Fedora 17-19 era specs (and remirepo's of the time) build the extension twice, NTS and ZTS,
with no switch: `cd ../ZTS; zts-phpize; ...`, `make -C ext-zts install`, `%{php_ztsextdir}/x.so`
in %files. Debian and Ubuntu ship no ZTS PHP, so those steps cannot run there. They are dropped:

- in %build, %install and %check, every command run in a ZTS directory (after `cd`/`pushd` into
  a path that names ZTS, until the next `cd` or the matching `popd`) and every command that names
  a ZTS tool, macro or directory (`zts-phpize`, `%{__ztsphp}`, `%{php_ztsinidir}`, `-C ext-zts`)
  becomes `:`, with its continuation lines and here-document; `cd`/`pushd`/`popd` stay, so the
  working directory of what follows is what the spec expects;
- in %files, the lines that name a ZTS directory macro.

Only lines the target runs are touched, and only in an extension's spec (its %build runs phpize)
that would otherwise run a ZTS tool (a spec with a `zts` bcond has its switch turned off
instead). Shell compound commands (`for`, `if`, ...) that name ZTS are left alone: if a ZTS tool
is still run after this, the spec is refused with the line. An extension built for ZTS only
(pthreads: zts-phpize and no phpize) is refused as such; PHP's own spec, which makes the ZTS
tools, is refused as building ZTS whatever its options.
"""

from __future__ import annotations

import re

from specport.normalize.lines import SECTION_RE, conditional_kind, sections
from specport.normalize.model import Change, Line

SCRIPT_SECTIONS = ("build", "install", "check")

# the ZTS build tools: Fedora's php-devel had them (PHP < 8.0 era specs call them directly)
TOOL_RE = re.compile(r"zts-phpize|%\{?__ztsphpize\}?|zts-php-config|%\{?__ztsphpconfig\}?")
# zts-phpize run as a command; phpize (not zts-phpize) run as one, or its macro
_ZTS_PHPIZE_RUN_RE = re.compile(
    r"^\s*(?:(?:%\{_bindir\}|/usr/bin)/)?zts-phpize\b|^\s*%\{?__ztsphpize\}?"
)
_NTS_TOOL_RE = re.compile(r"(?:^|[\s/;&|])phpize\b|%\{?__phpize\}?")
# a word that names ZTS in a command: a tool, a macro, a directory (ZTS, ext-1.0-zts, php-zts.d)
_MARK_RE = re.compile(r"zts-php|__zts|php_zts|php-zts|\bzts\b", re.IGNORECASE)
_FILES_MARK_RE = re.compile(r"php_zts|php-zts|__zts")
_CD_RE = re.compile(r"^\s*(cd|pushd)\s+(\S+)\s*$")
_POPD_RE = re.compile(r"^\s*popd\b")
_HEREDOC_RE = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_]\w*)\2")
_COMPOUND_RE = re.compile(
    r"^\s*(?:(?:for|while|until|if|case|select|then|do|done|fi|else|elif|esac)\b|[{}()])"
)


def _first_live(
    lines: list[Line],
    live: tuple[bool, ...] | list[bool],
    wanted: tuple[str, ...],
    rx: re.Pattern[str],
) -> Line | None:
    """The first line the target runs in one of the `wanted` sections that `rx` finds."""
    for ln, sec, alive in zip(lines, sections(lines), live, strict=True):
        if alive and sec in wanted and rx.search(ln.text):
            return ln
    return None


def runs_zts_tools(lines: list[Line], live: tuple[bool, ...] | list[bool]) -> Line | None:
    """The first line the target runs in %build or %install that calls a ZTS tool, if any."""
    return _first_live(lines, live, ("build", "install"), TOOL_RE)


def builds_nts(lines: list[Line], live: tuple[bool, ...] | list[bool]) -> bool:
    """Whether the target's %build runs phpize: an extension's spec. One that builds only a ZTS
    extension (pthreads) has nothing left once its ZTS steps are gone; PHP's own spec makes the
    ZTS tools and runs neither."""
    return _first_live(lines, live, ("build",), _NTS_TOOL_RE) is not None


def runs_zts_phpize(lines: list[Line], live: tuple[bool, ...] | list[bool]) -> bool:
    """Whether the target's %build runs zts-phpize as a command (pthreads does; PHP's own spec
    only makes it)."""
    return _first_live(lines, live, ("build",), _ZTS_PHPIZE_RUN_RE) is not None


def strip_zts_steps(
    lines: list[Line], live: tuple[bool, ...] | list[bool], why: str, name: str
) -> tuple[list[Line], list[Change]]:
    """`lines` without the ZTS steps the target runs (`live`: the lines it runs; see the
    module's docstring), for an extension's spec that runs a ZTS tool; `why` and `name` label
    the change notes."""
    secs = sections(lines)
    drop: set[int] = set()  # indexes of lines removed outright
    blank: dict[int, str] = {}  # index -> what a dropped command's first line becomes
    notes: list[Change] = []
    in_zts = False
    stack: list[bool] = []
    i = 0
    while i < len(lines):
        text, sec = lines[i].text, secs[i]
        if SECTION_RE.match(text):
            in_zts, stack = False, []  # rpm starts every section in the build directory
            i += 1
            continue
        comment = not text.strip() or text.lstrip().startswith("#")
        if not live[i] or comment or conditional_kind(text):
            i += 1
            continue
        if sec == "files":
            if _FILES_MARK_RE.search(text):
                drop.add(i)
                notes.append(Change(name, lines[i].no, f"ZTS file dropped: {why}"))
            i += 1
            continue
        if sec not in SCRIPT_SECTIONS:
            i += 1
            continue
        end = _command_end(lines, i)
        command = "\n".join(ln.text for ln in lines[i:end])
        if m := _CD_RE.match(text):
            if m.group(1) == "pushd":
                stack.append(in_zts)
            in_zts = bool(_MARK_RE.search(m.group(2)))
        elif _POPD_RE.match(text):
            in_zts = stack.pop() if stack else False
        elif (in_zts or _MARK_RE.search(command)) and not _COMPOUND_RE.match(text):
            blank[i] = text[: len(text) - len(text.lstrip())] + ":"
            drop.update(range(i + 1, end))
            notes.append(Change(name, lines[i].no, f"ZTS build step dropped: {why}"))
        i = end
    if not notes:
        return lines, []
    out = [Line(ln.no, blank.get(k, ln.text)) for k, ln in enumerate(lines) if k not in drop]
    return out, notes


def _command_end(lines: list[Line], i: int) -> int:
    """Index past the command that starts at `i`: its continuation lines and here-documents.
    Never past a conditional or a section header: rpm takes those out before the shell reads
    the script (a trailing backslash just above `%endif` continues onto the line after it)."""

    def script_line(k: int) -> bool:
        text = lines[k].text
        return not conditional_kind(text) and not SECTION_RE.match(text)

    end = i + 1
    text = lines[i].text
    while text.endswith("\\") and end < len(lines) and script_line(end):
        text = lines[end].text
        end += 1
    command = "\n".join(ln.text for ln in lines[i:end])
    for m in _HEREDOC_RE.finditer(command):
        tabs, word = m.group(1) == "-", m.group(3)
        while end < len(lines) and script_line(end):
            body = lines[end].text
            end += 1
            if (body.lstrip("\t") if tabs else body) == word:
                break
    return end
