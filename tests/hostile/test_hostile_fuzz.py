"""Random mixes of macros, `%%`, shell, Lua, %include and %{load:} through normalize and
--check (the bwrap sandbox): no marker on the host, no host file's content in any output or
message, nothing written outside -o, and a failure is one clear line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hostile_support import Contained, one_clear_line, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = [
    "%(touch @MARKER@)",
    "%%(touch @MARKER@)",
    "%{expand:%%(touch @MARKER@)}",
    "%{expand:%%(cat @SECRET@)}",
    "%{lua:os.execute('touch @MARKER@')}",
    "%%{lua:os.execute('touch @MARKER@')}",
    "%{expand:%%{lua:os.execute('touch @MARKER@')}}",
    "%{expand:%%{lua:print(io.open('@SECRET@'):read('a'))}}",
    "%(cat @SECRET@)",
    "%{load:@SECRET@}",
    "%include @SECRET@",
    "%{?nil}%include @SECRET@",
    "%global __make touch @MARKER@;",
    "%global x %%(touch @MARKER@)",
    "%define a %{a}%{a}",
    "%{a}",
    "%{x}",
    "%make_build",
    "%{?x:%%(cat @SECRET@)}",
    "%{shrink:%%(cat @SECRET@)}",
    "%%",
    "%",
    "%{",
    "}",
    "(",
    ")",
    "[/bold]",
    "\\",
    " ",
    "%{expand:",
    "%{?fedora:x}",
]

HEAD = "Name: fuzz\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n"
TAIL = "%description\nd\n%build\n@BUILD@\n%files\n%changelog\n"


@st.composite
def hostile_specs(draw: st.DrawFn) -> str:
    line = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
    preamble = draw(st.lists(line, max_size=4))
    provides = draw(st.lists(line.map(lambda v: f"Provides: {v}"), max_size=2))
    build = draw(st.lists(line, max_size=3))
    return (
        HEAD
        + "".join(f"{ln}\n" for ln in preamble + provides)
        + TAIL.replace("@BUILD@", "\n".join(build))
    )


@pytest.fixture(autouse=True)
def _short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECPORT_SANDBOX_SECONDS", "5")


EXAMPLES = int(os.environ.get("SPECPORT_FUZZ_EXAMPLES", "0") or 0)


@settings(
    max_examples=EXAMPLES or 25,
    derandomize=not EXAMPLES,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_specs())
def test_random_hostile_specs_stay_contained(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="specport-fuzz-") as tmp:
        box = Contained(Path(tmp))
        spec = Path(tmp) / "specs" / "fuzz.spec"
        spec.parent.mkdir()
        spec.write_text(box.fill(text))
        out = Path(tmp) / "out"
        outputs = []
        for extra in ([], ["--check"]):
            argv = ["normalize", str(spec), "--target", "el9-php8.2,debian-12", "-o", str(out)]
            code, output = run_cli([*argv, *extra], capsys)
            outputs.append(output)
            if code != 0:
                one_clear_line(output)
        box.check(outputs, allowed=[out])
