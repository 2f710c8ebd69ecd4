"""Unit tests, one group per normalization pass (pure functions: text in, text out)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from specport.config import DEFAULT_MAINTAINER
from specport.errors import SpecError
from specport.normalize import header, php, release, shell, syntax
from specport.normalize.lines import join_lines, split_lines
from specport.normalize.model import NormalizeOptions, Pass, PassContext
from specport.normalize.passes import normalize
from specport.targets import load_targets
from specport.targets.families import facts_of
from specport.targets.model import Target

TARGETS = load_targets()
EL8 = TARGETS["el8-php7.4"]
EL9 = TARGETS["el9-php8.2"]
DEB12 = TARGETS["debian-12"]


def run(p: Pass, text: str, target: Target, **opts: object) -> tuple[str, list[str]]:
    ctx = PassContext(target=target, options=NormalizeOptions(**opts))  # type: ignore[arg-type]
    lines, changes = p(split_lines(text), ctx)
    return join_lines(lines), [c.reason for c in changes]


# --- release ------------------------------------------------------------------------------------
def test_autorelease_fallback_is_1_with_dist() -> None:
    text, notes = run(release.normalize_release, "Release: %autorelease\n", EL8)
    assert text == "Release: 1%{?dist}\n"
    assert "no git history" in notes[0]


def test_autorelease_uses_history_number_and_options() -> None:
    text, _ = run(
        release.normalize_release, "Release: %{autorelease -p -e rc1}\n", EL8, autorelease=3
    )
    assert text == "Release: 0.3.rc1%{?dist}\n"


def test_release_suffix_goes_before_dist() -> None:
    text, notes = run(
        release.normalize_release, "Release: 2%{?dist}\n", DEB12, release_suffix="17.3"
    )
    assert text == "Release: 2.17.3%{?dist}\n"
    assert any("build counter" in n for n in notes)


def test_bad_release_suffix_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="release suffix"):
        run(release.normalize_release, "Release: 1\n", EL8, release_suffix="1-2")


def test_autochangelog_fallback_and_history() -> None:
    spec = "Name: x\nVersion: 1.2\n%changelog\n%autochangelog\n"
    text, _ = run(release.resolve_autochangelog, spec, EL8)
    assert f"* Mon Jan 01 2001 {DEFAULT_MAINTAINER} - 1.2-1\n" in text
    entries = (
        "* Tue Mar 05 2024 A <a@x> - 1.2-2\n- fix",
        "* Mon Mar 04 2024 A <a@x> - 1.2-1\n- new",
    )
    text, notes = run(release.resolve_autochangelog, spec, EL8, changelog=entries)
    assert text.endswith("- fix\n\n* Mon Mar 04 2024 A <a@x> - 1.2-1\n- new\n")
    assert "2 entries" in notes[0]


# --- target macros ------------------------------------------------------------------------------
def test_target_macros_and_dist_on_top() -> None:
    target = TARGETS["el8-php7.4"]
    text, _ = run(header.add_target_macros, "Name: x\n", target)
    assert text.splitlines()[1] == "%global dist .el8.php_7.4"
    assert text.endswith("\nName: x\n")


# --- syntax -------------------------------------------------------------------------------------
def test_bcond_literal_and_expression() -> None:
    spec = "%bcond tests 1\n%bcond zts 0\n%bcond docs %{undefined rhel}\n"
    text, notes = run(syntax.convert_bcond, spec, EL8)
    assert text.splitlines()[:2] == ["%bcond_without tests", "%bcond_with zts"]
    assert "%if %{undefined rhel}\n%bcond_without docs\n%else\n%bcond_with docs\n%endif\n" in text
    assert len(notes) == 3
    # rpm 4.16 (EL9) lacks %bcond too; debbuild as well
    assert run(syntax.convert_bcond, spec, EL9)[0] != spec
    assert run(syntax.convert_bcond, spec, DEB12)[0] != spec


def test_elif_becomes_nested_if() -> None:
    spec = "%if A\na\n%elif B\nb\n%elifarch x86_64\nc\n%else\nd\n%endif\n"
    text, _ = run(syntax.convert_elif, spec, EL8)
    assert text == (
        "%if A\na\n%else\n%if B\nb\n%else\n%ifarch x86_64\nc\n%else\nd\n%endif\n%endif\n%endif\n"
    )
    # EL9's rpm 4.16 reads %elif: unchanged
    assert run(syntax.convert_elif, spec, EL9)[0] == spec


def test_elif_inside_nested_if_closes_only_its_own_chain() -> None:
    spec = "%if A\n%if B\nb\n%elif C\nc\n%endif\nx\n%endif\n"
    text, _ = run(syntax.convert_elif, spec, DEB12)
    assert text == "%if A\n%if B\nb\n%else\n%if C\nc\n%endif\n%endif\nx\n%endif\n"


def test_elif_without_if_is_an_error_with_line() -> None:
    with pytest.raises(SpecError) as info:
        run(syntax.convert_elif, "x\n%elif 1\n", EL8)
    assert info.value.line == 2


def test_patch_number_becomes_dash_p() -> None:
    spec = "%patch 1 -p1\n%patch2 -p1\n%patch -P 3\n"
    text, notes = run(syntax.convert_patch, spec, EL8)
    assert text == "%patch -P 1 -p1\n%patch2 -p1\n%patch -P 3\n"
    assert len(notes) == 1
    assert run(syntax.convert_patch, spec, TARGETS["ubuntu-24.04"])[0] != spec  # debbuild


def test_conf_section_opens_build_where_the_reader_predates_it() -> None:
    spec = "%prep\n%setup -q\n\n%conf\n%cmake -DX=1\n\n%build\n%cmake_build\n\n%install\nx\n"
    for target in (EL8, EL9, DEB12):  # rpm 4.14, 4.16 and debbuild: no %conf
        text, notes = run(syntax.merge_conf_section, spec, target)
        assert text == "%prep\n%setup -q\n\n%build\n%cmake -DX=1\n\n%cmake_build\n\n%install\nx\n"
        assert notes == [f"%conf -> the start of %build for {notes[0].rsplit(' for ', 1)[1]}"]
    no_build = "%prep\n%setup -q\n%conf\n./configure\nmake\n%install\nx\n"
    text, notes = run(syntax.merge_conf_section, no_build, DEB12)
    assert text == "%prep\n%setup -q\n%build\n./configure\nmake\n%install\nx\n"
    assert "the spec has no %build" in notes[0]
    out = normalize(HEAD_FOR_CONF + spec, DEB12).text  # the whole pipeline keeps it one %build
    assert out.count("%build") == 1 and "%conf" not in out


HEAD_FOR_CONF = "Name: c\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"


def test_integer_expressions_are_evaluated_else_reported() -> None:
    text, _ = run(syntax.check_new_syntax, "%global n %[2 * (3 + 4)]\n", EL8)
    assert text == "%global n 14\n"
    with pytest.raises(SpecError, match=r"needs rpm 4\.16") as info:
        run(syntax.check_new_syntax, "Name: x\n%global n %[%{foo} + 1]\n", EL8)
    assert info.value.line == 2
    assert run(syntax.check_new_syntax, "%global n %[%{foo} + 1]\n", EL9)[1] == []


# --- shell --------------------------------------------------------------------------------------
def test_shortcommit_is_evaluated_as_text() -> None:
    spec = "%global commit 0123456789abcdef\n%global short %(c=%{commit}; echo ${c:0:7})\n"
    text, notes = run(shell.evaluate_shell, spec, DEB12)
    assert text.splitlines()[1] == "%global short 0123456"
    assert "evaluated as text" in notes[0]


def test_cut_pipeline_is_evaluated() -> None:
    spec = "%global commit abcdef0123\n%global short %(echo %{commit} | cut -c1-5)\n"
    assert run(shell.evaluate_shell, spec, EL8)[0].splitlines()[1] == "%global short abcde"


def test_unknown_bashism_runs_under_bash_on_debbuild_only() -> None:
    spec = "%global v %(x=$(date); echo ${x:0:3})\n"
    text, notes = run(shell.evaluate_shell, spec, DEB12)
    # dash would expand ${x:0:3} to nothing: bash runs it where debbuild reads the spec
    assert text == "%global v %(bash -c 'x=$(date); echo ${x:0:3}')\n"
    assert "run by bash" in notes[0]
    quoted = run(shell.evaluate_shell, "%global q %(a='x y'; echo ${a:0:1})\n", DEB12)[0]
    assert quoted == "%global q %(bash -c 'a='\"'\"'x y'\"'\"'; echo ${a:0:1}')\n"
    text, notes = run(shell.evaluate_shell, spec, EL8)
    assert text == spec
    assert "left to the target's shell" in notes[0]


def test_sanitize_replaces_every_expansion() -> None:
    text = "a %(touch /x) b %{lua: os.execute('x')} c %%(kept) %(nested (parens) here)\n%(x)\n"
    assert shell.sanitize(text) == (f"a {shell.INERT} b {shell.INERT} c %%(kept) {shell.INERT}\n\n")


# --- php ----------------------------------------------------------------------------------------
def test_zts_switched_off() -> None:
    spec = (
        "%bcond_without zts\n%bcond zts 1\n"
        "%global with_zts 0%{!?_without_zts:%{?__ztsphp:1}}\n%global with_zts 0\n"
    )
    text, notes = run(php.disable_zts, spec, DEB12)
    assert text == "%bcond_with zts\n%bcond zts 0\n%global with_zts 0\n%global with_zts 0\n"
    assert len(notes) == 3


def test_debian_ini_layout_and_scriptlets() -> None:
    spec = (
        "%global pecl_name foo\n%global ini_name 40-%{pecl_name}.ini\n"
        "Requires(post): %{__pecl}\n"
        "%install\ninstall %{ini_name} %{buildroot}%{php_inidir}/%{ini_name}\n"
        "install x %{buildroot}/etc/php.d/20-bar.ini\n\n"
        "%post\n%{pecl_install} x || :\n\n%files\n%{php_inidir}/%{ini_name}\n"
    )
    text, _ = run(php.debian_ini_layout, spec, DEB12)
    assert "%global ini_name %{pecl_name}.ini\n" in text
    assert "%{buildroot}%{php_inidir}/bar.ini" in text
    assert "Requires(post)" not in text
    assert "sed -i '1i\\; priority=40' %{buildroot}%{php_inidir}/%{pecl_name}.ini" in text
    assert "sed -i '1i\\; priority=20' %{buildroot}%{php_inidir}/bar.ini" in text
    post = text.split("%post\n")[1].split("%files")[0]
    assert 'if [ "$1" = "configure" ]' in post and "phpenmod -v 8.2 -s ALL %{pecl_name}" in post
    assert "%preun\n" in text and "phpdismod -v 8.2 -s ALL bar" in text
    # the sections stay in order: new %preun lands before %files
    assert text.index("%preun") < text.index("%files")
    # rpm targets keep Fedora's layout: their family skips the pass
    assert "debian_ini_layout" in facts_of(EL8).skipped_passes
    el8 = normalize(spec, EL8).text
    assert "%global ini_name 40-%{pecl_name}.ini\n" in el8 and "phpenmod" not in el8


def test_ini_directory_and_an_ini_name_without_load_order() -> None:
    spec = (
        "%global ini_name ssh2.ini\n%install\n"
        "install -D %{ini_name} %{buildroot}%{_sysconfdir}/php.d/%{ini_name}\n\n"
        "%files\n%config(noreplace) %{_sysconfdir}/php.d/%{ini_name}\n"
        "%config(noreplace) /etc/php-zts.d/%{ini_name}\n"
    )
    text, _ = run(php.debian_ini_layout, spec, DEB12)
    assert "%config(noreplace) %{php_inidir}/%{ini_name}\n" in text
    assert "%config(noreplace) %{php_ztsinidir}/%{ini_name}\n" in text
    assert "/php.d" not in text
    assert "sed -i '1i\\; priority=20' %{buildroot}%{php_inidir}/ssh2.ini" in text


_ZTS_ALWAYS = (
    "Name: php-pecl-x\nVersion: 1\nRelease: 1\nSummary: s\nLicense: PHP\n%description\nd\n"
    "%prep\ncp -pr x-1 x-zts\n"
    "%build\ncd x-zts\n%{_bindir}/zts-phpize\n"
    "%configure --with-php-config=%{_bindir}/zts-php-config\n"
    "make\n# NTS\ncd ../x-1\nphpize\n%configure\nmake\n"
    "%install\nmake -C x-1 install INSTALL_ROOT=%{buildroot}\n"
    "make -C x-zts \\\n     install INSTALL_ROOT=%{buildroot}\n"
    "cat > %{buildroot}%{php_ztsinidir}/x.ini << 'EOF'\nextension=x.so\nEOF\n"
    "for d in a b; do\n  install -D x.ini %{buildroot}%{php_ztsinidir}/$d.ini\ndone\n"
    "%check\npushd x-zts\nmake test\npopd\nphp -n -d extension=x-1/modules/x.so -m\n"
    "%{__ztsphp} -n -m | grep x\n"
    "%files\n%{php_extdir}/x.so\n%{php_ztsextdir}/x.so\n%config(noreplace) %{php_ztsinidir}/x.ini\n"
)


def test_the_zts_steps_of_a_spec_that_builds_zts_always_are_dropped() -> None:
    result = normalize(_ZTS_ALWAYS, DEB12)
    body = result.text[result.text.index("%prep") :]
    # a ZTS command is `:` (here-document and continuation lines with it); cd/pushd/popd stay
    assert body.splitlines() == [
        "%prep", "cp -pr x-1 x-zts",
        "%build", 'export CPPFLAGS="${CPPFLAGS:-} %{?php_fedora_config_defines}"',
        "cd x-zts", ":", ":", ":", "# NTS", "cd ../x-1", "phpize", "%configure", "make",
        "%install", "make -C x-1 install INSTALL_ROOT=%{buildroot}", ":", ":",
        "for d in a b; do", "  :", "done",
        "%check", "pushd x-zts", ":", "popd", "php -n -d extension=x-1/modules/x.so -m", ":",
        "%files", "%{php_extdir}/x.so",
    ]  # fmt: skip
    notes = [c.reason for c in result.changes if "ZTS" in c.reason]
    assert len(notes) == 10 and all("debian-12 ships no thread-safe (ZTS) PHP" in n for n in notes)
    # on a target with a ZTS PHP nothing is dropped
    assert "zts-phpize" in normalize(_ZTS_ALWAYS, replace(EL8, php_zts=True)).text


def test_a_zts_tool_that_cannot_be_dropped_is_refused_in_one_line() -> None:
    spec = _ZTS_ALWAYS.replace(
        "cd x-zts\n%{_bindir}/zts-phpize\n", "for d in zts; do zts-phpize; done\n"
    )
    with pytest.raises(SpecError, match=r"ZTS\) extension whatever the build options") as exc:
        normalize(spec, DEB12)
    assert exc.value.line == 11
    # a spec that builds only a ZTS extension (pthreads) has nothing to drop it to
    zts_only = _ZTS_ALWAYS.replace("cd ../x-1\nphpize\n", "cd ../x-1\n")
    with pytest.raises(SpecError, match=r"builds only a thread-safe \(ZTS\) extension") as exc:
        normalize(zts_only, DEB12)
    assert exc.value.line == 12
    # PHP's own spec makes the ZTS tools: it builds ZTS whatever its options, nothing dropped
    php = (
        "Name: php\n%build\n./configure\n%install\nmv %{buildroot}/phpize %{buildroot}/zts-phpize\n"
    )
    with pytest.raises(SpecError, match=r"ZTS\) extension whatever the build options"):
        normalize(php, DEB12)
    # behind the spec's own switch it is an ordinary ZTS build, turned off, nothing dropped
    guarded = _ZTS_ALWAYS.replace("%build\n", "%build\n%if %{with zts}\n").replace(
        "make\n# NTS", "make\n%endif\n# NTS"
    )
    result = normalize("%bcond_without zts\n" + guarded, DEB12)
    assert "%bcond_with zts" in result.text and "zts-phpize" in result.text


def test_an_ini_name_in_a_branch_the_target_never_takes_is_no_module() -> None:
    spec = (
        '%global pecl_name foo\n%if "%{php_version}" < "5.6"\n%global ini_name z-%{pecl_name}.ini\n'
        "%else\n%global ini_name 40-%{pecl_name}.ini\n%endif\n"
        "%install\ninstall -D %{ini_name} %{buildroot}%{php_inidir}/%{ini_name}\n"
    )
    text, _ = run(php.debian_ini_layout, spec, DEB12)
    assert "priority=40' %{buildroot}%{php_inidir}/%{pecl_name}.ini" in text
    assert "priority=20" not in text and "z-%{pecl_name}" in text  # the dead line as written


def test_an_ini_file_with_no_load_order_in_its_name_is_a_module_too() -> None:
    # Fedora before 2013: /etc/php.d/foo.ini, no NN- prefix; Debian's default order is 20
    spec = (
        "%global pecl_name foo\n%install\n"
        "install -D -m 644 %{pecl_name}.ini %{buildroot}%{_sysconfdir}/php.d/%{pecl_name}.ini\n"
        "%files\n%config(noreplace) %{php_inidir}/%{pecl_name}.ini\n"
    )
    text, _ = run(php.debian_ini_layout, spec, DEB12)
    assert "priority=20' %{buildroot}%{php_inidir}/%{pecl_name}.ini" in text
    assert "phpenmod -v 8.2 -s ALL %{pecl_name}; fi" in text
    assert "%config(noreplace) %{php_inidir}/%{pecl_name}.ini" in text


def test_a_dropped_zts_command_never_takes_the_endif_after_its_backslash() -> None:
    # rpm takes %endif out before the shell reads the script: a trailing backslash above it
    # continues onto the next line, and the %endif must stay where it is
    spec = _ZTS_ALWAYS.replace(
        "%{__ztsphp} -n -m | grep x\n",
        "%if 0%{?__ztsphp:1}\nTEST_PHP_EXECUTABLE=%{__ztsphp} \\\n  php -n run-tests.php \\\n"
        "%endif\n",
    )
    check = normalize(spec, DEB12).text.split("%check\n")[1].split("%files")[0]
    assert check.splitlines()[-3:] == ["%if 0%{?__ztsphp:1}", ":", "%endif"]


def test_one_module_however_the_spec_spells_its_ini_name() -> None:
    spec = (
        "%global pecl_name foo\n%global ini_name z-%{pecl_name}.ini\n%install\n"
        "install -D %{ini_name} %{buildroot}%{php_inidir}/%{ini_name}\n"
        "%files\n%config(noreplace) %{_sysconfdir}/php.d/z-foo.ini\n"
    )
    text, _ = run(php.debian_ini_layout, spec, DEB12)
    assert text.count("phpenmod -v 8.2") == 1 and text.count("priority=20") == 1


def test_a_version_defined_only_for_fedora_and_el_is_refused_where_it_is_undefined() -> None:
    spec = (
        "%if 0%{?fedora} >= 19 || 0%{?rhel} >= 5\n%global extver 1.1.2\n%endif\n"
        "Name: x\nVersion: %{extver}\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"
    )
    with pytest.raises(SpecError, match=r"defines only under conditions debian-12 does not meet"):
        normalize(spec, DEB12)
    assert "Version: %{extver}" in normalize(spec, EL8).text  # rhel >= 5 there
    # defined for every target: nothing to say
    normalize(spec.replace("%endif", "%else\n%global extver 1.1.2\n%endif"), DEB12)
