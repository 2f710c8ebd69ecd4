"""FROM order: parents before children, and who descends from whom."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from specport.appimages.model import ImageDef, Unit
from specport.errors import UsageError
from specport.targets import Target, TargetSet


def from_order(images: Mapping[str, ImageDef]) -> list[str]:
    """Image names, each after its parent (then by name)."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        parent = images[name].parent
        if parent:
            visit(parent)
        order.append(name)

    for name in sorted(images):
        visit(name)
    return order


def descendants(images: Mapping[str, ImageDef], name: str) -> list[str]:
    """Images built FROM name, directly or through others, in FROM order."""
    out: list[str] = []
    for other in from_order(images):
        parent = images[other].parent
        if parent and (parent == name or parent in out):
            out.append(other)
    return out


def ancestors(images: Mapping[str, ImageDef], name: str) -> list[str]:
    """name's parent, its parent's parent, ... nearest first."""
    out = []
    parent = images[name].parent
    while parent:
        out.append(parent)
        parent = images[parent].parent
    return out


def select(
    images: Mapping[str, ImageDef],
    names: Sequence[str],
    targets: TargetSet,
    only: Iterable[Target] | None = None,
) -> list[Unit]:
    """The units (image, target) of the named images (all when none is named), restricted to
    the `only` targets when given, in FROM order."""
    for name in names:
        if name not in images:
            raise UsageError(f"no image {name!r} (images here: {', '.join(sorted(images))})")
    wanted = set(names) or set(images)
    allowed = {t.name for t in only} if only is not None else None
    units = []
    for name in from_order(images):
        if name not in wanted:
            continue
        for target in images[name].targets:
            if allowed is None or target in allowed:
                units.append(Unit(images[name], targets[target]))
    return units
