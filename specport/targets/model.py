"""The Target record and the schema its TOML definitions are checked against."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from specport.targets.families import FAMILIES


@dataclass(frozen=True, eq=False)
class Target:
    """Everything later passes need to know about one build target.

    Facts only; code reads these and never tests distro names itself.
    """

    name: str
    family: str  # "rpm" or "deb"
    distro: str  # "rhel", "debian", "ubuntu"
    release: str  # "8", "12", "20.04"
    codename: str  # apt suite ("bookworm"); "" on rpm targets
    image: str  # the base image a user would pull
    builder: str  # "rpmbuild" or "debbuild"
    rpm_version: str  # the rpm of that distro: decides which spec syntax it reads
    dist: str  # dist tag: ".el8", "+deb12"
    module_streams: tuple[str, ...]  # "php:7.4": enabled before installing anything
    php_version: str  # "7.4"
    php_api: str  # PHP_API_VERSION, "20190902"
    php_zend_api: str  # ZEND_MODULE_API_NO, "20190902"
    php_zts: bool  # does the target ship a thread-safe PHP build?
    macros: Mapping[str, str]  # extra macros, like OBS project config "Macros:"
    name_rules: str  # package-name rule set: "fedora" (keep) or "debian" (translate)
    arch: str = "x86_64"  # rpm arch name; deb targets map it to "amd64"
    builder_packages: tuple[str, ...] = ()  # extra packages of the builder image
    php_packages: tuple[str, ...] = ()  # PHP devel packages of the builder image
    # apt suites of the base image, as pockets of the release: "release", "updates", "security"
    apt_pockets: tuple[str, ...] = ("release", "updates", "security")
    # bootstrap with /bin, /sbin, /lib as links into /usr, as the release's own images are
    usr_merged: bool = False
    # the distro's python3 (major.minor): PEP 508 markers of Python requirements are read for it
    python_version: str = ""
    # rpm-md repositories (base URLs holding repodata/repomd.xml) the rpm resolver and the
    # installability check read; empty: rpm targets keep Fedora's names unconfirmed
    rpm_repos: tuple[str, ...] = ()
    # keyring (binary or armored) that must have signed each repomd.xml (repomd.xml.asc)
    rpm_repo_key: str = ""
    description: str = ""
    # where each field's value came from ("builtin:el.toml", "specport.toml"), for `targets show`
    origin: Mapping[str, str] = field(default_factory=dict)

    @property
    def deb_arch(self) -> str:
        return {"x86_64": "amd64", "aarch64": "arm64", "i686": "i386"}.get(self.arch, self.arch)

    @property
    def rpm_version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.rpm_version)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[name] = value
        return out


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


# --- schema: field name -> (check, required) -------------------------------------------------

Check = Callable[[Any], str | None]  # returns a complaint, or None when the value is good


def _string(pattern: str = r".*") -> Check:
    rx = re.compile(pattern)

    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return f"expected a string, got {type(v).__name__}"
        if not rx.fullmatch(v):
            return f"{v!r} does not match {pattern}"
        return None

    return check


def _choice(*allowed: str) -> Check:
    def check(v: Any) -> str | None:
        if v not in allowed:
            return f"{v!r} is not one of {', '.join(allowed)}"
        return None

    return check


def _string_list(pattern: str = r".*") -> Check:
    item = _string(pattern)

    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"expected a list of strings, got {type(v).__name__}"
        for x in v:
            if (problem := item(x)) is not None:
                return problem
        return None

    return check


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"expected true or false, got {v!r}"


def _macro_table(v: Any) -> str | None:
    if not isinstance(v, dict):
        return f"expected a table of macro = value, got {type(v).__name__}"
    for k, val in v.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
            return f"{k!r} is not a macro name"
        if not isinstance(val, str | int):
            return f"macro {k} must be a string or number"
        if isinstance(val, str) and any(ord(c) < 32 and c != "\t" for c in val):
            # a newline would end the %global line and start one of the value's choosing
            return f"macro {k}: one line without control characters"
    return None


_VERSION = r"\d+(\.\d+)*"
_API = r"\d{8}"

# field -> (check, required for a concrete target)
FIELDS: dict[str, tuple[Check, bool]] = {
    "name": (_string(r"[a-z0-9][a-z0-9._+-]*"), True),
    "family": (_choice(*FAMILIES), True),
    "distro": (_string(r"[a-z][a-z0-9-]*"), True),
    "release": (_string(_VERSION), True),
    "codename": (_string(r"[a-z]*"), True),
    "image": (_string(r"[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?"), True),
    "builder": (_choice(*(f.builder for f in FAMILIES.values())), True),
    "rpm_version": (_string(_VERSION), True),
    "dist": (_string(r"[.+~][a-z0-9.+~_]*"), True),
    "module_streams": (_string_list(r"[a-z0-9-]+:[A-Za-z0-9._-]+"), False),
    "php_version": (_string(r"\d+\.\d+"), True),
    "php_api": (_string(_API), True),
    "php_zend_api": (_string(_API), True),
    "php_zts": (_bool, False),
    "macros": (_macro_table, False),
    "name_rules": (_choice(*(f.name_rules for f in FAMILIES.values())), True),
    "arch": (_choice("x86_64", "aarch64"), False),
    "builder_packages": (_string_list(r"[A-Za-z0-9._+:-]+"), False),
    "php_packages": (_string_list(r"[A-Za-z0-9._+:-]+"), False),
    "apt_pockets": (_string_list(r"release|updates|security|backports"), False),
    "usr_merged": (_bool, False),
    "python_version": (_string(r"(\d+\.\d+)?"), False),
    "rpm_repos": (_string_list(r"(https?|file)://\S+"), False),
    "rpm_repo_key": (_string(), False),
    "description": (_string(), False),
}

# keys a definition may carry besides the fields; they steer loading
META_KEYS = {"extends", "abstract"}

DEFAULTS: dict[str, Any] = {
    "module_streams": [],
    "php_zts": False,
    "macros": {},
    "arch": "x86_64",
    "builder_packages": [],
    "php_packages": [],
    "apt_pockets": ["release", "updates", "security"],
    "usr_merged": False,
    "python_version": "",
    "rpm_repos": [],
    "rpm_repo_key": "",
    "description": "",
}
