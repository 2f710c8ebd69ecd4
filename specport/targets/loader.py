"""Load target definitions from the built-in TOML files and the user's specport.toml.

Precedence, lowest first:
  1. built-in definitions shipped in specport/targets/data/*.toml;
  2. the user's config: --config FILE, else $SPECPORT_CONFIG, else ./specport.toml.
A user table named like a built-in target changes only the fields it sets; `extends = "NAME"`
starts a new target from any other one. `macros` tables merge key by key down the chain.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from specport.errors import ConfigError
from specport.targets.families import mismatch
from specport.targets.model import DEFAULTS, FIELDS, META_KEYS, Target


@dataclass
class _Definition:
    name: str
    values: dict[str, Any]  # validated raw fields and meta keys
    origin: dict[str, str]  # field (or "macros.NAME") -> file that set it
    files: list[str]  # every file that contributed, for error messages


class TargetSet(Mapping[str, Target]):
    """Concrete targets by name, in definition order."""

    def __init__(self, targets: dict[str, Target], abstract: set[str]) -> None:
        self._targets = targets
        self.abstract = abstract

    def __getitem__(self, name: str) -> Target:
        return self._targets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)


def builtin_files() -> list[tuple[str, str]]:
    """(label, TOML text) of each built-in definition file, sorted by name."""
    data = resources.files("specport.targets") / "data"
    out = []
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.append((f"builtin:{entry.name}", entry.read_text(encoding="utf-8")))
    return out


def parse_toml(label: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None


def load_targets(user_files: list[tuple[str, dict[str, Any]]] | None = None) -> TargetSet:
    """Resolve built-in definitions plus user tables (label, parsed TOML) into targets."""
    defs: dict[str, _Definition] = {}
    for label, text in builtin_files():
        _add_tables(defs, label, parse_toml(label, text).get("targets", {}), builtin=True)
    for label, doc in user_files or []:
        _add_tables(defs, label, doc.get("targets", {}), builtin=False)

    targets: dict[str, Target] = {}
    abstract: set[str] = set()
    resolved: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    for name, d in defs.items():
        values, origin = _resolve(name, defs, resolved, [])
        if d.values.get("abstract", False):
            abstract.add(name)
            continue
        targets[name] = _build(name, values, origin, d)
    return TargetSet(targets, abstract)


def _add_tables(defs: dict[str, _Definition], label: str, tables: Any, *, builtin: bool) -> None:
    if not isinstance(tables, dict):
        raise ConfigError(f"{label}: key 'targets' must be a table of [targets.NAME] tables")
    for name, raw in tables.items():
        where = f"{label}: targets.{name}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a table")
        problem = FIELDS["name"][0](name)
        if problem:
            raise ConfigError(f"{where}: bad target name: {problem}")
        for key, value in raw.items():
            if key == "name":
                raise ConfigError(f"{where}.name: the name is the table's key; remove this key")
            if key in META_KEYS:
                _check_meta(where, key, value)
                continue
            if key not in FIELDS:
                close = difflib.get_close_matches(key, [*FIELDS, *META_KEYS], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"{where}.{key}: unknown key{hint}")
            problem = FIELDS[key][0](value)
            if problem:
                raise ConfigError(f"{where}.{key}: {problem}")
        origin = {k: f"{label} [{name}]" for k in raw if k not in META_KEYS}
        origin.update({f"macros.{m}": f"{label} [{name}]" for m in raw.get("macros", {})})
        if name in defs:
            # a second definition (a user's) changes the fields it sets
            old = defs[name]
            merged = dict(old.values)
            for k, v in raw.items():
                merged[k] = {**merged.get("macros", {}), **v} if k == "macros" else v
            defs[name] = _Definition(name, merged, {**old.origin, **origin}, [*old.files, label])
        else:
            defs[name] = _Definition(name, dict(raw), origin, [label])


def _check_meta(where: str, key: str, value: Any) -> None:
    if key == "extends" and not isinstance(value, str):
        raise ConfigError(f"{where}.extends: expected the name of a target")
    if key == "abstract" and not isinstance(value, bool):
        raise ConfigError(f"{where}.abstract: expected true or false")


def _resolve(
    name: str,
    defs: dict[str, _Definition],
    done: dict[str, tuple[dict[str, Any], dict[str, str]]],
    stack: list[str],
) -> tuple[dict[str, Any], dict[str, str]]:
    if name in done:
        return done[name]
    d = defs[name]
    if name in stack:
        cycle = " -> ".join([*stack[stack.index(name) :], name])
        raise ConfigError(f"{d.files[-1]}: targets.{name}.extends: inheritance cycle {cycle}")
    parent = d.values.get("extends")
    if parent is None:
        values: dict[str, Any] = {k: v for k, v in DEFAULTS.items()}
        origin: dict[str, str] = {k: "default" for k in DEFAULTS}
    else:
        if parent not in defs:
            close = difflib.get_close_matches(parent, list(defs), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ConfigError(
                f"{d.files[-1]}: targets.{name}.extends: no target named {parent!r}{hint}"
            )
        pv, po = _resolve(parent, defs, done, [*stack, name])
        values, origin = dict(pv), dict(po)
    for key, value in d.values.items():
        if key in META_KEYS:
            continue
        values[key] = {**values.get("macros", {}), **value} if key == "macros" else value
    origin.update(d.origin)
    done[name] = (values, origin)
    return values, origin


def _build(name: str, values: dict[str, Any], origin: dict[str, str], d: _Definition) -> Target:
    for key, (_check, required) in FIELDS.items():
        if key != "name" and required and key not in values:
            raise ConfigError(f"{d.files[-1]}: targets.{name}: missing required key {key!r}")
    for key in ("builder", "name_rules"):  # one fact, the family's: a target cannot choose
        problem = mismatch(values["family"], key, values[key])
        if problem:
            raise ConfigError(f"{d.files[-1]}: targets.{name}.{key}: {problem}")
    kwargs: dict[str, Any] = {}
    for key in FIELDS:
        if key == "name":
            continue
        value = values.get(key)
        if isinstance(value, list):
            value = tuple(value)
        elif key == "macros":
            value = {k: str(v) for k, v in (value or {}).items()}
        kwargs[key] = value
    origin = {**origin, "name": d.files[0]}
    return Target(name=name, origin=origin, **kwargs)


def read_user_file(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config {path} is not UTF-8 text (byte {exc.start})") from None
    return str(path), parse_toml(str(path), text)
