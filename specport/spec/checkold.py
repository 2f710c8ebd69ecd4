"""The --check path that needs an older rpm: rpm 4.14 in a throwaway ubuntu:20.04 container.

One container per call; rpm is installed once, then every (target, spec) pair is parsed in it.
Specs are sanitized before they enter the container too (the same rule everywhere), and the
container loses its network once rpm is installed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from specport.spec.check import OLD_RPM_IMAGE, CheckResult
from specport.spec.rpmspec import first_error, rpmspec_argv
from specport.spec.shell import sanitize

if TYPE_CHECKING:  # the runner is imported lazily: host-only checks need no docker SDK
    from specport.container.runner import Throwaway

INSTALL_TIMEOUT = 600.0
PARSE_TIMEOUT = 120.0


def check_in_container(
    jobs: list[tuple[str, str, str, list[Path]]], log_path: Path, image: str = OLD_RPM_IMAGE
) -> list[CheckResult]:
    """jobs: (target name, spec label, normalized text, macro files). Needs an engine."""
    from specport.container.engine import connect
    from specport.container.runner import Throwaway

    engine = connect()
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="specport-check-") as tmp,
        Throwaway(engine, image, log_path=log_path, purpose="check-rpm414") as box,
    ):
        box.run(
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends rpm >/dev/null",
            timeout=INSTALL_TIMEOUT,
            env={"DEBIAN_FRONTEND": "noninteractive"},
        )
        box.cut_network()
        version = box.run(["rpm", "--version"], timeout=60).output.split()[-1]
        for k, (target, spec, text, macros) in enumerate(jobs):
            where = _stage(box, Path(tmp), k, text, macros)
            # rpm 4.14 has no --load: the target's files go where rpm's macro path looks
            box.run(
                f"mkdir -p /etc/rpm && rm -f /etc/rpm/macros.specport-* && "
                f"cp {where}/macros/macros.* /etc/rpm/",
                timeout=60,
            )
            argv = rpmspec_argv(f"{where}/check.spec", [])
            done = box.run(argv, timeout=PARSE_TIMEOUT, check=False)
            ok = done.exit_code == 0
            detail = "" if ok else first_error(done.output)
            tool = f"rpmspec {version} ({image})"
            results.append(CheckResult(target, spec, tool, ok, detail))
    return results


SHOWPKGS_TIMEOUT = 120.0
# dash prints these when a %( ) in the spec uses bash syntax; debbuild still exits 0
_SHELL_NOISE = ("Bad substitution", "Syntax error", "not found")


def check_with_debbuild(
    target: str, image: str, jobs: list[tuple[str, str, list[Path]]], log_path: Path
) -> list[CheckResult]:
    """`debbuild --showpkgs` in the target's builder image, for jobs (spec label, text, macro
    files). The image's own macros.d gets this target's files, as a build would install them."""
    from specport.container.engine import connect
    from specport.container.runner import Throwaway

    engine = connect()
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="specport-check-") as tmp,
        Throwaway(
            engine, image, log_path=log_path, purpose="check-debbuild", network=False, target=target
        ) as box,
    ):
        for k, (spec, text, macros) in enumerate(jobs):
            where = _stage(box, Path(tmp), k, text, macros)
            done = box.run(
                f"cp {where}/macros/macros.* /usr/lib/debbuild/macros.d/ && "
                f"cd /tmp && debbuild --showpkgs {where}/check.spec",
                timeout=SHOWPKGS_TIMEOUT,
                check=False,
            )
            noise = [ln for ln in done.output.splitlines() if any(n in ln for n in _SHELL_NOISE)]
            ok = done.exit_code == 0 and not noise
            detail = "" if ok else (noise[0] if noise else _last_line(done.output))
            results.append(CheckResult(target, spec, f"debbuild --showpkgs ({image})", ok, detail))
    return results


def _last_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    return lines[-1] if lines else "debbuild failed"


def _stage(box: Throwaway, tmp: Path, k: int, text: str, macros: list[Path]) -> str:
    """Copy job k (the sanitized spec and its macro files) into the container; its directory."""
    job = tmp / f"job{k}"
    (job / "macros").mkdir(parents=True)
    (job / "check.spec").write_text(sanitize(text), encoding="utf-8")
    for m in macros:
        (job / "macros" / m.name).write_text(m.read_text(encoding="utf-8"))
    box.copy_in(job, "/check")
    return f"/check/job{k}"
