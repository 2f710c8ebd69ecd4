"""The `specport` command line: parse, call, print. Work happens in the modules it calls."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

import click

from specport import __version__, log
from specport.app import App
from specport.errors import SpecportError

# command -> the module under specport.commands that defines it. A command's module is imported
# when that command runs (or --help lists them all): `specport build` does not load publish's,
# doctor's or fork's code, which is a tenth of a second of every short run.
COMMANDS = {
    "build": "build",
    "builders": "builders",
    "cache": "cache",
    "ci": "ci",
    "doctor": "doctor",
    "fork": "fork",
    "graph": "graph",
    "images": "appimages",  # the user's images (images/<name>/); `builders`: the internal ones
    "import": "fork",
    "index": "index",
    "keys": "keys",
    "matrix": "matrix",
    "normalize": "normalize",
    "publish": "publish",
    "rebase": "rebase",
    "rebuild": "rebuild",
    "targets": "targets",
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"specport.commands.{COMMANDS[cmd_name]}")
            module.register(self)  # adds the module's commands to this group
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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


def main(argv: list[str] | None = None) -> None:
    verbose = any(a in ("-v", "--verbose") for a in (argv or sys.argv[1:]))
    try:
        # a command that raises click's Exit(N) (e.g. `builders stale`) returns N here
        code = cli.main(args=argv, prog_name="specport", standalone_mode=False)
    except SpecportError as exc:
        if verbose:
            traceback.print_exc()
        log.error(_one_line(str(exc)))
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        log.error("interrupted")
        sys.exit(130)
    except click.ClickException as exc:
        # click's own usage block is three lines; an error here is one, like every other
        message = exc.format_message()
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            message += f" (see {exc.ctx.command_path} --help)"
        log.error(_one_line(message))
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        log.error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:  # the machine's answer about a path (too long, no permission, full)
        where = f": {exc.filename}" if exc.filename else ""
        log.error(_one_line(f"{exc.strerror or exc}{where}"))
        sys.exit(1)
    except Exception as exc:  # a bug: say so in one line unless asked for more
        if verbose:
            traceback.print_exc()
        log.error(
            _one_line(f"internal error: {type(exc).__name__}: {exc}")
            + " (run with -v for the traceback)"
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(message: str) -> str:
    """An error is one line however its text came: a spec's or a file's line breaks (and any
    other control character) are shown escaped, and a message is cut at 2,000 characters."""
    text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in message)
    return text if len(text) <= 2000 else text[:2000] + "..."
