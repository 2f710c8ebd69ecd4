"""The `specport` command line: parse, call, print. Work happens in the modules it calls."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from specport import __version__, log
from specport.app import App
from specport.errors import SpecportError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="specport")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Project config (default: $SPECPORT_CONFIG, else ./specport.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show more, and tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Show only errors and results.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: bool, quiet: bool) -> None:
    """Turn Fedora RPM spec files into packages for many RPM and Debian/Ubuntu targets."""
    if verbose and quiet:
        raise click.UsageError("-v and -q exclude each other")
    log.set_verbosity(2 if verbose else 0 if quiet else 1)
    ctx.obj = App(config_path=config_path, verbose=verbose)


def _register() -> None:
    # each command module adds its commands to the group; imported here to keep one entry point
    from specport.commands import (
        build,
        cache,
        doctor,
        fork,
        graph,
        images,
        index,
        keys,
        matrix,
        normalize,
        publish,
        rebuild,
        targets,
    )

    for module in (
        targets,
        index,
        normalize,
        build,
        cache,
        keys,
        publish,
        images,
        doctor,
        matrix,
        fork,
        graph,
        rebuild,
    ):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> None:
    verbose = any(a in ("-v", "--verbose") for a in (argv or sys.argv[1:]))
    try:
        cli.main(args=argv, prog_name="specport", standalone_mode=False)
    except SpecportError as exc:
        if verbose:
            traceback.print_exc()
        log.error(str(exc))
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        log.error("interrupted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        log.error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # a bug: say so in one line unless asked for more
        if verbose:
            traceback.print_exc()
        log.error(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)")
        sys.exit(1)
    sys.exit(0)
