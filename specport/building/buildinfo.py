"""The build-dependency lock: name=version of every package in the build container once the
BuildRequires are installed (what mock's buildroot lock and Debian's .buildinfo record)."""

from __future__ import annotations

from specport.building.plan import SHORT_TIMEOUT
from specport.container.runs import Throwaway
from specport.targets import Target
from specport.targets.families import facts_of


def query_command(target: Target) -> str:
    return f"{facts_of(target).installed_query} | LC_ALL=C sort"


def record(box: Throwaway, target: Target) -> list[str]:
    """The lock of the build container `box` (empty when the query fails); the log shows it."""
    result = box.run(query_command(target), timeout=SHORT_TIMEOUT, check=False)
    if result.exit_code != 0:
        return []
    return [line.strip() for line in result.output.splitlines() if "=" in line]
