"""Random spec text, file names, command-line values and config files through normalize, graph,
matrix, targets, fork status, import and rebase: whatever comes in, a run ends normally or in
`specport: error:` lines with exit 1 or 2, never a traceback or an "internal error", never an
error line as long as its input.

The fast suite runs a few fixed examples per command (derandomized: the same every run). A
longer, random run: SPECPORT_FUZZ_EXAMPLES=500 pytest tests/hostile/test_hostile_fuzz_cli.py
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SPECPORT_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 8,
    derandomize=not EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PIECES = [
    "%", "%%", "{", "}", "(", ")", "[", "]", "!", "?", ":", "-", "*", ",", "/", "\\", " ", "\t",
    '"', "'", "$", "#", "=", "<", ">", "|", "&", "~", "^", "_", "a", "Z", "0", "9", "é", "\u2028",
    "\x00", "\x1b", "\x1c", "\r", "[/bold]", "%{?fedora}", "%{?rhel}", "0%{?debian}", "%{name}",
    "%{version}", "%{?dist}", "%{lua:", "%(", "%[", "%{expand:", "%{?!x:y}", "%{?x:%{y}}",
    ">= 8", "&&", "||", "%if", "%endif", "%else", "%global", "%define", "%undefine", "-n",
    "php(", "pear(", "php-composer(", "pkgconfig(", "/usr/bin/", "%{_bindir}", "(a or b)",
    "..", "\\\n", "%autorelease", "%autochangelog", "x" * 300,
]  # fmt: skip
junk = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.+", min_size=1, max_size=12)
number = st.integers(min_value=0, max_value=12).map(str)

LINES = [
    lambda v, n: f"BuildRequires: {v}",
    lambda v, n: f"Requires: {v}",
    lambda v, n: f"Provides: {v}",
    lambda v, n: f"Source{n}: {v}",
    lambda v, n: f"Patch{n}: {v}",
    lambda v, n: f"%if {v}",
    lambda v, n: "%else",
    lambda v, n: "%endif",
    lambda v, n: f"%global g{n} {v}",
    lambda v, n: f"%define d{n} {v}",
    lambda v, n: f"%package {v}",
    lambda v, n: f"%package -n {v}",
    lambda v, n: "%description",
    lambda v, n: f"%files {v}",
    lambda v, n: "%changelog",
    lambda v, n: f"* {v}",
    lambda v, n: f"%patch{n} -p1",
    lambda v, n: f"%autosetup {v}",
    lambda v, n: v,
]


@st.composite
def spec_texts(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    head = {
        "Name": draw(st.one_of(word, word, word, junk)),
        "Version": draw(st.one_of(st.just("1.0"), st.just("1.0"), junk)),
        "Release": draw(st.sampled_from(["1%{?dist}", "%autorelease", "%{?x}", ""])),
        "Summary": draw(junk),
        "License": "MIT",
    }
    lines = [f"{k}: {v}" for k, v in head.items() if draw(st.integers(0, 15))]
    for _ in range(draw(st.integers(0, 12))):
        make = draw(st.sampled_from(LINES))
        lines.append(make(draw(junk), draw(number)))
    return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")


file_names = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=40,
).filter(lambda n: n not in (".", ".."))
VALID_TARGETS = st.sampled_from(
    ["debian-12", "el9-php8.2", "ubuntu-24.04", "el8-php7.4,debian-12", "deb*", "*"]
)
target_exprs = st.one_of(
    VALID_TARGETS,
    VALID_TARGETS,
    VALID_TARGETS,
    st.sampled_from(["", ",", "debian-12,,", "nosuch", "deb[", "el9-php8.2,nosuch"]),
    junk,
)


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML basic-string escapes


config_texts = st.one_of(
    junk.map(lambda t: f"[settings]\nmaintainer = {toml(t)}\n"),
    st.tuples(word, junk, word, junk).map(
        lambda t: (
            f"[targets.{toml(t[0])}]\nextends = {toml(t[1])}\n"
            f"macros = {{ {toml(t[2])} = {toml(t[3])} }}\n"
        )
    ),
    st.tuples(word, st.sampled_from(["debian-12", "el9-php8.2", "ubuntu-24.04"]), junk).map(
        lambda t: f"[targets.{toml(t[0])}]\nextends = {toml(t[1])}\ncodename = {toml(t[2])}\n"
    ),
    st.tuples(st.sampled_from(["debian-12", "el9-php8.2"]), word, junk).map(
        lambda t: f"[targets.{toml(t[0])}]\n{t[1]} = {toml(t[2])}\n"
    ),
    st.tuples(st.sampled_from(["debian-12", "el9-php8.2"]), word, junk).map(
        lambda t: f"[targets.{toml(t[0])}]\nmacros = {{ {toml(t[1])} = {toml(t[2])} }}\n"
    ),
    st.tuples(st.sampled_from(["index", "repo_id", "lookaside", "maintainer", "nosuch"]), junk).map(
        lambda t: f"[settings]\n{t[0]} = {toml(t[1])}\n"
    ),
    junk,
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)
fork_records = st.one_of(
    st.tuples(junk, junk, junk, junk, st.lists(junk, max_size=2)).map(
        lambda t: (
            f"spec = {toml(t[0])}\nconflicts = [{', '.join(map(toml, t[4]))}]\n"
            f'[upstream]\nkind = "git"\nrepository = {toml(t[1])}\nbranch = {toml(t[2])}\n'
            f"commit = {toml(t[3])}\n"
        )
    ),
    st.tuples(st.sampled_from(["git", "srpm", "svn", ""]), junk).map(
        lambda t: f'spec = "x.spec"\n[upstream]\nkind = {toml(t[0])}\nrepository = {toml(t[1])}\n'
    ),
    junk,
    config_texts,
)


def _tarball() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("x-1.0/README")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n"))
    return buf.getvalue()


TARBALL = _tarball()


@contextmanager
def workdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh directory, also the working directory: a relative path in a fuzzed value lands
    there, never in the repository."""
    with tempfile.TemporaryDirectory(prefix="specport-fuzz-") as tmp, monkeypatch.context() as m:
        m.chdir(tmp)
        m.setenv("SPECPORT_SANDBOX_SECONDS", "5")
        yield Path(tmp)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from specport.cli import main

    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    check(argv, code, out, err)
    event(f"{argv[0] if argv[0] != '--config' else argv[2]}: exit {code}")
    return code, out, err


def check(argv: list[str], code: int, out: str, err: str) -> None:
    where = f"specport {' '.join(repr(a) for a in argv)[:300]}"
    assert "Traceback" not in out + err, f"{where}\n{err[-2000:]}"
    assert "internal error" not in err, f"{where}\n{err[-2000:]}"
    if code:
        assert code in (1, 2), f"{where}: exit {code}\n{err[-2000:]}"
        errors = [ln for ln in err.splitlines() if ln.startswith("specport: error:")]
        assert errors, f"{where}: exit {code} without an error line\n{err[-2000:]}"
        assert all(len(ln) < 2100 for ln in errors), where


def write_spec(where: Path, name: str, data: bytes) -> Path:
    spec = where / name
    spec.write_bytes(data)
    return spec


@FUZZ
@given(
    text=spec_texts(),
    name=file_names,
    target=target_exprs,
    suffix=st.one_of(st.just(""), st.just(""), junk),
    report=st.booleans(),
)
def test_normalize_graph_matrix(
    text: bytes,
    name: str,
    target: str,
    suffix: str,
    report: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with workdir(monkeypatch) as tmp:
        spec = write_spec(tmp, name, text)
        other = write_spec(tmp, "other.spec", b"Name: other\nVersion: 1\nProvides: x\n")
        argv = ["normalize", str(spec), "--target", target, "--no-index", "-o", str(tmp / "o")]
        if report:
            argv += ["--report", str(tmp / "r.json")]
        if suffix:
            argv += ["--release-suffix", suffix]
        run(argv, capsys)
        for fmt in ("text", "json", "dot"):
            run(["graph", str(spec), str(other), "-t", target, "--format", fmt, "--no-index"],
                capsys)  # fmt: skip
        for fmt in ("github", "gitlab"):
            run(["matrix", str(spec), "-t", target, "--format", fmt, "--waves", "--no-index"],
                capsys)  # fmt: skip


@FUZZ
@given(config=config_texts, target=target_exprs, show=st.one_of(word, junk))
def test_config_files_and_targets(
    config: str,
    target: str,
    show: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with workdir(monkeypatch) as tmp:
        path = tmp / "specport.toml"
        path.write_text(config, encoding="utf-8", errors="surrogatepass")
        spec = write_spec(tmp, "x.spec", b"Name: x\nVersion: 1\nRelease: 1\nSummary: s\n")
        run(["--config", str(path), "targets", "--target", target], capsys)
        run(["--config", str(path), "targets", "show", show], capsys)
        run(["--config", str(path), "targets", "--json"], capsys)
        run(["--config", str(path), "normalize", str(spec), "--target", target, "--no-index"],
            capsys)  # fmt: skip


@FUZZ
@given(
    record=fork_records,
    base=st.booleans(),
    source=st.one_of(junk, file_names),
    into=file_names,
    branch=junk,
    srpm=st.binary(max_size=120),
)
def test_fork_status_and_import(
    record: str,
    base: bool,
    source: str,
    into: str,
    branch: str,
    srpm: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with workdir(monkeypatch) as tmp:
        fork = tmp / "fork"
        fork.mkdir()
        (fork / "specport-fork.toml").write_text(record, errors="surrogatepass")
        if base:
            (fork / ".specport-fork" / "base").mkdir(parents=True)
            (fork / ".specport-fork" / "base" / "x.spec").write_bytes(srpm)
            (fork / "x.spec").write_bytes(srpm[::-1])
        run(["fork", "status", str(fork)], capsys)
        run(["fork", "status", str(fork), "--json"], capsys)
        run(["fork", "update", str(fork)], capsys)
        (tmp / "x.src.rpm").write_bytes(srpm)
        for src in (source, str(tmp / "x.src.rpm"), str(fork)):
            argv = ["import", src, "--into", str(tmp / "new" / into)]
            run(argv + (["--branch", branch] if branch else []), capsys)


@FUZZ
@given(text=spec_texts(), version=st.one_of(st.just("2.0"), junk), patch=junk)
def test_rebase(
    text: bytes,
    version: str,
    patch: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with workdir(monkeypatch) as tmp:
        spec = write_spec(tmp, "x.spec", b"Source0: x-%{version}.tar.gz\n" + text)
        (tmp / "x-2.0.tar.gz").write_bytes(TARBALL)
        run(["rebase", str(spec), "--version", version, "--dry-run"], capsys)
        run(["rebase", str(spec), "--version", version, "--source", str(tmp / "x-2.0.tar.gz"),
             "--drop", patch or "x"], capsys)  # fmt: skip
