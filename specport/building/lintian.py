"""lintian on the final .debs, minus the tags specport knows are inherent to spec-built packages.

The known tags, each with its reason and the targets it applies to, are data:
lintian-suppress.toml beside this module. Tag names differ between lintian releases, and
lintian stops at a tag it does not know, so each entry names the targets whose lintian has it.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from specport import log
from specport.building.engines import RESULT
from specport.building.plan import SHORT_TIMEOUT
from specport.container.runs import Throwaway
from specport.errors import ConfigError
from specport.targets import Target

DATA = "lintian-suppress.toml"
_ERROR = re.compile(r"^E: .*$", re.MULTILINE)


@dataclass(frozen=True)
class Suppression:
    tag: str
    reason: str
    targets: tuple[str, ...]  # globs of target names


@cache
def suppressions() -> tuple[Suppression, ...]:
    text = (resources.files("specport.building") / DATA).read_text(encoding="utf-8")
    out = []
    for tag, entry in tomllib.loads(text).get("tags", {}).items():
        reason, targets = entry.get("reason", ""), entry.get("targets", ["*"])
        if not reason or not isinstance(targets, list):
            raise ConfigError(f"{DATA}: tags.{tag}: needs a reason and a list of targets")
        out.append(Suppression(tag, reason, tuple(targets)))
    return tuple(out)


def suppressed_tags(target: Target) -> list[str]:
    return sorted(
        s.tag for s in suppressions() if any(fnmatch.fnmatchcase(target.name, g) for g in s.targets)
    )


def lintian_command(target: Target) -> str:
    tags = suppressed_tags(target)
    suppress = f" --suppress-tags {shlex.quote(','.join(tags))}" if tags else ""
    return f"cd {RESULT} && lintian{suppress} *.deb"


def run_lintian(box: Throwaway, target: Target) -> list[str]:
    """lintian's errors (E: lines) on the final .debs; reported, never fatal."""
    result = box.run(lintian_command(target), timeout=SHORT_TIMEOUT, check=False)
    errors = _ERROR.findall(result.output)
    if result.exit_code not in (0, 1, 2) and not errors:
        log.warn(f"lintian did not run (exit {result.exit_code}); see the build log")
    return errors
