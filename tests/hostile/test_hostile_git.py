"""A spec's git repository whose configuration names a program in every way we know of: specport
reads its history (normalize, build's options, import, fork update) and runs none of them.

Each program-naming setting gets its own script writing its own marker, so the control (plain
git in the same repository) shows which settings are live, and the checks name any that ran."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hostile_support import Contained, run_cli

from specport.forks import distgit
from specport.forks.distgit import clone_snapshot
from specport.normalize.history import TrackedFiles, normalize_options

SPEC = (
    "Name: tracked\nVersion: {version}\nRelease: %autorelease\nSummary: s\nLicense: MIT\n"
    "%description\nd\n%files\n%changelog\n%autochangelog\n"
)
# a program in each setting: git runs these for commands as plain as log, status or diff
PROGRAM_KEYS = [
    "core.fsmonitor",
    "core.pager",
    "pager.log",
    "core.sshCommand",
    "core.askPass",
    "core.editor",
    "core.alternateRefsCommand",
    "core.gitProxy",
    "sequence.editor",
    "diff.external",
    "diff.evil.textconv",
    "diff.evil.command",
    "filter.evil.clean",
    "filter.evil.smudge",
    "filter.evil.process",
    "merge.evil.driver",
    "gpg.program",
    "gpg.ssh.program",
    "gpg.x509.program",
    "gpg.ssh.defaultKeyCommand",
    "credential.helper",
    "remote.origin.uploadpack",
    "uploadpack.packObjectsHook",
    "alias.log",
    "alias.ls-files",
]


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "A Packager",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A Packager",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": "2024-03-05T12:00:00+0000",
        "GIT_COMMITTER_DATE": "2024-03-05T12:00:00+0000",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, env=env, capture_output=True, timeout=60,
        check=True,
    )  # fmt: skip
    return done.stdout.decode()


def _hostile_repo(box: Contained, repo: Path) -> dict[str, Path]:
    """A dist-git style repository (spec, sources, a patch) with two commits, the second
    signed, and a config naming a marker-writing program in every PROGRAM_KEYS setting, in an
    included file, in an includeIf file, as hooks and through .gitattributes drivers."""
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / "tracked.spec").write_text(SPEC.format(version="1.0"))
    (repo / "fix.patch").write_text("--- a/x\n+++ b/x\n")
    (repo / ".gitattributes").write_text("* diff=evil filter=evil merge=evil\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first version")
    (repo / "tracked.spec").write_text(SPEC.format(version="2.0"))
    _git(repo, "add", "-A")
    # a commit with a signature header (its content does not matter: verifying it runs the
    # configured gpg program, which is what log.showSignature asks git to do)
    tree = _git(repo, "write-tree").strip()
    parent = _git(repo, "rev-parse", "HEAD").strip()
    raw = (
        f"tree {tree}\nparent {parent}\n"
        "author A Packager <a@example.org> 1709640000 +0000\n"
        "committer A Packager <a@example.org> 1709640000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----\n"
        "\nupdate to 2.0\n"
    )
    signed = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=raw.encode())
    _git(repo, "update-ref", "HEAD", signed.strip())

    markers: dict[str, Path] = {}
    scripts = box.tmp / "scripts"
    scripts.mkdir()

    def program(key: str) -> str:
        marker = box.host / f"pwned-{box.token}-{key}"
        script = scripts / key
        script.write_text(f"#!/bin/sh\ntouch {marker}\n")
        script.chmod(0o755)
        markers[key] = marker
        return str(script)

    settings = [(key, f"!{program(key)}" if key.startswith("alias.") else program(key))
                for key in PROGRAM_KEYS]  # fmt: skip
    (scripts / "hooks").mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc"):
        (scripts / "hooks" / hook).symlink_to(program(f"hook-{hook}"))
    included = box.tmp / "included.cfg"
    included.write_text(f"[core]\n\tfsmonitor = {program('include.path')}\n")
    conditional = box.tmp / "conditional.cfg"
    conditional.write_text(f"[core]\n\tpager = {program('includeIf')}\n")
    settings += [
        ("log.showSignature", "true"),
        ("gpg.format", "openpgp"),
        ("core.hooksPath", str(scripts / "hooks")),
        ("include.path", str(included)),
        (f"includeIf.gitdir:{repo}/.git.path", str(conditional)),
    ]
    with (repo / ".git" / "config").open("a") as config:
        for key, value in settings:
            section, _, name = key.rpartition(".")
            head, _, sub = section.partition(".")
            config.write(f'[{head} "{sub}"]\n' if sub else f"[{head}]\n")
            config.write(f'\t{name} = "{value}"\n')
    return markers


def _ran(markers: dict[str, Path]) -> list[str]:
    return sorted(key for key, marker in markers.items() if marker.exists())


def test_control_plain_git_runs_the_repositorys_programs(tmp_path: Path) -> None:
    """Without specport, reading this repository's history runs its programs: the fixture is
    live (gpg.program for the signature log.showSignature asks for, fsmonitor from the included
    file, the filter process for status)."""
    box = Contained(tmp_path)
    repo = tmp_path / "specs"
    markers = _hostile_repo(box, repo)
    assert _ran(markers) == []
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["log", "--", "tracked.spec"], ["status"], ["log", "-p", "-1"]):
        subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True,
                       timeout=60, check=False)  # fmt: skip
    ran = _ran(markers)
    for key in ("gpg.program", "include.path", "filter.evil.process"):
        assert key in ran, ran


def test_history_is_read_and_nothing_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = Contained(tmp_path)
    repo = tmp_path / "specs"
    markers = _hostile_repo(box, repo)
    spec = repo / "tracked.spec"
    box.settle()
    # normalize (and build's options, the same function): history from both commits
    code, output = run_cli(["normalize", str(spec), "--target", "el9-php8.2"], capsys)
    assert code == 0, output
    assert "- update to 2.0" in output and "- first version" in output
    assert "2.0-1" in output and "1.0-1" in output
    options = normalize_options(spec, packager="p <p@x.invalid>", tracked=TrackedFiles())
    assert options.autorelease == 1 and len(options.changelog) == 2
    assert _ran(markers) == []
    box.check([output])


@pytest.mark.parametrize("how", ["path", "file-url", "clone"])
def test_import_and_update_read_the_repository_without_running_it(
    how: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """import from the path, from a file:// URL (both read in place), and through the remote
    code path (a bare clone by git, then read): the files arrive, no program runs."""
    box = Contained(tmp_path)
    repo = tmp_path / "specs"
    markers = _hostile_repo(box, repo)
    source = str(repo) if how == "path" else f"file://{repo}"
    if how == "clone":
        monkeypatch.setattr(distgit, "_local_path", lambda source: None)
        snap = clone_snapshot(source)
        assert snap.upstream.branch == "main" and "tracked.spec" in snap.files
    fork = tmp_path / "fork"
    code, output = run_cli(["import", source, "--into", str(fork)], capsys)
    assert code == 0, output
    assert (fork / "tracked.spec").read_text() == SPEC.format(version="2.0")
    assert (fork / "fix.patch").is_file()
    # upstream moves on (the test's own commit, made with the hostile config put aside)
    config = repo / ".git" / "config"
    config.rename(tmp_path / "config")
    (repo / "tracked.spec").write_text(SPEC.format(version="3.0"))
    _git(repo, "commit", "-qam", "3.0")
    (tmp_path / "config").rename(config)
    box.settle()
    code, output2 = run_cli(["fork", "update", str(fork)], capsys)
    assert code == 0, output2
    assert "3.0" in (fork / "tracked.spec").read_text()
    assert _ran(markers) == []
    box.check([output, output2], allowed=[fork])
