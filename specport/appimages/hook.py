"""Tell another system what a rebuild did: setting images_hook is either an http(s) URL, which
is POSTed the JSON, or a command (split like a shell line, run without a shell), which reads
the JSON on stdin. A hook that fails is reported; it does not undo or fail the rebuild."""

from __future__ import annotations

import json
import shlex
from typing import Any

from specport import log
from specport.errors import SpecportError
from specport.fetch import request
from specport.run import run

HOOK_TIMEOUT = 60.0


def call_hook(hook: str, report: dict[str, Any]) -> bool:
    """Send report to the hook; whether it took it."""
    if not hook.strip():
        return True
    body = (json.dumps(report, indent=1, sort_keys=True) + "\n").encode()
    try:
        if hook.startswith(("http://", "https://")):
            reply = request(
                "POST",
                hook,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=HOOK_TIMEOUT,
            )
            if not 200 <= reply.status < 300:
                log.warn(f"images hook {hook}: answered HTTP {reply.status}")
                return False
        else:
            argv = shlex.split(hook)
            done = run(argv, timeout=HOOK_TIMEOUT, input_bytes=body, check=False)
            if not done.ok:
                log.warn(f"images hook {argv[0]}: exit {done.returncode}")
                return False
    except (SpecportError, ValueError) as exc:
        log.warn(f"images hook: {exc}")
        return False
    return True
