"""The deb passes for what debbuild does not do by itself: scriptlets, triggers, %files
directives, scriptlet commands; and the post-step's reading of debbuild's postinst."""

from __future__ import annotations

import subprocess

import pytest

from specport.building import debscripts
from specport.normalize import files, scriptcmds, scriptlets
from specport.normalize.lines import append_point, chains, join_lines, split_lines
from specport.normalize.model import NormalizeOptions, Pass, PassContext
from specport.normalize.passes import normalize
from specport.normalize.scriptparse import find_scriptlets, parse_header
from specport.targets import load_targets
from specport.targets.families import facts_of
from specport.targets.model import Target

TARGETS = load_targets()
DEB12 = TARGETS["debian-12"]
EL8 = TARGETS["el8-php7.4"]


def run(p: Pass, text: str, target: Target) -> tuple[str, list[str]]:
    ctx = PassContext(target=target, options=NormalizeOptions())
    lines, changes = p(split_lines(text), ctx)
    return join_lines(lines), [c.reason for c in changes]


HEAD = "Name: sp\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n%description\nd\n"


def _section(text: str, header: str) -> str:
    """The body of `header` in `text`, up to the next line starting with %<section>."""
    body = text.split(f"\n{header}\n", 1)[1]
    out = []
    for line in body.splitlines():
        if line.startswith(("%files", "%changelog", "%post", "%pre", "%preun", "%postun")):
            break
        out.append(line)
    return "\n".join(out)


def _bash_ok(script: str) -> None:
    """The generated maintainer script text parses with bash."""
    proc = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --- reading scriptlet sections -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("%post", ("post", "", "", "", "")),
        ("%postun libs -p /sbin/ldconfig", ("postun", "libs", "/sbin/ldconfig", "", "")),
        (
            "%post -n lib%{name} -p /sbin/ldconfig",
            ("post", "-n lib%{name}", "/sbin/ldconfig", "", ""),
        ),
        (
            "%triggerin -- %{?scl_prefix}php-pear",
            ("triggerin", "", "", "%{?scl_prefix}php-pear", ""),
        ),
        ("%triggerun fpm -- php-fpm", ("triggerun", "fpm", "", "php-fpm", "")),
        ("%triggerpostun -n a --b", ("triggerpostun", "-n a", "", "b", "")),
        ("%pretrans -p <lua>", ("pretrans", "", "<lua>", "", "")),
        ("%postfix", None),
        ("%files", None),
    ],
)
def test_parse_header(header: str, parsed: tuple[str, ...] | None) -> None:
    assert parse_header(header) == parsed


def test_outside_conditionals_stay_and_segments_keep_their_chain() -> None:
    spec = "%install\n%if 0%{?fedora} < 24\n%posttrans\necho a\n%if %{x}\necho b\n%endif\n%endif\n"
    lines = split_lines(spec)
    (s,), taken = find_scriptlets(lines)
    # the closing %endif is not the section's: it stays; the inner %if/%endif pair moves
    assert [lines[i].text for i in sorted(taken)] == [
        "%posttrans",
        "echo a",
        "%if %{x}",
        "echo b",
        "%endif",
    ]
    assert [seg.chain for seg in s.segments] == [(("%if 0%{?fedora} < 24", False),)]


def test_append_point_is_before_an_if_left_open_for_the_next_section() -> None:
    lines = split_lines("%install\nmake\n%if %{with tests}\n%check\nmake test\n%endif\n")
    assert append_point(lines, 0) == 2
    lines = split_lines("%install\n%if x\nmake\n%endif\n\n%files\n")
    assert append_point(lines, 0) == 4
    assert chains(lines)[2] == (("%if x", False),)


# --- the scriptlets pass --------------------------------------------------------------------------
def test_plain_scriptlets_get_rpm_counts_and_run_in_order() -> None:
    spec = HEAD + (
        "%posttrans\necho late\n\n%post\nif [ $1 -eq 1 ]; then echo first; fi\n\n"
        "%preun\n[ $1 -eq 0 ] && echo erase\n\n%pretrans\necho early\n\n%pre\necho pre\n\n"
        "%files\n/x\n"
    )
    text, notes = run(scriptlets.translate_scriptlets, spec, DEB12)
    post = _section(text, "%post")
    assert post.index("echo first") < post.index("echo late")  # %posttrans after %post
    assert 'if [ "$1" = configure ]; then' in post
    assert 'if [ -n "$2" ]; then set -- 2; else set -- 1; fi' in post
    pre = _section(text, "%pre")
    assert pre.index("echo early") < pre.index("echo pre")
    assert ") || exit $?" in pre  # a failing %pre stops the install, as in rpm
    preun = _section(text, "%preun")
    assert 'if [ "$1" = upgrade ]; then set -- 1; else set -- 0; fi' in preun
    assert text.count("%post\n") == 1 and text.index("%preun") < text.index("%files")
    assert any("%posttrans: postinst configure, after %post" in n for n in notes)
    _bash_ok(post)
    _bash_ok(pre)


def test_a_body_written_for_dpkg_is_kept_as_written() -> None:
    spec = HEAD + '%post\nif [ "$1" = "configure" ]; then :; fi\n%files\n/x\n'
    text, notes = run(scriptlets.translate_scriptlets, spec, DEB12)
    assert _section(text, "%post").strip() == 'if [ "$1" = "configure" ]; then :; fi'
    assert "kept as written" in notes[0]


def test_dropped_scriptlets_say_why() -> None:
    spec = HEAD + (
        "%post -p /sbin/ldconfig\n%postun libs -p /sbin/ldconfig\n%pretrans -p <lua>\n"
        "print('x')\n%verifyscript\ntrue\n%triggerun -- httpd < 2.2.21-5\necho old\n"
        "%triggerin -- no-such-package-anywhere\necho x\n%files\n/x\n"
    )
    text, notes = run(scriptlets.translate_scriptlets, spec, DEB12)
    assert "%post" not in text and "print(" not in text and "echo old" not in text
    joined = "\n".join(notes)
    assert "-p /sbin/ldconfig: dpkg runs ldconfig through libc-bin's trigger" in joined
    assert "a Lua scriptlet (-p <lua>) has no dpkg form" in joined
    assert "dpkg has no verify hook" in joined
    assert "an older version (httpd < 2.2.21-5) is a Fedora upgrade path" in joined
    assert "no package no-such-package-anywhere on the target" in joined


def test_trigger_becomes_a_dpkg_file_trigger_under_its_if() -> None:
    spec = HEAD + (
        "%install\n%if 0%{?fedora} < 24\n%triggerin -- %{?scl_prefix}php-pear\necho in $1 $2\n"
        "\n%triggerun -- php-pear\n[ $2 = 0 ] || exit 0\necho gone\n%endif\n\n%files\n/x\n"
    )
    text, notes = run(scriptlets.translate_scriptlets, spec, DEB12)
    install = text.split("%install\n")[1].split("%post")[0]
    assert install.strip() == "%if 0%{?fedora} < 24\n%endif"  # the pair stays, empty
    post = _section(text, "%post")
    assert post.startswith('if [ "$1" = triggered ]; then\n%if 0%{?fedora} < 24\n')
    assert post.count("# specport-trigger: interest-noawait /usr/share/doc/php-pear") == 2
    assert 'case " $2 " in *" /usr/share/doc/php-pear "*)' in post
    assert "set -- 1 1\necho in $1 $2" in post and "set -- 1 0\n[ $2 = 0 ]" in post
    assert "exit 0\nfi" in post  # a trigger call runs no %post body
    preun = _section(text, "%preun")  # triggerun also fires at this package's own removal
    assert 'if [ "$1" = remove ] && dpkg-query' in preun and "set -- 0 1" in preun
    assert "interest-noawait" in notes[0] and "while it is installed" in notes[0]
    _bash_ok(post.replace("%if 0%{?fedora} < 24", "").replace("%endif", ""))


def test_file_trigger_feeds_the_files_under_its_path() -> None:
    spec = HEAD + (
        "%transfiletriggerin -- /usr/share/sp/xml/\nwhile read f; do echo $f; done\n"
        "%transfiletriggerun -- /usr/share/sp/xml\nwhile read f; do echo $f; done\n"
        "%filetriggerpostun -- /usr/lib/sp\n/usr/bin/sp-cache --rebuild\n%files\n/x\n"
    )
    text, notes = run(scriptlets.translate_scriptlets, spec, DEB12)
    post = _section(text, "%post")
    assert "find /usr/share/sp/xml \\( -type f -o -type l \\) 2>/dev/null |" in post
    assert "# specport-trigger: interest-noawait /usr/lib/sp" in post
    assert ") </dev/null ||" in post
    assert any("reads the removed files' names on stdin" in n for n in notes)
    _bash_ok(post)


def test_subpackage_scriptlets_merge_with_those_added_before() -> None:
    spec = HEAD + "%post -n libsp\necho one\n%post -n libsp\necho two\n%files\n/x\n"
    text, _ = run(scriptlets.translate_scriptlets, spec, DEB12)
    assert text.count("%post -n libsp\n") == 1
    assert text.index("echo one") < text.index("echo two")


def test_rpm_targets_keep_their_scriptlets() -> None:
    skipped = facts_of(EL8).skipped_passes
    assert {"translate_scriptlets", "translate_files", "translate_commands"} <= skipped
    spec = HEAD + "%post -p /sbin/ldconfig\n%triggerin -- php-pear\necho x\n%files\n/x\n"
    assert "%triggerin -- php-pear" in normalize(spec, EL8).text


# --- the files pass -------------------------------------------------------------------------------
def test_files_directives_debbuild_misreads() -> None:
    spec = HEAD + (
        "%prep\n%setup -q\n%install\nmake install\ncd NTS\n\n%files\n"
        "%license NTS/LICENSE\n%doc %{pecl_docdir}/sp %{name}-%{version}/{A,B}\n"
        "%verify(not md5 size mtime) %config(noreplace,missingok) /etc/sp.conf\n"
        "%ghost %config(noreplace) /etc/sp.local\n%ghost %attr(0640,root,root) /var/lib/sp/db\n"
        "%caps(cap_net_raw=ep) %{_bindir}/sp-ping\n"
        "%files -n libsp\n%ghost %dir /run/sp\n"
    )
    text, notes = run(files.translate_files, spec, DEB12)
    install = text.split("%install\n")[1].split("\n\n")[0]
    assert install.splitlines()[-2:] == [
        '(cd "%{_builddir}/%{buildsubdir}" && mkdir -p "%{buildroot}%{_docdir}/sp" && cp -pr NTS/LICENSE "%{buildroot}%{_docdir}/sp/")',  # noqa: E501
        '(cd "%{_builddir}/%{buildsubdir}" && mkdir -p "%{buildroot}%{_docdir}/sp" && cp -pr %{name}-%{version}/{A,B} "%{buildroot}%{_docdir}/sp/")',  # noqa: E501
    ]
    assert "%license %{_docdir}/sp/LICENSE\n" in text
    assert "%doc %{pecl_docdir}/sp %{_docdir}/sp/{A,B}\n" in text
    assert "\n%config(noreplace) /etc/sp.conf\n" in text
    assert "%exclude /etc/sp.local\n%exclude /var/lib/sp/db\n%{_bindir}/sp-ping\n" in text
    assert 'if [ "$1" = purge ]; then\n    rm -f /etc/sp.local || true' in text
    assert 'if [ "$1" = remove ]; then\n    rm -f /var/lib/sp/db || true' in text
    assert '%postun -n libsp\nif [ "$1" = remove ]; then\n    rmdir /run/sp' in text
    assert "setcap 'cap_net_raw=ep' %{_bindir}/sp-ping" in text
    joined = "\n".join(notes)
    for why in ("dropped %verify(...)", "%config(missingok) -> %config", "%ghost -> %exclude",
                "setcap in postinst configure", "copied from the build directory"):  # fmt: skip
        assert why in joined


def test_relative_docs_follow_their_if_and_no_setup_means_the_build_dir() -> None:
    spec = HEAD + "%install\ntrue\n%files\n%if %{with x}\n%doc x.txt\n%endif\n/y\n"
    text, _ = run(files.translate_files, spec, DEB12)
    assert '%if %{with x}\n(cd "%{_builddir}" && mkdir -p' in text
    assert "%doc %{_docdir}/sp/x.txt" in text


def test_whole_normalize_explains_each_construct() -> None:
    spec = HEAD + (
        "%prep\n%setup -q -c -T\n%install\ncd NTS\n%post\n/usr/sbin/alternatives --install"
        " /usr/bin/sp sp /usr/bin/sp1 10 --initscript sp\n%posttrans\necho t\n"
        "%files\n%license NTS/LICENSE\n"
    )
    result = normalize(spec, DEB12)
    by_pass = {c.pass_name for c in result.changes}
    assert {"scriptlet-commands", "files", "scriptlets"} <= by_pass
    assert "update-alternatives --install /usr/bin/sp sp /usr/bin/sp1 10\n" in result.text
    assert "%posttrans" not in result.text


# --- scriptlet commands ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "/usr/sbin/alternatives --remove sp /usr/bin/sp1",
            "update-alternatives --remove sp /usr/bin/sp1",
        ),
        ("/sbin/chkconfig --add spd", "update-rc.d spd defaults"),
        (
            "/sbin/chkconfig --del spd >/dev/null 2>&1 || :",
            "update-rc.d -f spd remove >/dev/null 2>&1 || :",
        ),
        ("chkconfig spd on", "update-rc.d spd enable"),
        ("chkconfig --level 345 spd on", ": chkconfig --level 345 spd on"),
        (
            "semanage fcontext -a -e / /opt &>/dev/null || :",
            ": semanage fcontext -a -e / /opt &>/dev/null || :",
        ),
        (
            "[ -x /sbin/restorecon ] && /sbin/restorecon -R /var/lib/sp",
            "[ -x /sbin/restorecon ] && : restorecon -R /var/lib/sp",
        ),
        ("echo alternatives", "echo alternatives"),
    ],
)
def test_scriptlet_commands(line: str, expected: str) -> None:
    assert scriptcmds.rewrite(line)[0] == expected


def test_commands_outside_scriptlets_are_left_alone() -> None:
    spec = HEAD + "%install\nchkconfig --add x\n%post\nchkconfig --add x\n%files\n/x\n"
    text, notes = run(scriptcmds.translate_commands, spec, DEB12)
    assert "%install\nchkconfig --add x\n%post\nupdate-rc.d x defaults\n" in text
    assert len(notes) == 1


# --- the post-step's reading of debbuild's postinst --------------------------------------------
def test_attr_lines_become_modes_and_root_chowns_go() -> None:
    postinst = (
        "#!/bin/bash -e\n/bin/chown -Rh root /usr/bin/a\n/bin/chgrp -Rh root /usr/bin/a\n"
        "/bin/chmod 0755 /usr/bin/a\n/bin/chown -Rh apache /var/lib/sp\n"
        "/bin/chmod 0750 /var/lib/sp\nchmod 0644 /spec/own\necho body\n"
    )
    new, modes, notes = debscripts.split_attrs(postinst)
    assert modes == [("0755", "/usr/bin/a")]
    # another owner stays, with its mode after it (chown clears setuid bits)
    assert new == (
        "#!/bin/bash -e\n/bin/chown -Rh apache /var/lib/sp\n/bin/chmod 0750 /var/lib/sp\n"
        "chmod 0644 /spec/own\necho body\n"
    )
    assert notes == [
        "modes in the package: /usr/bin/a 0755",
        "postinst: 2 chown/chgrp to root dropped (the package is root's)",
    ]
    assert debscripts.is_empty_script(
        debscripts.split_attrs("#!/bin/sh\n/bin/chown -Rh root /x\n")[0]
    )


def test_trigger_lines_become_the_triggers_file() -> None:
    postinst = (
        "#!/bin/bash -e\n# specport-trigger: interest-noawait /usr/share/doc/php-pear\n"
        "# specport-trigger: interest-noawait /usr/share/doc/php-pear\n"
        "# specport-trigger: interest /usr/lib/sp\n# specport-trigger: bogus /x\n"
    )
    found = debscripts.trigger_directives(postinst)
    assert found == ["interest-noawait /usr/share/doc/php-pear", "interest /usr/lib/sp"]
    merged = debscripts.merge_triggers("activate-noawait ldconfig\n", found)
    assert merged.splitlines()[0] == "activate-noawait ldconfig" and len(merged.splitlines()) == 3


def test_phpize_specs_get_fedora_php_config_defines() -> None:
    from specport.normalize import php

    spec = HEAD + "%build\n%{__phpize}\n%configure\n%install\ntrue\n"
    text, notes = run(php.fedora_config_defines, spec, DEB12)
    assert '%build\nexport CPPFLAGS="${CPPFLAGS:-} %{?php_fedora_config_defines}"\n' in text
    assert "HAVE_MBSTRING" in notes[0]
    assert run(php.fedora_config_defines, HEAD + "%build\nmake\n", DEB12)[1] == []
    assert "fedora_config_defines" in facts_of(EL8).skipped_passes


def test_doc_dir_name_with_a_macro_specport_cannot_read_stays_a_macro() -> None:
    spec = HEAD.replace("Name: sp", "Name: %{phpname}-pecl-sp") + (
        "%install\ntrue\n%files\n%doc README\n%files -n %{phpname}-sp-devel\n%license COPYING\n"
    )
    text, _ = run(files.translate_files, spec, DEB12)
    assert "%doc %{_docdir}/%{name}/README\n" in text
    assert "%license %{_docdir}/%{phpname}-sp-devel/COPYING\n" in text


@pytest.mark.parametrize(
    ("body", "dpkg"),
    [
        (['case "$1" in', "  configure)", "  :;;", "esac"], True),
        (["case $1 in", "  abort-upgrade|remove) :;;", "esac"], True),
        (['case "$1" in', "  0) echo erase;;", "esac"], False),
        (['if [ "$1" = "purge" ]; then :; fi'], True),
        (["if [ $1 -eq 0 ]; then :; fi"], False),
    ],
)
def test_which_bodies_speak_dpkg(body: list[str], dpkg: bool) -> None:
    from specport.normalize.dpkgscripts import speaks_dpkg

    assert speaks_dpkg(body) is dpkg
