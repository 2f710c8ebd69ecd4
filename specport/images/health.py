"""Facts `specport doctor` reports besides images: host tools and registry access."""

from __future__ import annotations

import urllib.parse

from specport import fetch
from specport.config import Settings
from specport.container.engine import Engine
from specport.errors import ToolError
from specport.run import installed, run

REGISTRY_TIMEOUT = 3.0  # seconds; the answer is "no" on machines without internet, fast
HOST_TOOLS = ("mmdebstrap", "apt-get", "dpkg-deb")


def tool_versions() -> dict[str, str]:
    """First line of `TOOL --version` for the host tools bootstrap needs ("" when missing)."""
    out = {}
    for tool in HOST_TOOLS:
        if not installed(tool):
            out[tool] = ""
            continue
        try:
            done = run([tool, "--version"], timeout=10, check=False)
            out[tool] = (done.text or done.error_text).strip().splitlines()[0]
        except (ToolError, IndexError):
            out[tool] = "?"
    return out


def registry_host(engine: Engine, settings: Settings) -> str:
    """The registry images come from: settings.image_prefix's host, else the engine's index."""
    first = settings.image_prefix.split("/", 1)[0]
    if "." in first or ":" in first:
        return first
    index = engine.index_server()
    if not index:  # an engine that cannot say: report unreachable rather than fail doctor
        return ""
    return urllib.parse.urlparse(index).netloc or index


def registry_reachable(engine: Engine, settings: Settings) -> tuple[bool, str]:
    """(reachable, host): a GET of https://HOST/v2/ answered at all (401 counts), quickly."""
    host = registry_host(engine, settings)
    if not host:
        return False, "(none configured)"
    return fetch.answers(f"https://{host}/v2/", timeout=REGISTRY_TIMEOUT), host
