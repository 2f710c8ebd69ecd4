"""The waves of a set as CI jobs: GitHub Actions (one job per wave, `needs:` the previous wave,
a `fromJSON` matrix) and GitLab CI (one stage per wave, `parallel:matrix`).

A matrix is split into parts that stay under the CI's limit (GitHub: 256 jobs per matrix,
GitLab: 200 per parallel:matrix); every part of wave N needs every part of wave N-1. Each job
builds its one pair with the packages of the earlier waves (artifacts) as its local repository
(`build --with-packages`) and the whole set for names (`--with-set`), and passes its own packages
on as an artifact.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import Any

GITHUB_MAX = 256
GITLAB_MAX = 200
DEFAULT_SETUP = "python3 -m pip install specport"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# YAML 1.1 reads these unquoted keys as booleans (`on:` would become true)
_BOOLISH = {"on", "off", "yes", "no", "y", "n", "true", "false"}

Row = dict[str, str]


def chunks(rows: Sequence[Row], size: int) -> list[list[Row]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)] or [[]]


def wave_parts(waves: Sequence[Sequence[Row]], size: int) -> list[list[list[Row]]]:
    """Per wave, its parts of at most `size` rows."""
    return [chunks(w, size) for w in waves if w]


def _job_id(wave: int, part: int, parts: int) -> str:
    return f"wave-{wave}" if parts == 1 else f"wave-{wave}-part-{part}"


def _build_command(output: str, previous: bool, flags: Sequence[str] = ()) -> str:
    seed = " --with-packages waves" if previous else ""
    extra = "".join(f" {shlex.quote(f)}" for f in flags)  # --nocheck, --with NAME, ...
    return (
        f'specport build --target "$TARGET" --output {output}{seed}{extra}'
        ' --with-set "$SPECPORT_SET" "$SPEC"'
    )


def github_workflow(
    waves: Sequence[Sequence[Row]],
    all_specs: Sequence[str],
    setup: str = DEFAULT_SETUP,
    flags: Sequence[str] = (),
) -> dict[str, Any]:
    jobs: dict[str, Any] = {}
    previous: list[str] = []
    for w, parts in enumerate(wave_parts(waves, GITHUB_MAX), start=1):
        current = []
        for p, rows in enumerate(parts, start=1):
            job = _job_id(w, p, len(parts))
            current.append(job)
            matrix = json.dumps({"include": rows}, separators=(",", ":")).replace("'", "''")
            steps: list[dict[str, Any]] = [{"uses": "actions/checkout@v4"}]
            if previous:
                steps.append(
                    {
                        "name": "packages of the earlier waves",
                        "uses": "actions/download-artifact@v4",
                        "with": {"pattern": "specport-wave-*", "path": "waves"},
                    }
                )
            steps += [
                {"name": "install specport", "run": setup},
                {
                    "name": "build",
                    "run": _build_command("out", bool(previous), flags),
                    "env": {"SPEC": "${{ matrix.spec }}", "TARGET": "${{ matrix.target }}"},
                },
                {
                    "name": "pass the packages on",
                    "uses": "actions/upload-artifact@v4",
                    "with": {
                        "name": f"specport-{job}-${{{{ strategy.job-index }}}}",
                        "path": "out/",
                    },
                },
            ]
            body: dict[str, Any] = {
                "name": f"wave {w}" + (f" part {p}/{len(parts)}" if len(parts) > 1 else ""),
                "runs-on": "ubuntu-24.04",
            }
            if previous:
                body["needs"] = list(previous)
            body["strategy"] = {"fail-fast": False, "matrix": f"${{{{ fromJSON('{matrix}') }}}}"}
            body["steps"] = steps
            jobs[job] = body
        previous = current
    return {
        "name": "specport build waves",
        "on": {"workflow_dispatch": None, "push": None},
        "env": {"SPECPORT_SET": " ".join(all_specs)},
        "jobs": jobs,
    }


def gitlab_pipeline(
    waves: Sequence[Sequence[Row]],
    all_specs: Sequence[str],
    setup: str = DEFAULT_SETUP,
    flags: Sequence[str] = (),
) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    stages = []
    jobs: dict[str, Any] = {}
    for w, parts in enumerate(wave_parts(waves, GITLAB_MAX), start=1):
        stage = f"wave-{w}"
        stages.append(stage)
        for p, rows in enumerate(parts, start=1):
            out = "waves/$CI_JOB_ID"
            jobs[_job_id(w, p, len(parts))] = {
                "stage": stage,
                "script": [setup, _build_command(out, w > 1, flags)],
                "parallel": {"matrix": [{"SPEC": r["spec"], "TARGET": r["target"]} for r in rows]},
                # later stages get every earlier stage's artifacts (GitLab's default)
                "artifacts": {"paths": [f"{out}/"], "when": "on_success"},
            }
    doc["stages"] = stages
    doc["variables"] = {"SPECPORT_SET": " ".join(all_specs)}
    doc.update(jobs)
    return doc


def wave_json(waves: Sequence[Sequence[Row]], size: int) -> list[dict[str, Any]]:
    return [
        {"wave": w, "part": p, "include": rows}
        for w, parts in enumerate(wave_parts(waves, size), start=1)
        for p, rows in enumerate(parts, start=1)
    ]


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block YAML for dicts, lists and scalars; strings JSON-quoted (valid YAML scalars)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            k = key if _PLAIN_KEY.match(key) and key.lower() not in _BOOLISH else json.dumps(key)
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{k}:\n{to_yaml(item, indent + 1)}")
            else:
                out.append(f"{pad}{k}: {_scalar(item)}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = to_yaml(item, indent + 1)
                out.append(f"{pad}- {inner.lstrip()}")
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
        return "".join(out)
    return pad + _scalar(value) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(str(value))
