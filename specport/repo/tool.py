"""The one way the repo publishers run a host tool: argv, timeout, env, failure as ToolError."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from specport import log
from specport.errors import ToolError


def run_tool(
    argv: Sequence[str | Path],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
    cwd: Path | None = None,
) -> bytes:
    """Run argv and return its stdout; a failure becomes one ToolError naming the tool."""
    args = [str(a) for a in argv]
    log.debug("$ " + " ".join(args))
    try:
        done = subprocess.run(
            args,
            input=input_bytes,
            capture_output=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolError(f"{args[0]} is not installed", hint="run tools/setup.sh") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"{args[0]} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise ToolError(f"{args[0]} failed (exit {done.returncode}): {_first_error(done.stderr)}")
    return done.stdout


def _first_error(stderr: bytes) -> str:
    # tools print warnings before the reason; the line naming an error is the one to show
    lines = [ln.strip() for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    for line in lines:
        if "error" in line.lower() or "failed" in line.lower():
            return line
    return lines[-1] if lines else "no output"
