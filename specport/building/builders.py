"""The build engine of each family, chosen once by the target's family."""

from __future__ import annotations

from specport.building.debbuild import DebBuild
from specport.building.engines import Builder
from specport.building.rpmbuild import RpmBuild
from specport.targets import Target

ENGINES: dict[str, type[Builder]] = {"rpm": RpmBuild, "deb": DebBuild}


def builder_for(target: Target) -> Builder:
    return ENGINES[target.family]()
