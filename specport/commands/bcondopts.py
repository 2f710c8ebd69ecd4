"""--with/--without NAME: the spec's build conditionals (%bcond), as rpmbuild and debbuild take
them. One decorator and one check, so normalize, graph, matrix, build and rebuild read the same
branches for the same options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from specport.errors import UsageError
from specport.normalize.model import Bconds

F = TypeVar("F", bound=Callable[..., Any])
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bcond_options(func: F) -> F:
    func = click.option(
        "--without",
        "bcond_without",
        multiple=True,
        metavar="NAME",
        help="Turn the spec's bcond NAME off, as rpmbuild --without (repeatable).",
    )(func)
    return click.option(
        "--with",
        "bcond_with",
        multiple=True,
        metavar="NAME",
        help="Turn the spec's bcond NAME on, as rpmbuild --with (repeatable).",
    )(func)


def bconds_of(with_: Iterable[str], without: Iterable[str]) -> Bconds:
    """The options checked: names rpm accepts for a macro, none both on and off."""
    on, off = tuple(dict.fromkeys(with_)), tuple(dict.fromkeys(without))
    for name in (*on, *off):
        if not _NAME.fullmatch(name):
            raise UsageError(f"--with/--without {name!r}: a bcond name is letters, digits and _")
    both = sorted(set(on) & set(off))
    if both:
        raise UsageError(f"--with and --without both name {', '.join(both)}")
    return Bconds(on, off)


def bconds_from(kw: dict[str, Any]) -> Bconds:
    """From the keyword arguments of a command decorated with bcond_options (removed)."""
    return bconds_of(kw.pop("bcond_with", ()), kw.pop("bcond_without", ()))
