"""`specport normalize`: rewrite a Fedora spec for targets; show, write, diff, explain, check."""

from __future__ import annotations

import contextlib
import difflib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from specport import log, safeio
from specport import pathnames as names
from specport.app import App, pass_app
from specport.commands.options import bcond_options, bconds_of
from specport.errors import SpecError, SpecportError, ToolError, UsageError
from specport.index.resolvers import index_mode, make_resolvers
from specport.normalize.deps import UnresolvedError
from specport.normalize.history import TrackedFiles, normalize_options
from specport.normalize.macrofiles import render_macro_files
from specport.normalize.model import Bconds, NormalizeResult
from specport.normalize.packages import spec_names
from specport.normalize.passes import normalize
from specport.normalize.resolver import Resolver
from specport.sandbox.check import CheckJob, CheckResult, check_specs
from specport.sandbox.jobs import check_environment
from specport.targets.model import Target


def register(group: click.Group) -> None:
    group.add_command(normalize_command)


@dataclass
class Outcome:
    target: Target
    result: NormalizeResult | None
    error: SpecportError | None = None
    output: Path | None = None


@click.command("normalize")
@click.argument(
    "specs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--target", "-t", "expression", required=True, help="Targets: names, globs, comma list."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write DIR/<target>/<name>.spec and DIR/<target>/macros.d/.",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff against the input.")
@click.option("--explain", is_flag=True, help="List each change, the pass that made it and why.")
@click.option("--check", "run_check", is_flag=True, help="Parse each result with the target's rpm.")
@click.option("--keep-unresolved", is_flag=True, help="Keep names no rule translates.")
@click.option(
    "--release-suffix", default="", help="Append to Release, e.g. a CI counter: 1 -> 1.<suffix>."
)
@click.option("--offline", is_flag=True, help="Use only the cached package indexes (no network).")
@click.option("--no-index", is_flag=True, help="Translate names with the rule data only.")
@click.option("--keep-going", is_flag=True, help="Go on with the other specs after one fails.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JSON report: per spec and target, status, output, dependencies, unresolved.",
)
@bcond_options
@pass_app
def normalize_command(
    app: App,
    specs: tuple[Path, ...],
    expression: str,
    output: Path | None,
    show_diff: bool,
    explain: bool,
    run_check: bool,
    keep_unresolved: bool,
    release_suffix: str,
    offline: bool,
    no_index: bool,
    keep_going: bool,
    report: Path | None,
    bcond_with: tuple[str, ...],
    bcond_without: tuple[str, ...],
) -> None:
    """Rewrite each SPEC for each target (the input files are never modified).

    Given several SPECs, names that one of them builds (its packages and Provides) count as
    "built here" for the others. --with/--without NAME read the spec's bconds as the build
    with the same options does (its branches, its names), and the result carries them."""
    if run_check:
        check_environment()
    bconds = bconds_of(bcond_with, bcond_without)
    targets = app.select(expression)
    texts: dict[Path, str] = {}
    unreadable: dict[Path, SpecportError] = {}
    for spec in specs:
        try:
            texts[spec] = _read(spec)
        except SpecError as exc:
            unreadable[spec] = exc
    mode = index_mode(app.config.settings, offline=offline, no_index=no_index)
    resolvers = make_resolvers(targets, texts, app.config.settings, mode, app.config.names)
    stems = output_stems(texts)
    failed: list[tuple[Path, SpecportError]] = []
    entries: list[dict[str, object]] = []
    tracked = TrackedFiles()  # git asked once per directory, not once per spec
    checks: list[CheckJob] = []  # every spec's, checked together: one sandbox per image
    with tempfile.TemporaryDirectory(prefix="specport-normalize-") as tmp:
        for spec in specs:
            try:
                if spec in unreadable:
                    raise unreadable[spec]
                normalize_one(
                    app, spec, targets, output, show_diff, explain,
                    checks if run_check else None, Path(tmp), keep_unresolved, release_suffix,
                    resolvers=resolvers, stem=stems.get(spec), entries=entries, tracked=tracked,
                    bconds=bconds,
                )  # fmt: skip
            except SpecportError as exc:
                if not any(e["spec"] == str(spec) for e in entries):  # failed before any target
                    entries.extend(report_entry(spec, Outcome(t, None, exc)) for t in targets)
                failed.append((spec, exc))
                if len(specs) > 1:
                    log.error(str(exc))
                    if not keep_going:
                        break
        results = check_specs(checks, app.config.settings, app.config.targets) if checks else []
    _write_report(report, entries, protect=specs)
    if results:
        print_checks(results)
    if len(specs) == 1 and failed:
        raise failed[0][1]
    if failed:
        listed = ", ".join(str(spec) for spec, _ in failed)
        raise SpecError(f"{len(failed)} of {len(specs)} spec(s) failed: {listed}")
    bad = [r for r in results if not r.ok]
    if bad:
        raise ToolError(f"{len(bad)} of {len(results)} check(s) failed")


def normalize_one(
    app: App,
    spec: Path,
    targets: list[Target],
    output: Path | None,
    show_diff: bool,
    explain: bool,
    checks: list[CheckJob] | None,
    check_dir: Path,
    keep_unresolved: bool,
    release_suffix: str,
    *,
    resolvers: dict[str, Resolver] | None = None,
    stem: str | None = None,
    entries: list[dict[str, object]] | None = None,
    tracked: TrackedFiles | None = None,
    bconds: Bconds | None = None,
) -> None:
    """One spec for every target: write, diff, explain; with `checks`, add its check jobs
    (their files go to check_dir). `entries` receives one --report record
    per target."""
    text = _read(spec)
    name = stem or package_name(text, spec)
    options = normalize_options(
        spec,
        packager=app.config.settings.maintainer,
        keep_unresolved=keep_unresolved,
        release_suffix=release_suffix,
        tracked=tracked,
    )
    options = replace(options, bconds=bconds or Bconds())
    outcomes = []
    for target in targets:
        try:
            resolver = (resolvers or {}).get(target.name)
            result = normalize(text, target, path=str(spec), options=options, resolver=resolver)
            outcomes.append(Outcome(target, result))
        except SpecportError as exc:
            outcomes.append(Outcome(target, None, exc))
            if len(targets) > 1:  # one target: its error is the one the command ends with
                log.error(f"{target.name}: {exc}")
    good = [o for o in outcomes if o.result is not None]
    if output is not None:
        for o in good:
            assert o.result is not None
            write_target(output, o.target, name, o.result, protect=(spec,))
            o.output = output / o.target.name / f"{name}.spec"
        log.info(f"wrote {len(good)} target(s) to {output}")
    if entries is not None:
        entries.extend(report_entry(spec, o) for o in outcomes)
    if show_diff:
        for o in good:
            assert o.result is not None
            print_diff(text, o.result.text, spec, f"{o.target.name}/{name}.spec")
    if explain:
        print_explain(good)
    if not (output or show_diff or explain or checks is not None):
        if len(targets) == 1 and good:
            assert good[0].result is not None
            click.echo(good[0].result.text, nl=False)
        elif len(targets) > 1:  # one target that failed: the error below says it all
            print_summary(outcomes)
    failed = [o for o in outcomes if o.error is not None]
    if checks is not None:
        # under check_dir/<k>: two specs may share a Name
        base = check_dir / str(len(checks))
        for o in good:
            assert o.result is not None
            macros = write_target(base, o.target, name, o.result)
            checks.append(CheckJob(o.target, f"{name}.spec", o.result.text, tuple(macros)))
    if failed:
        if len(outcomes) == 1 and failed[0].error is not None:
            raise failed[0].error
        listed = ", ".join(o.target.name for o in failed)
        raise SpecError(f"normalization failed for {listed}", path=str(spec))


def _read(spec: Path) -> str:
    try:
        return spec.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the spec: {exc}", path=str(spec)) from None


def output_stems(texts: dict[Path, str]) -> dict[Path, str]:
    """The file name (without .spec) of each spec under -o: its package name; specs that share
    one get "<name>@<k>", k counting them in the order of their resolved paths."""
    by_spec = {}
    for spec, text in texts.items():
        # a name against rpm's rules: that spec fails on its own, with this error
        with contextlib.suppress(SpecError):
            by_spec[spec] = package_name(text, spec)
    # an unreadable spec has no name and writes nothing
    stems = dict(by_spec)
    for name in set(by_spec.values()):
        same = sorted((s for s, n in by_spec.items() if n == name), key=lambda p: str(p.resolve()))
        if len(same) > 1:
            for k, spec in enumerate(same, start=1):
                stems[spec] = f"{name}@{k}"
    return stems


def report_entry(spec: Path, o: Outcome) -> dict[str, object]:
    changes = o.result.changes if o.result is not None else []
    deps = [c.dependency for c in changes if c.dependency is not None]
    unresolved = o.error.names if isinstance(o.error, UnresolvedError) else []
    refused = o.error.refused if isinstance(o.error, UnresolvedError) else []
    return {
        "spec": str(spec),
        "target": o.target.name,
        "status": "ok" if o.result is not None else "failed",
        "output": str(o.output) if o.output is not None else None,
        "dependencies": [{"fedora": f, "target": t, "how": h} for f, t, h in deps],
        "unresolved": unresolved,
        # each refused name's class: absent (no counterpart on the target), unknown, macro
        # (a macro specport cannot read), scl (a Software Collection), php-stack
        "refused": [{"name": n, "class": k, "why": w} for n, k, w in refused],
        "error": str(o.error) if o.error is not None else None,
    }


def _write_report(
    path: Path | None, entries: list[dict[str, object]], *, protect: Sequence[Path]
) -> None:
    """Written as every output is (safeio): a link at the name is replaced, not written
    through, and an input spec is never overwritten."""
    if path is None:
        return
    try:
        safeio.write_text(path, json.dumps({"specs": entries}, indent=2) + "\n", protect=protect)
    except OSError as exc:
        raise UsageError(f"--report {path}: {exc.strerror}") from None
    log.info(f"report written to {path}")


def package_name(text: str, spec: Path) -> str:
    """The spec's Name, checked against rpm's rules: it becomes a file name."""
    return spec_names(text, str(spec)) or names.rpm_name(spec.stem, str(spec))


def write_target(
    output: Path, target: Target, name: str, result: NormalizeResult, protect: tuple[Path, ...] = ()
) -> list[Path]:
    """DIR/<target>/<name>.spec and its macros.d/, never through a link or over an input."""
    spec = safeio.write_file(
        output, Path(target.name, f"{name}.spec"), result.text.encode(), protect=protect
    )
    paths = []
    for file, content in render_macro_files(target).items():
        rel = Path(target.name, "macros.d", file)
        paths.append(safeio.write_file(output, rel, content.encode(), protect=protect))
    assert spec.name == f"{name}.spec"
    return paths


def print_diff(old: str, new: str, spec: Path, label: str) -> None:
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"a/{spec}" if not spec.is_absolute() else str(spec),
        f"b/{label}",
    )
    click.echo("".join(diff), nl=False)


def print_explain(outcomes: list[Outcome]) -> None:
    # plain lines, not a table: long reasons stay on one line, for grep and CI logs
    for o in outcomes:
        assert o.result is not None
        for c in o.result.changes:
            where = f"line {c.line}" if c.line else "top"
            click.echo(f"{o.target.name}: {where}: [{c.pass_name}] {c.reason}")


def print_summary(outcomes: list[Outcome]) -> None:
    table = Table(box=None, pad_edge=False)
    for col in ("target", "result", "changes"):
        table.add_column(col)
    for o in outcomes:
        if o.result is None:
            table.add_row(Text(o.target.name), "failed", Text(str(o.error)))
        else:
            table.add_row(Text(o.target.name), "ok", str(len(o.result.changes)))
    log.out_console.print(table)


def print_checks(results: list[CheckResult]) -> None:
    table = Table(box=None, pad_edge=False)
    for col in ("target", "spec", "parsed by", "result"):
        table.add_column(col)
    for r in results:
        table.add_row(*(Text(v) for v in (r.target, r.spec, r.tool)), _result_text(r))
    log.out_console.print(table)


def _result_text(r: CheckResult) -> Text:
    # Text, not a markup string: spec text in an error ("[/bold]") is shown, never parsed
    return Text("ok" if r.ok else f"FAILED: {r.detail}")
