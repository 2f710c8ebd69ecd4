"""Input hashes: an image is up to date when the hash of everything it was made from matches.

Every image specport makes carries the label `specport.inputs=<sha256>` (INPUTS_LABEL,
container/imagestore.py); the hash covers a JSON
document of the inputs (template text, rendered Containerfile, target fields, tarball checksums,
macro files, the base image's own hash), so any change to any of them marks the image stale.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def inputs_hash(inputs: dict[str, Any]) -> str:
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
