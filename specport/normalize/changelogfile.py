"""The `changelog` file beside a spec: %autochangelog's entries older than the git history
(rpmautospec's convention: `rpmautospec convert` moves a spec's %changelog there).

%autochangelog is the git history's entries followed by this file's: commits up to the one that
last changed the file are taken as written in it, not listed again. A spec outside git (a fork
made by `specport import`) has only the file, and `specport rebase` writes its entry there, so
the new version is in the package's changelog without a commit."""

from __future__ import annotations

from pathlib import Path

from specport import safeio
from specport.errors import SpecError
from specport.safeio import regular_file

NAME = "changelog"
MAX_BYTES = 4 << 20


def entries(directory: Path) -> tuple[str, ...]:
    """The file's entries, newest first, each a block starting with "* "; () without a file."""
    path = regular_file(directory / NAME, directory)
    if path is None:
        return ()
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise SpecError(f"{path}: larger than {MAX_BYTES >> 20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not UTF-8 text") from None
    return split(text)


def split(text: str) -> tuple[str, ...]:
    """Entries of a %changelog text: a block from one "* " line to the next, blank lines at its
    end dropped; text before the first "* " line is kept with the first entry."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("* ") or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    out = []
    for block in blocks:
        while block and not block[-1].strip():
            block.pop()
        if block:
            out.append("\n".join(block))
    return tuple(out)


def add_entry(directory: Path, entry: str) -> None:
    """`entry` becomes the file's first (the file is made when missing)."""
    old = entries(directory)
    safeio.replace_text(directory / NAME, "\n\n".join((entry.rstrip("\n"), *old)) + "\n")
