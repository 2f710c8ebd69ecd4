"""%if decisions: the spec walked as the target's reader walks it (normalize/conditions.py), in
its own expression language (normalize/expr.py), with what specport knows of macros
(normalize/macroenv.py).
Every spec text here is written for these tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specport.normalize import deps, expr
from specport.normalize.conditions import spec_view
from specport.normalize.lines import join_lines, split_lines
from specport.normalize.model import Bconds, NormalizeOptions, PassContext
from specport.normalize.resolver import RuleResolver
from specport.targets import load_targets
from specport.targets.model import Target

TARGETS = load_targets()
EL8 = TARGETS["el8-php7.4"]
DEB12 = TARGETS["debian-12"]


def decisions(
    text: str, target: Target, bconds: Bconds | None = None, reader: str | None = None
) -> list[bool | None]:
    return [d.truth for d in spec_view(split_lines(text), target, bconds, reader=reader).decisions]


def live(text: str, target: Target, bconds: Bconds | None = None) -> list[int]:
    """The 1-based numbers of the lines the target never reads."""
    view = spec_view(split_lines(text), target, bconds)
    return [no for no, ok in enumerate(view.live, start=1) if not ok]


# one spec line of setup, the condition, what debbuild decides on debian-12, what debian-12
# decides (debbuild and the sandbox's rpmspec, whose BuildRequires apt installs, both reading
# the spec: undecided where they differ), what el8 decides
FORMS = [
    # SCL: no target defines %scl, so its branches are dead and its guards empty
    ("", "0%{?scl:1} && 0%{?rhel}", False, False, False),
    ("", "0%{!?scl:1}", True, True, True),
    # %vendor: debbuild's own is "debbuild"; nothing defines it in an rpm build
    ("", '"%{?vendor}" == "Someone Else" && 0%{!?scl:1} && 0%{?rhel}', False, False, False),
    ("", '"%{?vendor}" == "debbuild"', True, None, False),
    # a switch the spec defines from an undefined macro: off
    ("%global with_tests 0%{?_with_tests:1}", "%{with_tests}", False, False, False),
    # from a macro of PHP's: debbuild's world is known (no ZTS PHP there), rpm's is not
    ("%global with_zts 0%{!?_without_zts:%{?__ztsphp:1}}", "%{with_zts}", False, None, None),
    # the target's PHP version, as its macro files give it; rpm compares strings byte-wise
    ("", '"%{php_version}" > "5.6"', True, True, True),
    ("", '"%{php_version}" < "5.6"', False, False, False),
    # defined from other known macros of the spec
    ("%global major 2\n%global minor %{major}1", "%{minor} == 21", True, True, True),
    # the spec's own switch, commented out: no build defines it
    ("#global gh_date 20240101", "0%{?gh_date:1}", False, False, False),
    # debbuild-macros has systemd's macros; rpm's come from a package specport does not read
    ("", "0%{?systemd_post:1}", True, None, None),
    # a bare word: Perl under `use strict` refuses it (false); rpm refuses it too (unknown)
    ("%global phpname php", "%{phpname} == php", False, None, None),
]


@pytest.mark.parametrize(("setup", "condition", "debbuild", "deb12", "el8"), FORMS)
def test_condition_forms(
    setup: str, condition: str, debbuild: bool, deb12: bool | None, el8: bool | None
) -> None:
    text = f"Name: x\n{setup}\n%if {condition}\nA\n%endif\n"
    assert decisions(text, DEB12, reader="debbuild") == [debbuild]
    assert decisions(text, DEB12) == [deb12]
    assert decisions(text, EL8) == [el8]
    # a branch either reader of debian-12 may take stays live there
    assert live(text, DEB12) == ([4] if deb12 is False else [])


def test_bcond_switches_follow_with_and_without() -> None:
    text = (
        "Name: x\n%bcond_with tests\n%bcond_without docs\n"
        "%if %{with tests}\nA\n%endif\n%if %{with docs}\nB\n%endif\n"
        "%if %{with_tests}\nC\n%endif\n"
    )
    # %{with_tests} of an undefined with_tests: debbuild keeps "%{with_tests}", a true string
    # to Perl; rpm refuses the expression
    assert decisions(text, DEB12, reader="debbuild") == [False, True, True]
    assert decisions(text, DEB12) == [False, True, None]
    assert decisions(text, EL8) == [False, True, None]
    for target in (DEB12, EL8):
        given = Bconds(with_=("tests",), without=("docs",))
        assert decisions(text, target, given) == [True, False, True]
        view = spec_view(split_lines(text), target, given)
        assert dict(view.bconds) == {"tests": True, "docs": False}


def test_new_style_bcond_default_is_an_expression() -> None:
    text = "Name: x\n%bcond tests 0%{?rhel}\n%if %{with tests}\nA\n%endif\n"
    assert decisions(text, EL8) == [True]
    assert decisions(text, DEB12) == [False]
    assert decisions(text, EL8, Bconds(without=("tests",))) == [False]


def test_definitions_in_dead_branches_do_not_count() -> None:
    # the SCL prefix is only defined under %scl: elsewhere both sides are empty
    text = (
        "%if 0%{?scl:1}\n%global sub_prefix %{scl_prefix}\n%endif\n"
        'Name: %{?sub_prefix}php-pecl-x\n%if "%{?scl_prefix}" != "%{?sub_prefix}"\nA\n%endif\n'
    )
    for target in (DEB12, EL8):
        view = spec_view(split_lines(text), target)
        assert [d.truth for d in view.decisions] == [False, False]
        assert "sub_prefix" not in view.macros
        assert live(text, target) == [2, 6]


def test_definitions_in_undecided_branches_become_unknown() -> None:
    # %{?__ztsphp} is php-devel's on EL: unknown there, so what its branch defines is too
    text = "Name: x\n%if 0%{?__ztsphp:1}\n%global flag 1\n%endif\n%if 0%{?flag}\nA\n%endif\n"
    assert decisions(text, EL8) == [None, None]
    assert decisions(text, DEB12, reader="debbuild") == [False, False]


def test_wrapped_definitions_either_order_of_flags() -> None:
    text = (
        "Name: x\n%{?!with_python: %global with_python 1}\n%{!?scl: %global pkg_name %{name}}\n"
        "%{?scl: %global pkg_name other}\n"
        '%if %{with_python}\nA\n%endif\n%if "%{pkg_name}" == "x"\nB\n%endif\n'
    )
    for target in (DEB12, EL8):  # no build defines with_python: the spec's default holds
        assert decisions(text, target) == [True, True]
    assert 4 in live(text, DEB12)  # the %{?scl:...} line is never expanded


def test_elif_and_else_follow_the_first_true_branch() -> None:
    text = (
        "Name: x\n%if 0%{?rhel} >= 9\nA\n%elif 0%{?rhel} >= 8\nB\n%elif 0%{?debian}\nC\n"
        "%else\nD\n%endif\n"
    )
    assert live(text, EL8) == [3, 7, 9]
    assert live(text, DEB12) == [3, 5, 9]


def test_undefine_and_redefine() -> None:
    text = (
        "Name: x\n%global a 1\n%undefine a\n%if 0%{?a:1}\nA\n%endif\n"
        "%define b 0\n%define b 1\n%if %{b}\nB\n%endif\n"
    )
    for target in (DEB12, EL8):
        assert decisions(text, target) == [False, True]


# debbuild's %if, as learned from debbuild 24.12 (test_conditions_container.py runs the real one)
@pytest.mark.parametrize(
    ("setup", "condition", "truth"),
    [
        # a plain numeric expression is arithmetic, with 0%{?x}'s leading zero dropped
        ("", "0%{?debian} >= 9", True),
        # a string anywhere makes every comparison a string one, and 012 an octal literal (10)
        ("", '0%{?debian} >= 9 && "a" == "a"', False),
        ("", '0%{?debian} == 12 && "a" == "a"', False),
        # %{?x} asks whether x's value is true to Perl: "0" is not
        ("%global zero 0", "0%{?zero:1}", False),
        # tags answer %{name} but not %{?name}
        ("", '"%{?name}" == "x"', False),
        ("", '"%{name}" == "x"', True),
        # an undefined %{fedora} stays as written: "%{fedora}" lt "15" as strings
        ("", "%{fedora} >= 15", False),
        ("", "%{fedora} < 15", True),
        # Vendor: sets %vendor for debbuild
        ("Vendor: Someone", '"%{?vendor}" == "Someone"', True),
    ],
)
def test_debbuild_expressions(setup: str, condition: str, truth: bool) -> None:
    text = f"Name: x\n{setup}\n%if {condition}\nA\n%endif\n"
    assert decisions(text, DEB12, reader="debbuild") == [truth]


def test_unknowns_are_never_guessed() -> None:
    for condition in ("%(test -f /etc/x && echo 1)", "0%{?fedora} >=", "%{lua: print(1)}"):
        text = f"Name: x\n%if {condition}\nA\n%endif\n"
        assert decisions(text, DEB12) == [None]
        assert decisions(text, EL8) == [None]
        assert live(text, DEB12) == []


def test_undefined_optional_macro_in_a_name_expands_to_nothing() -> None:
    # the prefix is only set in an SCL build: on Debian the name is the plain one
    text = (
        "%if 0%{?scl:1}\n%global sub_prefix %{scl_prefix}\n%endif\n"
        "Name: %{?sub_prefix}php-pecl-x\nVersion: 1\n"
        "BuildRequires: %{?sub_prefix}php-devel\nBuildRequires: %{?sub_prefix}php-pecl-apcu-devel\n"
    )
    ctx = PassContext(target=DEB12, options=NormalizeOptions())
    lines, _ = deps.translate_dependencies(split_lines(text), ctx, RuleResolver(DEB12))
    out = join_lines(lines)
    # (with what Fedora's php-devel requires and Debian's php8.2-dev does not)
    assert "BuildRequires: php8.2-dev, libxml2-dev, zlib1g-dev, libkrb5-dev, g++\n" in out
    assert "BuildRequires: php-apcu\n" in out


# rpm's own answer for the rpm dialect: the host's rpm evaluates the same expressions (%[ ])
RPM_EXPRESSIONS = [
    "08 == 8",
    '"8.2" > "5.6"',
    '"10" < "9"',
    "!(1 && 0) || 0",
    '"a" == "a" && 2 > 1',
    "1 + 2 == 3",
]


@pytest.mark.skipif(shutil.which("rpm") is None, reason="rpm is not installed")
@pytest.mark.parametrize("expression", RPM_EXPRESSIONS)
def test_rpm_dialect_agrees_with_rpm(expression: str) -> None:
    done = subprocess.run(
        ["rpm", "--eval", f"%[{expression}]"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert expr.evaluate(expression, "rpm") == (done.stdout.strip() not in ("0", ""))


def test_rpm_dialect_refuses_what_rpm_refuses() -> None:
    assert expr.evaluate('"a" == 1', "rpm") is None  # types must match
    assert expr.evaluate("php == php", "rpm") is None  # bare words


def test_debbuild_macro_list_matches_the_vendored_tarballs() -> None:
    # the list says which names are undefined on deb targets: it must be debbuild's own
    tool = Path(__file__).resolve().parents[1] / "tools" / "debbuild_macros.py"
    done = subprocess.run(
        [sys.executable, str(tool), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_a_definition_written_for_expand_counts() -> None:
    # `%{expand: %%global x y}`: the definition is made when the wrapper expands
    text = "%{!?phpname: %{expand: %%global phpname php}}\nName: %{phpname}-pecl-x\n"
    text += '%if "%{phpname}" == "php"\nA\n%endif\n'
    view = spec_view(split_lines(text), DEB12)
    assert view.macros["phpname"] == "php" and view.macros["name"] == "php-pecl-x"
    assert decisions(text, DEB12, reader="debbuild") == [True]
    # on EL something else may define %phpname first (the spec asks): unknown there
    assert decisions(text, EL8) == [None]


def test_names_read_the_targets_own_macros() -> None:
    # %{__php} is specport's PHP macro file's on deb targets: a path the name rules can read
    text = "Name: x\n%{!?__php: %global __php %{_bindir}/php}\nRequires: %{__php}\n"
    assert spec_view(split_lines(text), DEB12).macros["__php"] == "/usr/bin/php8.2"
    # a macro the spec undefines is not the target's any more
    text = "Name: x\n%undefine __php\n"
    assert "__php" not in spec_view(split_lines(text), DEB12).macros


@pytest.mark.parametrize(
    ("directive", "debbuild", "el8"),
    [
        # debbuild compares with dpkg's architecture name (amd64); rpm with its own (x86_64)
        ("%ifarch x86_64", False, True),
        ("%ifarch amd64", True, False),
        ("%ifnarch x86_64", True, False),
        ("%ifarch %{ix86} x86_64", False, True),
        ("%ifos linux", True, True),
    ],
)
def test_arch_conditions(directive: str, debbuild: bool, el8: bool) -> None:
    text = f"Name: x\n{directive}\nA\n%endif\n"
    assert decisions(text, DEB12, reader="debbuild") == [debbuild]
    # the deb build's sandbox query (rpmspec) answers as el8 does: where they differ, both live
    assert decisions(text, DEB12) == [debbuild if debbuild == el8 else None]
    assert decisions(text, EL8) == [el8]
    # rpm reads a noarch spec again for noarch: not followed there
    assert decisions(f"BuildArch: noarch\n{text}", EL8) == [None]


def test_debbuild_defined_is_a_truth_test() -> None:
    # debbuild's %defined() is %{?x:1}%{!?x:0}: a macro defined as 0 is "not defined" there
    text = "Name: x\n%global zero 0\n%if %{defined zero}\nA\n%endif\n"
    text += "%if %{undefined nope}\nB\n%endif\n"
    assert decisions(text, DEB12, reader="debbuild") == [False, True]
    assert decisions(text, EL8) == [True, None]  # %nope may come from a package on EL
