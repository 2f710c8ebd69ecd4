"""Facts `specport doctor` reports besides images: host tools and registry access."""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse

import requests

from specport.config import Settings
from specport.container.engine import Engine

REGISTRY_TIMEOUT = 3.0  # seconds; the answer is "no" on machines without internet, fast
HOST_TOOLS = ("mmdebstrap", "apt-get", "dpkg-deb")


def tool_versions() -> dict[str, str]:
    """First line of `TOOL --version` for the host tools bootstrap needs ("" when missing)."""
    out = {}
    for tool in HOST_TOOLS:
        if shutil.which(tool) is None:
            out[tool] = ""
            continue
        try:
            done = subprocess.run(
                [tool, "--version"], capture_output=True, text=True, timeout=10, check=False
            )
            out[tool] = (done.stdout or done.stderr).strip().splitlines()[0]
        except (subprocess.TimeoutExpired, IndexError, OSError):
            out[tool] = "?"
    return out


def registry_host(engine: Engine, settings: Settings) -> str:
    """The registry images come from: settings.image_prefix's host, else the engine's index."""
    first = settings.image_prefix.split("/", 1)[0]
    if "." in first or ":" in first:
        return first
    try:
        index = str(engine.client.info().get("IndexServerAddress") or "")
    except Exception:  # an engine that cannot say: report unreachable rather than fail doctor
        return ""
    return urllib.parse.urlparse(index).netloc or index


def registry_reachable(engine: Engine, settings: Settings) -> tuple[bool, str]:
    """(reachable, host): a GET of https://HOST/v2/ answered at all (401 counts), quickly."""
    host = registry_host(engine, settings)
    if not host:
        return False, "(none configured)"
    try:
        requests.get(f"https://{host}/v2/", timeout=REGISTRY_TIMEOUT)
    except requests.RequestException:
        return False, host
    return True, host
