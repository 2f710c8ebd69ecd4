"""C libraries (-devel, pkg-config files) and programs (build tools, systemd units, httpd
modules, perl(), python3dist()) for bench/specgen.py."""

from __future__ import annotations

import random

from specgen_base import BUILD_TOOLS, C_DEPS, CHANGELOG, PERL_DEPS, PY_DEPS, Spec, header

C_LIB_NAMES = (
    "acmezip",
    "zephyrdb",
    "nimbusxml",
    "quarkmath",
    "orbitio",
    "tesseract-lite",
    "brightmsg",
    "kestrelnet",
    "acmehash",
    "zephyrimg",
    "nimbusaudio",
    "quarkregex",
    "orbitlog",
    "tesseraui",
    "brightcrypt",
    "kestrelfs",
    "acmejson",
    "zephyrrpc",
    "nimbuscache",
    "quarkcsv",
    "orbitgeo",
    "tesseramap",
    "brightfont",
    "kestrelzip",
    "acmeserial",
    "zephyrlex",
    "nimbuspool",
    "quarktime",
    "orbitsql",
    "tesseradoc",
)


def c_library(i: int, rng: random.Random) -> Spec:
    lib = C_LIB_NAMES[i % len(C_LIB_NAMES)]
    idioms = ["C library", "-devel subpackage", "pkgconfig file", "%ldconfig_scriptlets"]
    somajor = 1 + i % 4
    version = f"{somajor}.{i % 9}.{i % 4}"
    cdeps = rng.sample(C_DEPS, 2 + i % 3)
    cmake = i % 3 == 0
    out = [f"%global somajor {somajor}\n"]
    if i % 4 == 1:
        idioms.append("%bcond static 0")
        out.append("%bcond static 0\n")
    out += [
        f"\nName:           lib{lib}\n",
        f"Version:        {version}\n",
        f"Release:        {'%autorelease' if i % 2 else '1%{?dist}'}\n",
        f"Summary:        The {lib} library\n",
        "License:        MIT\n",
        f"URL:            https://example.org/{lib}\n",
        "Source0:        %{url}/releases/%{name}-%{version}.tar.xz\n",
        "Patch0:         %{name}-pkgconfig.patch\n",
        "Patch1:         %{name}-no-rpath.patch\n\n",
        "BuildRequires:  gcc\n",
    ]
    if cmake:
        idioms.append("%cmake")
        out.append("BuildRequires:  cmake >= 3.12\n")
    else:
        out.append("BuildRequires:  make autoconf automake libtool\n")
    for dev, pc in cdeps:
        out.append(f"BuildRequires:  {'pkgconfig(' + pc + ')' if pc and i % 2 else dev}\n")
    if i % 5 == 0:
        idioms.append("doxygen docs")
        out.append("BuildRequires:  doxygen\nBuildRequires:  graphviz\n")
    if i % 6 == 3:
        idioms.append("%if fedora || rhel >= 8 (valgrind)")
        out.append("%if 0%{?fedora} || 0%{?rhel} >= 8\nBuildRequires:  valgrind\n%endif\n")
    out.append(
        f"\n%description\nlib{lib} does one thing well.\n"
        "\n%package devel\nSummary:        Development files for %{name}\n"
        "Requires:       %{name}%{?_isa} = %{version}-%{release}\n"
        "Requires:       pkgconfig\n"
    )
    for dev, _ in cdeps[:1]:
        out.append(f"Requires:       {dev}%{{?_isa}}\n")
    out.append("\n%description devel\nHeaders and the pkg-config file of %{name}.\n")
    if i % 4 == 1:
        out.append(
            "\n%if %{with static}\n%package static\nSummary:        Static %{name}\n"
            "Requires:       %{name}-devel%{?_isa} = %{version}-%{release}\n"
            "\n%description static\nThe static library.\n%endif\n"
        )
    if i % 2:
        idioms.append("%patch -P")
        out.append("\n%prep\n%setup -q\n%patch -P 0 -p1\n%patch -P 1 -p1\n")
    elif i % 4 == 0:
        idioms.append("%patch N (rpm 4.18)")
        out.append("\n%prep\n%setup -q\n%patch 0 -p1\n%patch 1 -p1\n")
    else:
        idioms.append("%autosetup -p1")
        out.append("\n%prep\n%autosetup -p1\n")
    if cmake:
        out.append(
            "\n%build\n%cmake -DBUILD_STATIC=OFF\n%cmake_build\n\n%install\n%cmake_install\n"
        )
    else:
        out.append(
            "\n%build\nautoreconf -fi\n%configure --disable-static\n%make_build\n"
            "\n%install\n%make_install\n"
        )
    out.append(
        "find %{buildroot} -name '*.la' -delete\n"
        "\n%check\nmake check %{?_smp_mflags} || :\n"
        "\n%ldconfig_scriptlets\n"
        f"\n%files\n%license COPYING\n%{{_libdir}}/lib{lib}.so.%{{somajor}}*\n"
        f"\n%files devel\n%{{_includedir}}/{lib}.h\n%{{_libdir}}/lib{lib}.so\n"
        f"%{{_libdir}}/pkgconfig/{lib}.pc\n"
    )
    out.append(
        "\n%changelog\n%autochangelog\n" if i % 2 else "\n" + CHANGELOG.format(evr=f"{version}-1")
    )
    if i % 2:
        idioms += ["%autorelease", "%autochangelog"]
    return Spec(f"lib{lib}", header(idioms) + "".join(out), tuple(idioms))


PROGRAMS = (
    "acme-daemon",
    "zephyr-proxy",
    "nimbus-agent",
    "quark-shell",
    "orbit-sync",
    "tessera-render",
    "bright-indexer",
    "kestrel-mon",
    "acme-notify",
    "zephyr-backup",
    "nimbus-dns",
    "quark-lint",
    "orbit-fetch",
    "tessera-print",
    "bright-mail",
    "kestrel-fw",
    "acme-top",
    "zephyr-ldap",
    "nimbus-cron",
    "quark-sched",
    "orbit-graph",
    "tessera-spell",
    "bright-ftp",
    "kestrel-vpn",
    "acme-viewer",
    "zephyr-dict",
    "nimbus-pkg",
    "quark-calc",
    "orbit-term",
    "tessera-ocr",
)


def program(i: int, rng: random.Random) -> Spec:
    prog = PROGRAMS[i % len(PROGRAMS)]
    tools = rng.sample(BUILD_TOOLS, 3 + i % 4)
    cdeps = rng.sample(C_DEPS, 1 + i % 3)
    idioms = ["program", "build tools " + " ".join(tools)]
    daemon = i % 3 == 0
    httpd_mod = i % 5 == 2
    perl = i % 4 == 1
    python = i % 4 == 3
    commit = f"{rng.getrandbits(160):040x}"
    snapshot = i % 6 == 4
    version = f"{i % 3}.{i % 11}.{i % 7}"
    out: list[str] = []
    if snapshot:
        idioms += ["%( ) bash-ism ${c:0:7}", "^ version"]
        out.append(
            f"%global commit {commit}\n%global shortcommit %(c=%{{commit}}; echo ${{c:0:7}})\n"
        )
        out.append("%global date 20240311\n")
    if i % 4 == 0:
        idioms.append("%bcond docs 1")
        out.append("%bcond docs 1\n")
    if i % 7 == 5:
        idioms.append("%[ ] expression")
        out.append(f"%global api_level %[{i % 5} + 10]\n")
    if httpd_mod:
        idioms += ["httpd module", "httpd-mmn"]
        out.append(
            "%{!?_httpd_mmn: %global _httpd_mmn "
            "%(cat %{_includedir}/httpd/.mmn 2>/dev/null || echo 0-0)}\n"
        )
        out.append("%{!?_httpd_moddir: %global _httpd_moddir %{_libdir}/httpd/modules}\n")
    name = f"mod_{prog.replace('-', '_')}" if httpd_mod else prog
    out.append(
        f"\nName:           {name}\n"
        f"Version:        {version}{'^%{date}git%{shortcommit}' if snapshot else ''}\n"
        f"Release:        {'%autorelease' if i % 2 else '1%{?dist}'}\n"
        f"Summary:        The {prog} tool\n"
        "License:        GPL-2.0-or-later\n"
        f"URL:            https://example.org/{prog}\n"
        "Source0:        %{url}/releases/%{name}-%{version}.tar.gz\n"
    )
    if daemon:
        out.append("Source1:        %{name}.service\n")
    out.append(
        "Patch0:         %{name}-fix-build.patch\n\nBuildRequires:  gcc\nBuildRequires:  make\n"
    )
    for t in tools:
        out.append(f"BuildRequires:  {t}\n")
    for dev, pc in cdeps:
        out.append(f"BuildRequires:  {'pkgconfig(' + pc + ')' if pc and i % 2 else dev}\n")
    if i % 4 == 0:
        out.append(
            "%if %{with docs}\nBuildRequires:  /usr/bin/xsltproc\n"
            "BuildRequires:  docbook-style-xsl\n%endif\n"
        )
    if daemon:
        idioms += ["systemd-units", "%systemd_post"]
        out.append(
            "BuildRequires:  systemd-units\n"
            "Requires(post): systemd-units\nRequires(preun): systemd-units\n"
            "Requires(postun): systemd-units\n"
        )
    if httpd_mod:
        out.append(
            "BuildRequires:  httpd-devel\nRequires:       httpd\n"
            "Requires:       httpd-mmn = %{_httpd_mmn}\n"
        )
    if perl:
        idioms.append("perl()")
        out.append("BuildRequires:  perl-interpreter\nBuildRequires:  perl-generators\n")
        for p in rng.sample(PERL_DEPS, 2 + i % 3):
            out.append(f"BuildRequires:  {p}\n")
        out.append(
            'Requires:       perl(:MODULE_COMPAT_%(eval "`%{__perl} -V:version`"; echo $version))\n'
        )
    if python:
        idioms.append("python3dist()")
        out.append("BuildRequires:  python3-devel\n")
        for p in rng.sample(PY_DEPS, 2 + i % 3):
            out.append(f"BuildRequires:  {p}\n")
    if i % 10 == 7:
        idioms.append("rich deps (a or b)")
        out.append(
            "%if 0%{?fedora} || 0%{?rhel} >= 8\nRequires:       (zip or unzip)\n"
            "%else\nRequires:       unzip\n%endif\n"
        )
    if i % 5 == 1:
        idioms.append("%if fedora || rhel >= 8 / %else")
        out.append(
            "%if 0%{?fedora} || 0%{?rhel} >= 8\nRecommends:     logrotate\n"
            "%else\nRequires:       logrotate\n%endif\n"
        )
    out.append(f"\n%description\n{prog} is a small tool of the corpus.\n")
    out.append("\n%prep\n")
    if snapshot:
        out.append("%setup -q -n %{name}-%{commit}\n")
    else:
        out.append("%setup -q\n")
    out.append("%patch0 -p1\n" if i % 2 else "%patch -P 0 -p1\n")
    if i % 6 == 1:
        idioms.append("%elif")
        out.append(
            "%if 0%{?fedora} >= 38\n: new toolchain\n%elif 0%{?rhel} >= 8\n: EL toolchain\n"
            "%else\n: other\n%endif\n"
        )
    out.append("\n%build\n")
    if httpd_mod:
        out.append("%{_httpd_apxs} -c mod_%{name}.c\n")
    else:
        out.append("%configure\n%make_build\n")
    if i % 4 == 0:
        out.append("%if %{with docs}\nmake -C doc html\n%endif\n")
    out.append("\n%install\n")
    if httpd_mod:
        out.append(
            "install -D -m 755 .libs/%{name}.so %{buildroot}%{_httpd_moddir}/%{name}.so\n"
            "install -D -m 644 %{name}.conf %{buildroot}%{_httpd_modconfdir}/10-%{name}.conf\n"
        )
    else:
        out.append("%make_install\n")
    if daemon:
        out.append("install -D -m 644 %{SOURCE1} %{buildroot}%{_unitdir}/%{name}.service\n")
        out.append(
            "\n%post\n%systemd_post %{name}.service\n\n%preun\n%systemd_preun %{name}.service\n"
            "\n%postun\n%systemd_postun_with_restart %{name}.service\n"
        )
    out.append("\n%files\n%license COPYING\n%doc README\n")
    if httpd_mod:
        out.append(
            "%{_httpd_moddir}/%{name}.so\n%config(noreplace) %{_httpd_modconfdir}/10-%{name}.conf\n"
        )
    else:
        out.append(f"%{{_bindir}}/{prog}\n%{{_mandir}}/man1/{prog}.1*\n")
    if daemon:
        out.append("%{_unitdir}/%{name}.service\n")
    out.append(
        "\n%changelog\n%autochangelog\n" if i % 2 else "\n" + CHANGELOG.format(evr=f"{version}-1")
    )
    if i % 2:
        idioms += ["%autorelease", "%autochangelog"]
    return Spec(name, header(idioms) + "".join(out), tuple(idioms))
