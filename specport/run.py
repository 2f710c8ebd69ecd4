"""The one module that runs host programs: argv, timeout, environment, log, and a failure turned
into one ToolError naming the program.

Everything specport runs on the host goes through `run()` (rpm tools, gpg, createrepo_c,
mmdebstrap, dpkg-deb) or `git()`. Nothing here reads a spec: tools that parse spec text run in
the sandbox (specport.sandbox.rpmspec), never through this module on untrusted input. git runs only
where specport made the repository or directory (a bare clone, `git merge-file` on temporary
files); a spec's own repository is read by specport.gitread, which runs no program.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from specport import log
from specport.errors import ToolError

# where each program comes from on Debian/Ubuntu, for the "is not installed" hint
PACKAGES = {
    "rpm": "rpm",
    "rpmspec": "rpm",
    "rpmsign": "rpm",
    "rpmbuild": "rpm",
    "createrepo_c": "createrepo-c",
    "modifyrepo_c": "createrepo-c",
    "gpg": "gnupg",
    "gpgv": "gpgv",
    "mmdebstrap": "mmdebstrap distro-info-data",
    "dpkg-deb": "dpkg",
    "git": "git",
    "bwrap": "bubblewrap",
    "patch": "patch",
    "rpm2cpio": "rpm2cpio",
    "nm": "binutils",
    "skopeo": "skopeo",
}

GIT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Done:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")


def installed(program: str) -> bool:
    return shutil.which(program) is not None


def missing_hint(program: str) -> str:
    return f"apt-get install {PACKAGES.get(program, program)}"


def require(program: str) -> None:
    if not installed(program):
        raise ToolError(f"{program} is not installed", hint=missing_hint(program))


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    check: bool = True,
    stream: bool = False,
) -> Done:
    """Run argv; with `log_path` its output is appended there, with `stream` it goes to ours
    (a CI job's log shows the build it runs as it goes), else it is captured and returned.

    With check (the default) a non-zero exit is a ToolError with the program's first error line
    (or the log's last line); a missing program or a timeout always is."""
    args = tuple(os.fspath(a) for a in argv)
    log.debug("$ " + " ".join(args))
    try:
        if log_path is not None:
            with log_path.open("ab") as out:
                out.write(f"\n$ {' '.join(args)}\n".encode())
                out.flush()
                done = subprocess.run(
                    args,
                    input=input_bytes,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    env=dict(env) if env is not None else None,
                    cwd=cwd,
                    check=False,
                )
            result = Done(args, done.returncode, b"", b"")
        elif stream:
            done = subprocess.run(
                args,
                input=input_bytes,
                timeout=timeout,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                check=False,
            )
            result = Done(args, done.returncode, b"", b"")
        else:
            done = subprocess.run(
                args,
                input=input_bytes,
                capture_output=True,
                timeout=timeout,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                check=False,
            )
            result = Done(args, done.returncode, done.stdout, done.stderr)
    except FileNotFoundError as exc:
        raise ToolError(f"{args[0]} is not installed", hint=missing_hint(args[0])) from exc
    except subprocess.TimeoutExpired as exc:
        where = f" (log: {log_path})" if log_path else ""
        raise ToolError(f"{args[0]} did not finish within {timeout:g} s{where}") from exc
    if check and not result.ok:
        raise ToolError(f"{args[0]} failed (exit {result.returncode}): {_reason(result, log_path)}")
    return result


def _reason(done: Done, log_path: Path | None) -> str:
    if log_path is not None:
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
        return f"{tail[0] if tail else 'no output'} (log: {log_path})"
    return first_error_line(done.error_text or done.text)


def first_error_line(output: str) -> str:
    """Tools print warnings before the reason; the line naming an error is the one to show."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    for line in lines:
        if "error" in line.lower() or "failed" in line.lower():
            return line
    return lines[-1] if lines else "no output"


def git_env() -> dict[str, str]:
    """git with no system or global config, no prompts, no pager: a repository's own config is
    the only one read, and git_argv() switches off what in it could run a command."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PAGER": "cat",
        "GIT_OPTIONAL_LOCKS": "0",
    }


# settings a hostile repository's .git/config could use to run a program from a read-only git
# command; command-line -c wins over the repository's config. Not every such key can be switched
# off this way (an include.path brings more, a filter or textconv driver has its own name):
# specport never runs git in a repository it did not make (history is read by
# specport.gitread); this is a second line for the clones and temporary directories it does
_GIT_SAFETY = (
    "core.fsmonitor=",
    "core.hooksPath=/dev/null",
    "core.sshCommand=false",
    "core.pager=cat",
    "diff.external=",
    "protocol.ext.allow=never",
    "protocol.file.allow=user",
    "credential.helper=",
    "core.alternateRefsCommand=",
    "log.showSignature=false",
)


def git_argv(cwd: Path, *args: str) -> list[str]:
    argv = ["git", "-C", str(cwd)]
    for setting in _GIT_SAFETY:
        argv += ["-c", setting]
    return [*argv, "--no-pager", *args]


def git(
    cwd: Path,
    *args: str,
    timeout: float = GIT_TIMEOUT,
    check: bool = True,
    standalone: bool = False,
) -> Done:
    """git with the safe environment (see git_env and _GIT_SAFETY). `standalone`: a command
    that needs no repository (clone, merge-file) in a directory specport made; git must not
    find one above it (a /tmp/.git someone left would bring its config)."""
    env = git_env()
    if standalone:
        env["GIT_CEILING_DIRECTORIES"] = str(cwd.resolve().parent)
    return run(git_argv(cwd, *args), timeout=timeout, env=env, check=check)
