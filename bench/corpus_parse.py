"""The parse checks of bench/normalize_corpus.py: each spec read by the real debbuild
(`--showpkgs`) in the target's builder image, or by rpm 4.14 (EL8's parser) in an ubuntu:20.04
container; failures grouped by their message."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specport.config import load_config
from specport.normalize.macrofiles import write_macro_files
from specport.targets.model import Target


def _image(target: Target, ensure: Callable[[Any, Target, Any], str]) -> str:
    """The image `ensure` makes ready for `target` (built when it is missing or stale)."""
    from specport.container.engine import connect

    engine = connect()
    try:
        return ensure(engine, target, load_config(None).settings)
    finally:
        engine.close()


def check_debbuild(
    normalized: dict[Path, Path], target: Target, work: Path
) -> tuple[int, Counter[str]]:
    """debbuild --showpkgs of each normalized spec (input spec -> its output)."""
    from specport.images.kinds import ensure_builder_image
    from specport.sandbox.checkold import check_with_debbuild

    image = _image(target, ensure_builder_image)
    macros = write_macro_files(target, work / f"macros-{target.name}")
    jobs = [
        (spec.name, out.read_text(encoding="utf-8"), macros) for spec, out in normalized.items()
    ]
    log = work / f"debbuild-{target.name}-{len(jobs)}.log"
    results = check_with_debbuild(target.name, image, jobs, log)
    return sum(r.ok for r in results), Counter(why(r.spec, r.detail) for r in results if not r.ok)


def check_raw_debbuild(specs: list[Path], target: Target, work: Path) -> tuple[int, Counter[str]]:
    """Issue 13's baseline: what plain debbuild (no specport) parses of the un-normalized corpus,
    in one container of the target's builder image (the specs are sanitized as every spec that
    enters a container is). The builder image carries specport's macro files in debbuild's
    macros.d; each job copies empty files of the same names over them, so debbuild reads only
    its own and debbuild-macros' files."""
    from specport.images.kinds import ensure_builder_image
    from specport.sandbox.checkold import check_with_debbuild

    image = _image(target, ensure_builder_image)
    ours = write_macro_files(target, work / f"macros-{target.name}")
    blank_dir = work / f"macros-none-{target.name}"
    blank_dir.mkdir(parents=True, exist_ok=True)
    blanks = []
    for file in ours:
        (blank_dir / file.name).write_text("", encoding="utf-8")
        blanks.append(blank_dir / file.name)
    jobs = [(spec.name, spec.read_text(encoding="utf-8"), blanks) for spec in specs]
    log = work / f"debbuild-raw-{target.name}-{len(jobs)}.log"
    results = check_with_debbuild(target.name, image, jobs, log)
    return sum(r.ok for r in results), Counter(why(r.spec, r.detail) for r in results if not r.ok)


def check_rpm414(
    normalized: dict[Path, Path], target: Target, work: Path
) -> tuple[int, Counter[str]]:
    """rpmspec -P of each normalized spec with rpm 4.14, in an ubuntu:20.04 container."""
    from specport.images.kinds import ensure_base_image
    from specport.sandbox.checkold import check_in_container

    image = _image(load_config(None).targets["ubuntu-20.04"], ensure_base_image)
    macros = write_macro_files(target, work / f"macros-{target.name}")
    jobs = [
        (target.name, spec.name, out.read_text(encoding="utf-8"), macros)
        for spec, out in normalized.items()
    ]
    results = check_in_container(jobs, work / f"rpm414-{target.name}.log", image=image)
    return sum(r.ok for r in results), Counter(why(r.spec, r.detail) for r in results if not r.ok)


def why(spec: str, detail: str) -> str:
    # the job directory and line number differ per spec; the message is what groups them
    detail = re.sub(r"at line \d+ of \S+", "at line N of the spec", detail)
    return f"{detail[:90]} (e.g. {spec})"


def print_failures(counts: Counter[str]) -> None:
    # "same message, different spec" collapses: count by the message alone
    by_message: Counter[str] = Counter()
    example: dict[str, str] = {}
    for detail, n in counts.items():
        message = detail.rsplit(" (e.g. ", 1)[0]
        by_message[message] += n
        example.setdefault(message, detail)
    for message, n in by_message.most_common(6):
        print(f"    failed: {n} x {example[message]}")
