"""Passes for PHP extension specs in Fedora's style.

- ZTS off where the target has no thread-safe PHP (target.php_zts false): `%bcond_without zts`,
  `%bcond zts 1` and `%global with_zts 0%{!?_without_zts:%{?__ztsphp:1}}` become "off"; the
  steps of a spec that builds ZTS with no switch are dropped (zts.py).
- deb targets: Fedora's ini layout (`%{php_inidir}/40-foo.ini`, /etc/php.d) becomes Debian's
  mods-available/foo.ini with a `; priority=40` line (phpenmod reads it to name the conf.d link),
  and the module is enabled in %post / disabled in %preun by phpenmod/phpdismod, guarded for
  dpkg's arguments ("configure", "remove"). %{php_inidir} itself comes from the macro shim.
- deb targets: `Requires(post/postun): %{__pecl}` is dropped: the %{pecl_install} and
  %{pecl_uninstall} scriptlets are no-ops in the shim (Debian has no PECL XML registry).
  (php(api) / php(zend-abi) -> phpapi-<api> is a name rule: see names/debian.toml.)
- deb targets: a spec that runs phpize gets Fedora's php_config.h HAVE_* defines that Debian's
  lacks (HAVE_MBSTRING, ...) in CPPFLAGS at the top of %build (%php_fedora_config_defines in the
  PHP shim says which and why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specport.errors import SpecError
from specport.normalize import zts
from specport.normalize.conditions import spec_view
from specport.normalize.lines import SECTION_RE, expand, sections
from specport.normalize.model import Change, Line, PassContext, PassResult

NAME = "php"

_ZTS_BCOND_RE = re.compile(r"^(\s*)%bcond_without\s+zts\s*$")
_ZTS_BCOND_NEW_RE = re.compile(r"^(\s*)%bcond\s+zts\s+(\S.*)$")
_ZTS_GLOBAL_RE = re.compile(r"^(\s*%(?:global|define)\s+with_zts\s+)(\S.*)$")


def disable_zts(lines: list[Line], ctx: PassContext) -> PassResult:
    if ctx.target.php_zts:
        return lines, []
    out: list[Line] = []
    changes: list[Change] = []
    why = f"{ctx.target.name} ships no thread-safe (ZTS) PHP"
    for ln in lines:
        text = ln.text
        if "zts" not in text:  # every pattern below names zts
            out.append(ln)
            continue
        if m := _ZTS_BCOND_RE.match(text):
            text = f"{m.group(1)}%bcond_with zts"
        elif (m2 := _ZTS_BCOND_NEW_RE.match(text)) and m2.group(2).strip() != "0":
            text = f"{m2.group(1)}%bcond zts 0"
        elif (m3 := _ZTS_GLOBAL_RE.match(text)) and m3.group(2).strip() != "0":
            text = f"{m3.group(1)}0"
        if text != ln.text:
            changes.append(Change(NAME, ln.no, f"ZTS build off: {why}"))
        out.append(Line(ln.no, text))
    if not any(zts.TOOL_RE.search(ln.text) for ln in out):
        return out, changes
    live = spec_view(out, ctx.target, ctx.options.bconds).live
    tool = zts.runs_zts_tools(out, live)
    if tool is None:
        return out, changes
    if zts.builds_nts(out, live):  # an extension's spec: its ZTS steps go
        out, dropped = zts.strip_zts_steps(out, live, why, NAME)
        changes += dropped
        # what could not be dropped (a ZTS tool run inside a shell loop)
        tool = zts.runs_zts_tools(out, spec_view(out, ctx.target, ctx.options.bconds).live)
    elif zts.runs_zts_phpize(out, live):
        raise SpecError(
            f"it builds only a thread-safe (ZTS) extension; {why}",
            path=ctx.path,
            line=tool.no,
            hint="such an extension (pthreads) needs a target whose PHP is built with ZTS",
        )
    if tool is not None:  # one clear refusal instead of `zts-phpize: not found` mid-build
        raise SpecError(
            f"it builds a thread-safe (ZTS) extension whatever the build options; {why}",
            path=ctx.path,
            line=tool.no,
            hint="guard the ZTS parts with %if %{with zts} (%bcond zts), as Fedora's specs do",
        )
    return out, changes


_INI_NAME_RE = re.compile(r"^(\s*%(?:global|define)\s+ini_name\s+)(\d+)-(\S+)\.ini\s*$")
_INI_NAME_PLAIN_RE = re.compile(
    r"^(\s*%(?:global|define)\s+ini_name\s+)([A-Za-z_%{}][\w%{}.-]*?)\.ini\s*$"
)
_INI_DIR_RE = re.compile(r"(%\{_sysconfdir\}|/etc)/php(-zts)?\.d(?=/|\s|$)")
_INI_PATH_RE = re.compile(
    r"(%\{php_inidir\}|%\{_sysconfdir\}/php\.d|/etc/php\.d)/(\d+)-([A-Za-z0-9_%{}.-]+?)\.ini"
)
# an ini file with no load order in its name (Fedora before 2013: /etc/php.d/%{pecl_name}.ini)
_INI_PLAIN_PATH_RE = re.compile(
    r"(?:%\{php_inidir\}|%\{_sysconfdir\}/php\.d|/etc/php\.d)/([A-Za-z_%{}][\w%{}.-]*?)\.ini(?![\w.])"
)
_PECL_REQ_RE = re.compile(r"^Requires\((post|postun|preun|pre)\)\s*:\s*%\{?__pecl\}?\s*$", re.I)


@dataclass(frozen=True)
class _Module:
    name: str  # module name as phpenmod knows it (may hold macros: %{pecl_name})
    priority: str
    line: int


def debian_ini_layout(lines: list[Line], ctx: PassContext) -> PassResult:
    out: list[Line] = []
    changes: list[Change] = []
    modules: dict[str, _Module] = {}
    # an ini name under a branch the target never takes (`%if "%{php_version}" < "5.6"`) is
    # no module of this build: its lines stay as written
    view = spec_view(lines, ctx.target, ctx.options.bconds)

    def add(name: str, priority: str, no: int) -> None:
        # one module however the spec spells it (z-%{pecl_name} in ini_name, z-foo in %files)
        modules.setdefault(expand(name, view.macros) or name, _Module(name, priority, no))

    for ln, alive in zip(lines, view.live, strict=True):
        text = ln.text
        if not alive or (
            ".ini" not in text
            and "ini_name" not in text
            and "pecl" not in text
            and "php" not in text
        ):
            out.append(ln)  # none of the patterns below can match
            continue
        if m := _INI_NAME_RE.match(text):
            add(m.group(3), m.group(2), ln.no)
            text = f"{m.group(1)}{m.group(3)}.ini"
        elif m1 := _INI_NAME_PLAIN_RE.match(text):  # no load order: Debian's default, 20
            add(m1.group(2), "20", ln.no)
        else:
            for m2 in _INI_PATH_RE.finditer(text):
                add(m2.group(3), m2.group(2), ln.no)
            text = _INI_PATH_RE.sub(r"%{php_inidir}/\3.ini", text)
            for m3 in _INI_PLAIN_PATH_RE.finditer(text):  # no load order: Debian's default, 20
                add(m3.group(1), "20", ln.no)
        # the ini directory itself, however the spec writes it (%{_sysconfdir}/php.d/%{ini_name})
        text = _INI_DIR_RE.sub(
            lambda d: "%{php_ztsinidir}" if d.group(2) else "%{php_inidir}", text
        )
        if _PECL_REQ_RE.match(text):
            note = "dropped: %{__pecl} scriptlets are no-ops on Debian"
            changes.append(Change(NAME, ln.no, note))
            continue
        if "pecl_install" in text or "pecl_uninstall" in text:
            changes.append(
                Change(NAME, ln.no, "%{pecl_install}/%{pecl_uninstall}: no-op on Debian (shim)")
            )
        if text != ln.text:
            changes.append(Change(NAME, ln.no, "Fedora ini layout -> Debian mods-available"))
        out.append(Line(ln.no, text))
    if not modules:
        return out, changes
    ver = ctx.target.php_version
    install: list[str] = ["# specport: phpenmod reads the load order from the ini file"]
    post: list[str] = []
    preun: list[str] = []
    for mod in modules.values():
        ini = f"%{{buildroot}}%{{php_inidir}}/{mod.name}.ini"
        install.append(f"sed -i '1i\\; priority={mod.priority}' {ini}")
        post.append(
            f'if [ "$1" = "configure" ] && command -v phpenmod >/dev/null; then '
            f"phpenmod -v {ver} -s ALL {mod.name}; fi"
        )
        preun.append(
            f'if [ "$1" = "remove" ] && command -v phpdismod >/dev/null; then '
            f"phpdismod -v {ver} -s ALL {mod.name}; fi"
        )
        note = f"module {mod.name}: priority {mod.priority}, phpenmod/phpdismod"
        changes.append(Change(NAME, mod.line, note))
    first = min(m.line for m in modules.values())
    out = append_to_section(out, "install", install, first)
    out = append_to_section(out, "post", post, first)
    out = append_to_section(out, "preun", preun, first)
    return out, changes


def append_to_section(lines: list[Line], section: str, body: list[str], no: int) -> list[Line]:
    """Add `body` at the end of the main package's %<section>; create the section (before the
    first %files) when the spec has none."""
    header = re.compile(rf"^%{section}\s*$")
    secs = sections(lines)
    start = next((i for i, ln in enumerate(lines) if header.match(ln.text)), None)
    new = [Line(no, t) for t in body]
    if start is not None:
        end = start + 1
        while end < len(lines) and not SECTION_RE.match(lines[end].text):
            end += 1
        while end > start + 1 and not lines[end - 1].text.strip():
            end -= 1  # keep the blank line that separates sections after the new text
        return [*lines[:end], *new, *lines[end:]]
    at = next((i for i, s in enumerate(secs) if s == "files"), len(lines))
    return [*lines[:at], Line(no, f"%{section}"), *new, Line(no, ""), *lines[at:]]


_PHPIZE_RE = re.compile(r"(^|[\s/}])(zts-)?phpize\b|%\{?__phpize\}?")


def fedora_config_defines(lines: list[Line], ctx: PassContext) -> PassResult:
    if not ctx.target.php_version:
        return lines, []
    secs = sections(lines)
    if not any(
        s == "build" and _PHPIZE_RE.search(ln.text) for ln, s in zip(lines, secs, strict=True)
    ):
        return lines, []
    at = next((i for i, ln in enumerate(lines) if re.match(r"^%build\s*$", ln.text)), None)
    if at is None:
        return lines, []
    no = lines[at].no
    line = Line(no, 'export CPPFLAGS="${CPPFLAGS:-} %{?php_fedora_config_defines}"')
    note = (
        "%build: Fedora's php_config.h HAVE_* defines Debian's lacks (HAVE_MBSTRING, ...) in"
        " CPPFLAGS, as Fedora's PHP headers give them to extensions"
    )
    return [*lines[: at + 1], line, *lines[at + 1 :]], [Change(NAME, no, note)]
