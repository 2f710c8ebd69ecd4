"""The layers: import-linter's contract (pyproject.toml) holds, and docs/architecture.md draws
the same layers in the same order."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _contract_layers() -> list[str]:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = doc["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    assert not any("ignore_imports" in c for c in contracts)  # no exceptions
    return [" ".join(layer.split()) for layer in layers["layers"]]


def _documented_layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->\n```\n(.*?)```\n<!-- /layers -->", text, re.S)
    assert block is not None, "docs/architecture.md has no <!-- layers --> block"
    out = []
    for line in block.group(1).splitlines():
        # "  9  specport.commands   what it is" -> the modules column
        m = re.match(r"\s*\d+\s+(\S+(?:\s+[|:]\s+\S+)*)", line)
        if m:
            out.append(" ".join(m.group(1).split()))
    return out


def test_the_contract_holds() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_architecture_doc_draws_the_contract() -> None:
    assert _documented_layers() == _contract_layers()


def test_the_contract_names_every_package() -> None:
    """A new top-level module or package belongs to a layer: the contract would not see it."""
    named = {m.strip() for layer in _contract_layers() for m in re.split(r"[|:]", layer)}
    found = {
        f"specport.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "specport").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert found - named == set()


def test_every_command_module_is_independent() -> None:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = doc["tool"]["importlinter"]["contracts"]
    (independent,) = [c for c in contracts if c["id"] == "commands"]
    commands = {
        f"specport.commands.{p.stem}"
        for p in (ROOT / "specport" / "commands").glob("*.py")
        if p.stem not in ("__init__", "options")
    }
    assert set(independent["modules"]) == commands
