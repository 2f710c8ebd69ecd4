"""--check: does the target's spec reader parse a normalized spec?

Host path: Debian's rpmspec (`rpmspec -P` with every macro file `--load`ed), on a sanitized copy
so no %( ) of the spec runs on the host. Container path, for targets whose rpm is older than the
host's (EL8's 4.14): the same check with rpm 4.14 from ubuntu:20.04, through the throwaway runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from specport.errors import ToolError
from specport.run import run
from specport.spec.rpmspec import run_rpmspec
from specport.targets.model import Target, version_tuple

OLD_RPM_IMAGE = "ubuntu:20.04"  # its rpm is 4.14.2.1, the parser EL8's rpm 4.14.3 shares
OLD_RPM_VERSION = "4.14"


@dataclass(frozen=True)
class CheckResult:
    target: str
    spec: str
    tool: str  # what parsed it: "rpmspec 4.18 (host)", "rpmspec 4.14 (ubuntu:20.04)"
    ok: bool
    detail: str  # first error line, or ""


def host_rpm_version() -> str:
    try:
        out = run(["rpm", "--version"], timeout=30, check=False).text
    except ToolError:
        return "0"
    return out.split()[-1] if out.split() else "0"


def needs_old_rpm(target: Target) -> bool:
    """Targets whose rpm reads less than the host's: their checks belong to an older rpm."""
    return target.family == "rpm" and target.rpm_version_tuple < version_tuple("4.15")


def check_on_host(target: Target, spec: str, spec_text: str, macros: list[Path]) -> CheckResult:
    ok, out = run_rpmspec(spec_text, macros)
    tool = f"rpmspec {host_rpm_version()} (host)"
    return CheckResult(target.name, spec, tool, ok, "" if ok else out)
