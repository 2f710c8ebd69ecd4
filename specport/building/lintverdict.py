"""lintian's verdict, cached by what it judged: the exact .deb files (sha256), the builder
image (by id: lintian and its data come with it) and lintian's command line (the suppressed
tags). A rebuild that gives the same bytes (the builds are reproducible) gets the verdict
without running lintian again, which is most of the time the deb side adds to a warm build. The
cache is independent of the result cache (and of --no-cache): the same bytes, the same lintian,
the same verdict."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from specport import safeio
from specport.building.lintian import lintian_command, run_lintian
from specport.container.runs import Throwaway
from specport.targets import Target

_HASH_LINE = re.compile(r"^[0-9a-f]{64}  \S+\.deb$")


def verdict_key(image_id: str, hashes: str, command: str) -> str | None:
    """The key from the image id and `sha256sum *.deb` output; None without both."""
    lines = sorted(line.strip() for line in hashes.splitlines() if _HASH_LINE.match(line.strip()))
    if not lines or not image_id:
        return None
    text = "\n".join([command, image_id, *lines])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lint(box: Throwaway, target: Target, cache_dir: Path | None, hashes: str) -> list[str]:
    """run_lintian, or its cached verdict on the same files (`hashes`: sha256sum's output)."""
    if cache_dir is None:
        return run_lintian(box, target)
    command = lintian_command(target)
    key = verdict_key(box.image_id, hashes, command)
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
        safeio.replace_text(path, json.dumps(errors))
    return errors
