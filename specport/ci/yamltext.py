"""Block YAML for the CI files specport writes: dicts, lists and scalars, every string
JSON-quoted (a valid YAML scalar that no YAML 1.1 reader takes for a number or a boolean)."""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# YAML 1.1 reads these unquoted keys as booleans (`on:` would become true)
_BOOLISH = {"on", "off", "yes", "no", "y", "n", "true", "false"}


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block YAML for dicts, lists and scalars; strings JSON-quoted (valid YAML scalars)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            k = key if _PLAIN_KEY.match(key) and key.lower() not in _BOOLISH else json.dumps(key)
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{k}:\n{to_yaml(item, indent + 1)}")
            else:
                out.append(f"{pad}{k}: {_scalar(item)}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = to_yaml(item, indent + 1)
                out.append(f"{pad}- {inner.lstrip()}")
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
        return "".join(out)
    return pad + _scalar(value) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(str(value))
