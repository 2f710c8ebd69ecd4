"""The one place that asks rpmspec about a spec: always in the sandbox (specport.sandbox.jobs),
never on the host, and rpm's noise turned into its first `error:` line.

Specs are also sanitized before they enter (no `%( )`, `%{lua:}` or `%include`): not a security
boundary (`%%(`, `%{expand:}` and rpm's own macros such as `%{__make}` get past any text filter;
the sandbox is the boundary), but it keeps a parse from depending on what a shell would print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from specport.errors import SpecError
from specport.normalize.shell import sanitize
from specport.run import first_error_line
from specport.sandbox.jobs import Batch, Job, defines_of, run_jobs


def first_error(output: str) -> str:
    """rpm's noise, translated into its first `error:` line."""
    return first_error_line(output) if output.strip() else ""


@dataclass(frozen=True)
class Request:
    """One spec and the rpmspec queries to run on it (each a tuple of arguments: ("-P",))."""

    label: str
    text: str
    queries: tuple[tuple[str, ...], ...]
    macro_files: tuple[Path, ...] = ()
    defines: Mapping[str, str] | None = None
    debbuild_showpkgs: bool = False  # also `debbuild --showpkgs` (container sandboxes only)


def job_for(request: Request) -> Job:
    queries = [("rpmspec", *q) for q in request.queries]
    if request.debbuild_showpkgs:
        queries.append(("debbuild", "--showpkgs"))
    return Job(
        label=request.label,
        text=sanitize(request.text),
        queries=tuple(queries),
        macro_files=tuple(request.macro_files),
        # the sources directory is empty inside the sandbox: nothing of the host is read
        defines=(("_sourcedir", "/tmp"), *defines_of(request.defines)),
    )


def run_many(
    requests: Sequence[Request],
    *,
    image: str | None = None,
    install_rpm: bool = False,
    log_path: Path | None = None,
    kept: Path | None = None,
    engine: str | None = None,
) -> Batch:
    """Every request in one sandbox (see jobs.run_jobs for which, `kept` and `engine`)."""
    jobs = [job_for(r) for r in requests]
    return run_jobs(
        jobs, image=image, install_rpm=install_rpm, log_path=log_path, kept=kept, engine=engine
    )


def outcome(exit_code: int, out: str, err: str) -> tuple[bool, str]:
    """(ok, stdout or the first error line)."""
    if exit_code == 0:
        return True, out
    if exit_code in (137, -9):
        return False, "rpmspec was stopped: it ran past the sandbox's time limit"
    if exit_code == 153:  # SIGXFSZ
        return False, "rpmspec was stopped: its output passed the sandbox's size limit"
    return False, first_error(err) or first_error(out) or f"rpmspec exited {exit_code}"


def run_rpmspec(
    spec_text: str,
    macro_files: Sequence[Path],
    *query: str,
    defines: Mapping[str, str] | None = None,
    image: str | None = None,
) -> tuple[bool, str]:
    """rpmspec on one spec, in the sandbox: (ok, stdout or its first error)."""
    request = Request("spec", spec_text, (tuple(query) or ("-P",),), tuple(macro_files), defines)
    answer = run_many([request], image=image).answers[0][0]
    return outcome(answer.exit_code, answer.out, answer.err)


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
