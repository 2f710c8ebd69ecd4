"""What a CI job installs on its runner before it builds: the Debian/Ubuntu packages specport
needs (ci/host-packages.txt, the list tools/setup.sh installs too), with apt-get, through sudo
when the job does not run as root (GitHub's runners), as one apt run of the missing ones only.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from specport import log
from specport.errors import ToolError
from specport.run import installed, run

APT_TIMEOUT = 1200  # apt-get update and one install of a dozen packages on a cold mirror


def host_packages() -> list[str]:
    text = (resources.files("specport.ci") / "host-packages.txt").read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def missing(packages: list[str]) -> list[str]:
    """The packages dpkg does not list as installed."""
    if not installed("dpkg-query"):
        raise ToolError(
            "this machine has no dpkg: `specport ci` sets up Debian and Ubuntu runners only",
            "install these packages yourself and pass --no-setup: " + " ".join(packages),
        )
    done = run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n", *packages],
        timeout=60,
        check=False,  # exit 1 when one is unknown to dpkg: that one is missing too
    )
    have = {
        name for name, _, state in (ln.partition(" ") for ln in done.text.splitlines())
        if state.strip() == "installed"
    }  # fmt: skip
    return [p for p in packages if p not in have]


def install_missing(log_path: Path, packages: list[str] | None = None) -> list[str]:
    """Install what is missing of `packages` (default: host_packages()); the names installed."""
    wanted = missing(packages if packages is not None else host_packages())
    if not wanted:
        log.info("the host has every package specport needs")
        return []
    prefix = _privilege()
    log.step(f"installing {' '.join(wanted)} (log: {log_path})")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q"]
    run([*apt, "update"], timeout=APT_TIMEOUT, env=env, log_path=log_path)
    run(
        [*apt, "install", "-y", "--no-install-recommends", *wanted],
        timeout=APT_TIMEOUT,
        env=env,
        log_path=log_path,
    )
    still = missing(wanted)
    if still:
        raise ToolError(f"apt-get did not install {' '.join(still)} (log: {log_path})")
    return wanted


def _privilege() -> list[str]:
    if os.geteuid() == 0:
        return []
    if not installed("sudo"):
        raise ToolError(
            "installing packages needs root: run the job as root, or give it sudo",
            "or install them yourself and pass --no-setup",
        )
    return ["sudo", "-n"]  # a CI runner's sudo asks no password; never wait for one
