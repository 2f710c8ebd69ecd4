"""lintian's verdict, cached by what it judged: the exact .deb files (sha256), lintian's
version and its command line (the suppressed tags). A rebuild that gives the same bytes (the
builds are reproducible) gets the verdict without running lintian again, which is most of the
time the deb side adds to a warm build. The cache is independent of the result cache (and of
--no-cache): the same bytes, the same lintian, the same verdict."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from specport.build.engines import RESULT
from specport.build.lintian import lintian_command, run_lintian
from specport.build.plan import SHORT_TIMEOUT
from specport.container.runner import Throwaway
from specport.targets import Target


def verdict_key(fingerprint: str, command: str) -> str | None:
    """The key from `lintian --version` and `sha256sum *.deb` output; None without debs."""
    lines = [line.strip() for line in fingerprint.splitlines() if line.strip()]
    if not any(line.endswith(".deb") for line in lines):
        return None
    text = "\n".join([command, *sorted(lines)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lint(box: Throwaway, target: Target, cache_dir: Path | None) -> list[str]:
    """run_lintian, or its cached verdict on the same files."""
    if cache_dir is None:
        return run_lintian(box, target)
    command = lintian_command(target)
    probe = box.run(
        f"lintian --version && cd {RESULT} && sha256sum *.deb", timeout=SHORT_TIMEOUT, check=False
    )
    key = verdict_key(probe.output, command) if probe.exit_code == 0 else None
    path = cache_dir / f"{key}.json"
    if key is not None:
        try:
            errors = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        else:
            if isinstance(errors, list):
                with box.log_path.open("a", encoding="utf-8") as log:
                    log.write(f"# {command}: the verdict on these exact files, from {path}\n")
                return [str(e) for e in errors]
    errors = run_lintian(box, target)
    if key is not None:
        _write(path, json.dumps(errors))
    return errors


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".lint.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
