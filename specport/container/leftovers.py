"""Containers a killed specport left behind (SIGKILL, power loss): every container carries the
label `specport=1` (plus purpose, target and owner host:pid), so `specport builders prune
--containers` finds those whose process is gone."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass

import docker.errors

from specport.container.engine import Engine, engine_errors

LABEL = "specport"


@dataclass(frozen=True)
class Leftover:
    id: str
    name: str
    purpose: str
    owner: str  # "host:pid" of the specport process that made it
    state: str


def specport_containers(engine: Engine) -> list[Leftover]:
    """Every container labelled specport, running or not."""
    with engine_errors("cannot list containers"):
        found = engine.client.api.containers(all=True, filters={"label": LABEL})
    out = []
    for c in found:
        labels = c.get("Labels") or {}
        names = c.get("Names") or ["?"]
        out.append(
            Leftover(
                id=str(c["Id"]),
                name=str(names[0]).lstrip("/"),
                purpose=str(labels.get(f"{LABEL}.purpose", "?")),
                owner=str(labels.get(f"{LABEL}.owner", "?")),
                state=str(c.get("State", "?")),
            )
        )
    return out


def owner_alive(owner: str) -> bool:
    """Is the specport process that made a container still running? Other hosts: assume yes."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(engine: Engine, *, everything: bool = False) -> list[Leftover]:
    """Remove specport containers whose process is gone (all of them with everything=True)."""
    removed = []
    for c in specport_containers(engine):
        if not everything and owner_alive(c.owner):
            continue
        with contextlib.suppress(docker.errors.NotFound), engine_errors(f"cannot remove {c.name}"):
            engine.client.api.remove_container(c.id, force=True, v=True)
        removed.append(c)
    return removed
