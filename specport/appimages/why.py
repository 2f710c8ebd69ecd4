"""Why an image is built: its inputs against those of the released build."""

from __future__ import annotations

from typing import Any

from specport.appimages.inputs import Prepared
from specport.appimages.records import BuildRecord


def reasons(current: BuildRecord | None, prepared: Prepared, *, force: bool) -> list[str]:
    if current is None:
        return ["first build"]
    old, new = current.inputs, prepared.inputs
    out = []
    if old.get("parent") != new.get("parent"):
        parent = prepared.unit.image.parent or "the base image"
        out.append(f"parent changed ({parent})")
    out += _packages(old.get("packages", []), new.get("packages", []))
    if old.get("context") != new.get("context"):
        out.append("context changed")
    if old.get("repository") != new.get("repository"):
        out.append("repository URL or key changed")
    if old.get("args") != new.get("args") and not _only_packages(old, new):
        out.append("build arguments changed")
    if old.get("version") != new.get("version"):
        out.append("specport's key changed")
    if force and not out:
        out.append("forced")
    return out or ["inputs changed"]


def _packages(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {p["name"]: p for p in old}
    after = {p["name"]: p for p in new}
    out = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a is None and b is not None:
            out.append(f"{name} {b['version']} added")
        elif b is None and a is not None:
            out.append(f"{name} no longer installed")
        elif (
            a is not None
            and b is not None
            and (a["version"], a.get("stream"))
            != (
                b["version"],
                b.get("stream"),
            )
        ):
            out.append(f"{name} {a['version']} -> {b['version']}")
    return out


def _only_packages(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """The build arguments differ only in PACKAGES (already said as package changes)."""
    a = {k: v for k, v in old.get("args", {}).items() if k != "PACKAGES"}
    b = {k: v for k, v in new.get("args", {}).items() if k != "PACKAGES"}
    return a == b
