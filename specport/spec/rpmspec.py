"""The one place that runs the host's rpmspec: argv, timeout, a clean environment, and rpm's noise
turned into its first `error:` line. Specs are always parsed from a sanitized copy, so no `%( )`
of an untrusted spec runs on the host."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from specport.errors import SpecError
from specport.run import Done, first_error_line, require, run
from specport.spec.shell import sanitize

RPMSPEC_TIMEOUT = 60.0


def first_error(output: str) -> str:
    """rpm's noise, translated into its first `error:` line."""
    return first_error_line(output) if output.strip() else ""


def rpmspec_argv(
    spec: str,
    macro_files: Sequence[str],
    *query: str,
    defines: Mapping[str, str] | None = None,
) -> list[str]:
    argv = ["rpmspec"]
    for m in macro_files:
        argv += ["--load", m]
    for key, value in (defines or {}).items():
        argv += ["--define", f"{key} {value}"]
    return [*argv, *(query or ("-P",)), spec]


def _run(argv: list[str]) -> Done:
    require("rpmspec")
    # a clean environment: the spec's parse must not depend on the caller's shell
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": "/"}
    return run(argv, timeout=RPMSPEC_TIMEOUT, env=env, check=False)


def run_rpmspec(
    spec_text: str,
    macro_files: Sequence[Path],
    *query: str,
    defines: Mapping[str, str] | None = None,
) -> tuple[bool, str]:
    """rpmspec on a sanitized copy of spec_text: (ok, stdout or its first error)."""
    with tempfile.TemporaryDirectory(prefix="specport-rpmspec-") as tmp:
        path = Path(tmp) / "check.spec"
        path.write_text(sanitize(spec_text), encoding="utf-8")
        all_defines = {"_sourcedir": tmp, **(defines or {})}
        argv = rpmspec_argv(str(path), [str(m) for m in macro_files], *query, defines=all_defines)
        done = _run(argv)
    if done.returncode != 0:
        return False, first_error(done.error_text) or f"rpmspec exited {done.returncode}"
    return True, done.text


def query(
    spec_text: str,
    macro_files: Sequence[Path],
    *query_args: str,
    label: str,
    defines: Mapping[str, str] | None = None,
) -> str:
    """Like run_rpmspec, but a failure is a SpecError naming the spec."""
    ok, out = run_rpmspec(spec_text, macro_files, *query_args, defines=defines)
    if not ok:
        raise SpecError(f"rpmspec: {out}", path=label)
    return out
