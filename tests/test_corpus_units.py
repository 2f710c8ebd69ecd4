"""Unit tests for the normalizer fixes the corpus drove (each pass on the smallest input)."""

from __future__ import annotations

import pytest

from specport.errors import SpecError
from specport.normalize import deps, syntax
from specport.normalize.conditions import evaluate_condition, live_lines
from specport.normalize.lines import join_lines, split_lines
from specport.normalize.model import NormalizeOptions, Pass, PassContext
from specport.normalize.resolver import RuleResolver
from specport.targets import load_targets
from specport.targets.model import Target

TARGETS = load_targets()
EL8 = TARGETS["el8-php7.4"]
DEB12 = TARGETS["debian-12"]
FOCAL = TARGETS["ubuntu-20.04"]


def run(p: Pass, text: str, target: Target) -> tuple[str, list[str]]:
    ctx = PassContext(target=target, options=NormalizeOptions())
    lines, changes = p(split_lines(text), ctx)
    return join_lines(lines), [c.reason for c in changes]


# --- conditions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "target", "truth"),
    [
        ("0%{?fedora} >= 27 || 0%{?rhel} >= 8", DEB12, False),
        ("0%{?fedora} >= 27 || 0%{?rhel} >= 8", EL8, True),
        ("0%{?debian} || 0%{?ubuntu}", DEB12, True),
        ("0%{?ubuntu} >= 2004", FOCAL, True),
        ("0%{?rhel} && 0%{?rhel} < 9", EL8, True),
        ("0%{?scl:1}", DEB12, False),
        ("!(0%{?fedora})", DEB12, True),
        ("%{defined rhel}", EL8, True),
        # no --with tests: nothing defines with_tests, on either kind of target
        ("%{with tests}", DEB12, False),
        ("%{with tests}", EL8, False),
        ('"%{_vendor}" == "redhat"', EL8, True),  # the platform macros are the target's
        ('"%{_vendor}" == "debbuild"', DEB12, True),
        ("0%{?__ztsphp:1}", EL8, None),  # php-devel's macro on EL: not specport's to know
        ("0%{?__ztsphp:1}", DEB12, False),  # debbuild's macros are all known: not one of them
        ("0%{?fedora} >=", DEB12, None),  # malformed: unknown, never a guess
    ],
)
def test_evaluate_condition(expr: str, target: Target, truth: bool | None) -> None:
    assert evaluate_condition(expr, target) is truth


def test_live_lines_follow_else_and_nesting() -> None:
    spec = "\n".join(
        [
            "%if 0%{?fedora}",  # 1: dead branch follows
            "A",
            "%if %{with x}",
            "B",
            "%endif",
            "%else",
            "C",  # 7: live
            "%endif",
            "%ifarch x86_64",
            "D",  # 10: dead for debbuild (its %_arch is amd64), not for the sandbox's rpmspec
            "%endif",
        ]
    )
    live = live_lines(split_lines(spec), DEB12)
    assert [no for no, ok in enumerate(live, start=1) if not ok] == [2, 3, 4, 5]
    live = live_lines(split_lines(spec), EL8)
    assert [no for no, ok in enumerate(live, start=1) if not ok] == [2, 3, 4, 5]  # x86_64


# --- deps ---------------------------------------------------------------------------------------
def test_rich_dependency_in_a_fedora_branch_is_left_alone_on_debian() -> None:
    spec = (
        "Name: x\n%if 0%{?fedora} || 0%{?rhel} >= 8\n"
        "Requires: (php-composer(psr/log) >= 1.0 with php-composer(psr/log) < 4)\n"
        "%else\nRequires: php-psr-log\n%endif\n"
    )
    text, _ = run(deps.translate_dependencies, spec, DEB12)
    assert "Requires: (php-composer(psr/log) >= 1.0 with" in text
    assert "Requires: php-psr-log\n" in text


def test_unguarded_rich_dependency_still_fails_with_its_line() -> None:
    spec = "Name: x\nRequires: (a if b)\n"
    with pytest.raises(SpecError, match="rich dependency") as exc:
        run(deps.translate_dependencies, spec, DEB12)
    assert exc.value.line == 2


def test_macro_wrapped_tag_line_is_translated() -> None:
    spec = (
        "Name: x\n%bcond_without tests\n%{?with_tests:BuildRequires: zlib-devel}\n"
        "%{?with_docs:BuildRequires: an-unknown-name}\n%{?scl:Requires: %scl_runtime}\n"
    )
    text, _ = run(deps.translate_dependencies, spec, DEB12)
    assert "%{?with_tests:BuildRequires: zlib1g-dev}\n" in text
    # nothing defines with_docs (no such bcond) nor %scl on Debian: those lines stay as written
    assert "%{?with_docs:BuildRequires: an-unknown-name}\n" in text
    assert "%{?scl:Requires: %scl_runtime}\n" in text


def test_perl_pseudo_and_core_modules() -> None:
    resolver = RuleResolver(DEB12)
    version = resolver.resolve("perl(:VERSION)")
    assert version is not None and version.name == "perl" and not version.keep_version
    compat = resolver.resolve('perl(:MODULE_COMPAT_%(eval "$(perl -V:version)"; echo $version))')
    assert compat is not None and compat.name == ""
    shell = resolver.resolve('%(eval `perl -V:version`; echo "perl(:MODULE_COMPAT_$version)")')
    assert shell is not None and shell.name == ""
    assert resolver.resolve("%(echo perl-Foo)") is None  # any other shell stays unreadable
    strict = resolver.resolve("perl(strict)")
    assert strict is not None and strict.name == ""
    mm = resolver.resolve("perl(ExtUtils::MakeMaker)")
    assert mm is not None and mm.name == "perl" and not mm.keep_version
    other = resolver.resolve("perl(Foo::Bar)")
    assert other is not None and other.name == "libfoo-bar-perl"


def test_python_abi_is_the_interpreter_of_its_major_version() -> None:
    spec = "Name: x\nRequires: python(abi) = 3.11\nRequires: python(abi) = 2.7\n"
    text, _ = run(deps.translate_dependencies, spec, DEB12)
    assert "Requires: python3\n" in text and "Requires: python2\n" in text
    assert "abi" not in text


# --- syntax -------------------------------------------------------------------------------------
def test_escaped_percent_bracket_in_a_comment_is_not_the_construct() -> None:
    spec = "# uses %%[ ] arithmetic elsewhere\nName: x\n"
    text, notes = run(syntax.check_new_syntax, spec, EL8)
    assert text == spec and notes == []


def test_arithmetic_reads_the_specs_own_macros() -> None:
    spec = "%global major 5\n%global next %[%{major} + 1]\n"
    text, notes = run(syntax.check_new_syntax, spec, EL8)
    assert "%global next 6\n" in text
    assert notes == ["%[ ] expressions: evaluated to a literal"]


def test_generate_buildrequires_on_debbuild_says_what_to_do() -> None:
    spec = "Name: x\n%generate_buildrequires\n%pyproject_buildrequires\n"
    with pytest.raises(SpecError, match="list them as BuildRequires") as exc:
        run(syntax.check_new_syntax, spec, DEB12)
    assert exc.value.line == 2


def test_caret_version_for_old_rpm_and_dpkg() -> None:
    spec = "Version: 0.9.0^20240611git0f1e2d3\n"
    assert run(syntax.convert_caret_version, spec, EL8)[0] == "Version: 0.9.0.20240611git0f1e2d3\n"
    assert (
        run(syntax.convert_caret_version, spec, DEB12)[0] == "Version: 0.9.0+20240611git0f1e2d3\n"
    )
    assert run(syntax.convert_caret_version, spec, TARGETS["el9-php8.2"])[0] == spec


def test_autopatch_range_for_rpm_414() -> None:
    spec = "Patch0: a\nPatch10: b\nPatch12: c\nPatch30: d\n%prep\n%autopatch -p1 -m 10 -M 20\n"
    text, notes = run(syntax.convert_autopatch_range, spec, EL8)
    assert text.endswith("%prep\n%patch -P 10 -p1\n%patch -P 12 -p1\n")
    assert "-> %patch -P 10 12" in notes[0]
    assert run(syntax.convert_autopatch_range, spec, TARGETS["el9-php8.2"])[0] == spec
