"""normalize(): run the passes for one target, in order, and collect their change notes.

Order matters: %( ) values become literal first (later passes read them as macros), then the
forge macros (they read Version and %{tag}/%{commit} as text); release and
changelog next; ZTS is switched off before %bcond is rewritten; PHP's ini layout and the PHP
%{__pecl} requirements are handled before dependency names are translated; the target's macro
block goes on top last.
"""

from __future__ import annotations

import os

from specport.normalize import (
    deps,
    descriptions,
    files,
    filters,
    forge,
    header,
    php,
    pyproject,
    release,
    reserved,
    scriptcmds,
    scriptlets,
    shell,
    syntax,
    tags,
)
from specport.normalize.lines import join_lines, split_lines
from specport.normalize.model import Change, NormalizeOptions, NormalizeResult, Pass, PassContext
from specport.normalize.resolver import Resolver
from specport.targets.families import facts_of
from specport.targets.model import Target

PASSES: tuple[tuple[str, Pass], ...] = (
    (shell.NAME, shell.evaluate_shell),
    (forge.NAME, forge.expand_forge_macros),
    (pyproject.NAME, pyproject.expand_pypi_source),
    (forge.NAME, forge.expand_source_names),
    (tags.NAME, tags.trim_tag_values),
    (tags.NAME, tags.check_version_defined),
    (filters.NAME, filters.drop_dependency_filters),
    (reserved.NAME, reserved.rename_builtin_clashes),
    (release.NAME, release.normalize_release),
    (release.NAME, release.resolve_autochangelog),
    (php.NAME, php.disable_zts),
    (syntax.NAME, syntax.convert_bcond),
    (syntax.NAME, syntax.convert_elif),
    (syntax.NAME, syntax.convert_patch),
    (syntax.NAME, syntax.merge_conf_section),
    (syntax.NAME, syntax.convert_autopatch_range),
    (syntax.NAME, syntax.convert_caret_version),
    (pyproject.NAME, pyproject.translate_generate_buildrequires),
    (descriptions.NAME, descriptions.inline_description_macros),
    (syntax.NAME, syntax.check_new_syntax),
    (scriptcmds.NAME, scriptcmds.translate_commands),
    (files.NAME, files.translate_files),
    (scriptlets.NAME, scriptlets.translate_scriptlets),
    (php.NAME, php.debian_ini_layout),
    (php.NAME, php.fedora_config_defines),
    (deps.NAME, deps.translate_dependencies),
    (header.NAME, header.add_target_macros),
)


def normalize(
    text: str,
    target: Target,
    *,
    path: str | os.PathLike[str] | None = None,
    options: NormalizeOptions | None = None,
    resolver: Resolver | None = None,
) -> NormalizeResult:
    """The spec rewritten for `target`. Pure: no files, no processes, no clock.

    `path` only labels messages; the file is not read. `resolver` translates dependency names
    (an IndexResolver with the target's package index); None uses the rule data alone."""
    label = os.fspath(path) if path is not None else None
    ctx = PassContext(
        target=target, options=options or NormalizeOptions(), path=label, resolver=resolver
    )
    lines = split_lines(text)
    changes: list[Change] = []
    skipped = facts_of(target).skipped_passes
    for _name, run in PASSES:
        if run.__name__ in skipped:
            continue
        lines, more = run(lines, ctx)
        changes.extend(more)
    return NormalizeResult(text=join_lines(lines), changes=changes)


__all__ = ["Change", "NormalizeOptions", "NormalizeResult", "normalize"]
