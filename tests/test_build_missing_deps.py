"""raise_missing_deps: the names in what dnf 4.14 (dnf builddep, libsolv) and apt print when a
build dependency cannot be had. The texts are their output as run in the stand-ins
(tests/test_dnf_container.py runs dnf for real; these keep the wording pinned in the fast suite)."""

from __future__ import annotations

import pytest

from specport.building.engines import raise_missing_deps
from specport.config import load_config
from specport.container.runs import RunResult
from specport.errors import DependencyError

EL8 = load_config(None).targets["el8-php7.4"]

# dnf-plugins-core 4.3.1's builddep, for two BuildRequires no repository provides
DNF_BUILDDEP = """\
Last metadata expiration check: 0:00:01 ago on Mon Nov 30 09:14:38 2026.
No matching package to install: 'php-devel'
No matching package to install: 'specport-no-such-tool >= 2'
Not all dependencies satisfied
Error: Some packages could not be found.
"""
# libsolv's problems when a package found needs what no repository has (dnf 4.14 in the
# stand-in: builddep, and `dnf install` of a package requiring libgone >= 2)
DNF_SOLVER = """\
Error:
 Problem: conflicting requests
  - nothing provides /bin/sh needed by specport-fake-tool-1.0-1.el8.noarch
  - nothing provides libgone >= 2 needed by acme-broken-1.0-1.el8.noarch
(try to add '--skip-broken' to skip uninstallable packages)
"""


@pytest.mark.parametrize(
    ("output", "names"),
    [
        (DNF_BUILDDEP, "php-devel, specport-no-such-tool >= 2"),
        (DNF_SOLVER, "/bin/sh, libgone >= 2"),
        ("E: Unable to locate package php-nope\n", "php-nope"),
    ],
)
def test_the_missing_names_make_one_line(output: str, names: str) -> None:
    with pytest.raises(DependencyError) as caught:
        raise_missing_deps(RunResult(exit_code=1, output=output), EL8, "dnf builddep")
    assert caught.value.message == (
        f"el8-php7.4: dnf builddep cannot install build dependencies: {names}"
    )


def test_an_unknown_failure_names_the_exit_code_and_last_line() -> None:
    result = RunResult(exit_code=3, output="Downloading...\nError: something else broke\n")
    with pytest.raises(DependencyError) as caught:
        raise_missing_deps(result, EL8, "dnf builddep")
    assert "failed to install the build dependencies (exit 3)" in caught.value.message
    assert caught.value.hint == "log: Error: something else broke"
