"""What the container sandbox answered about a spec, kept by exactly what it was asked.

A rebuild of an unchanged spec asks the sandbox the same questions again: the same spec text,
macro files, defines and queries, in the same image (by id), under the same limits. Starting a
container to hear the same answers costs half a second per batch; the answers are kept in
<cache dir>/spec-answers/<key>.json instead. Any change to any input is another key. Answers
that depend on the machine's load (a query stopped by the time, memory or size limit) are not
kept. The file is read back as plain data (exit code, stdout, stderr) and is treated as the
sandbox's answer always is: as untrusted text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from specport import safeio
from specport.digest import file_sha256

FORMAT = 1
_UNSTABLE = (-1, -9, 137, 153)  # killed, timed out, past the file size limit


def key(job: Any, sandbox: str, limits: Mapping[str, str]) -> str:
    """The key of one job (sandbox.Job) in one sandbox (an image id and how it is set up)."""
    doc = {
        "format": FORMAT,
        "sandbox": sandbox,
        "limits": dict(sorted(limits.items())),
        "text": job.text,
        "queries": [list(q) for q in job.queries],
        "defines": [list(d) for d in job.defines],
        "macros": [[m.name, file_sha256(m)] for m in job.macro_files],
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(where: Path, job_key: str) -> tuple[str, list[tuple[int, str, str]]] | None:
    """(rpm version, [(exit code, stdout, stderr) per query]) or None."""
    try:
        doc = json.loads((where / f"{job_key}.json").read_text(encoding="utf-8"))
        rows = [(int(rc), str(out), str(err)) for rc, out, err in doc["answers"]]
        return str(doc["rpm_version"]), rows
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(
    where: Path, job_key: str, rpm_version: str, rows: Sequence[tuple[int, str, str]]
) -> None:
    """Keep one job's answers (atomically); load-dependent ones are not kept."""
    if any(rc in _UNSTABLE for rc, _, _ in rows):
        return
    doc = {"rpm_version": rpm_version, "answers": [list(r) for r in rows]}
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        safeio.replace_text(where / f"{job_key}.json", json.dumps(doc))
