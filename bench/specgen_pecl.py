"""PECL extension specs for bench/specgen.py: NTS/ZTS, SCL and versioned EL stacks, the idioms
third-party PHP packagers use."""

from __future__ import annotations

import random

from specgen_base import C_DEPS, CHANGELOG, EL_STACKS, PECL_NAMES, Spec, header


def pecl(i: int, rng: random.Random) -> Spec:
    ext = PECL_NAMES[i % len(PECL_NAMES)]
    lib, pc = C_DEPS[i % len(C_DEPS)]
    zts = i % 3 != 2
    scl = i % 5 == 1
    stack = EL_STACKS[i % len(EL_STACKS)] if i % 7 == 3 else ""
    bcond_new = i % 4 == 0
    devel_sub = i % 6 == 0
    commit = f"{rng.getrandbits(160):040x}"
    snapshot = i % 8 == 5
    idioms = ["PECL extension", "php(api)/php(zend-abi)", "%{__pecl}", "ini file"]
    out: list[str] = []
    if scl:
        idioms.append("SCL %{?scl:...}")
        out.append(f"%{{?scl:%scl_package php-pecl-{ext}}}\n")
    out.append("%{!?_licensedir:%global license %%doc}\n")
    if bcond_new:
        idioms.append("%bcond zts 1")
        out.append("%bcond zts 1\n")
    elif zts:
        idioms.append("with_zts from __ztsphp")
        out.append("%global with_zts 0%{!?_without_zts:%{?__ztsphp:1}}\n")
    else:
        out.append("%global with_zts 0\n")
    zts_cond = "%{with zts}" if bcond_new else "%{with_zts}"
    out.append(f"%global pecl_name {ext}\n")
    out.append(f"%global ini_name  {20 + i % 60}-%{{pecl_name}}.ini\n")
    if snapshot:
        idioms += ["%( ) bash-ism ${c:0:7}", "^ version"]
        out.append(f"%global gh_commit {commit}\n")
        out.append("%global gh_short  %(c=%{gh_commit}; echo ${c:0:7})\n")
    # remi's SCL-style stacks prefix every name (php74-php-devel, php74-php(api)); IUS-style
    # stacks name the package and its build tools (php74-pecl-x, php74-devel, pear1)
    ius = bool(stack) and i % 2 == 0
    if scl:
        prefix = "%{?scl_prefix}"
    elif stack and not ius:
        prefix = f"{stack}-"
    else:
        prefix = ""
    php_devel = f"{stack}-devel" if ius else f"{prefix}php-devel"
    php_pear = "pear1" if ius else f"{prefix}php-pear"
    name_prefix = f"{stack}-" if ius else f"{prefix}php-"
    version = f"{1 + i % 5}.{i % 10}.{i % 3}"
    out.append("\n")
    out.append(f"Name:           {name_prefix}pecl-%{{pecl_name}}\n")
    out.append(f"Version:        {version}{'^20240301git%{gh_short}' if snapshot else ''}\n")
    if i % 2:
        idioms.append("%autorelease")
        out.append("Release:        %autorelease\n")
    else:
        out.append(f"Release:        {1 + i % 4}%{{?dist}}\n")
    out.append(f"Summary:        The {ext} extension for PHP\n")
    out.append("License:        PHP-3.01\n")
    out.append("URL:            https://pecl.php.net/package/%{pecl_name}\n")
    out.append("Source0:        https://pecl.php.net/get/%{pecl_name}-%{version}.tgz\n")
    out.append("Source1:        %{pecl_name}.ini\n")
    if i % 3 == 0:
        idioms.append("%patch0")
        out.append("Patch0:         %{pecl_name}-build.patch\n")
    out.append("\n")
    if stack:
        idioms.append(f"EL stack {php_devel}")
    out.append("BuildRequires:  make\nBuildRequires:  gcc\n")
    out.append(f"BuildRequires:  {php_devel} >= 7.2\n")
    out.append(f"BuildRequires:  {php_pear}\n")
    if pc and i % 2 == 0:
        idioms.append(f"pkgconfig({pc})")
        out.append(f"BuildRequires:  pkgconfig({pc})\n")
    else:
        out.append(f"BuildRequires:  {lib}\n")
    if i % 4 == 1:
        dep = ("php-pecl-igbinary-devel", "php-pecl-apcu-devel", "php-pecl-msgpack-devel")[i % 3]
        out.append(f"BuildRequires:  {name_prefix}{dep.removeprefix('php-')}\n")
        out.append(f"Requires:       {prefix}php-pecl({dep.split('-')[2]})%{{?_isa}}\n")
    if i % 5 == 2:
        idioms.append("%if fedora || rhel >= 8")
        out.append("%if 0%{?fedora} || 0%{?rhel} >= 8\nBuildRequires:  php-json\n%endif\n")
    out.append("\n")
    out.append(f"Requires:       {prefix}php(zend-abi) = %{{php_zend_api}}\n")
    out.append(f"Requires:       {prefix}php(api) = %{{php_core_api}}\n")
    if i % 3 != 1:
        out.append("Requires(post): %{__pecl}\nRequires(postun): %{__pecl}\n")
    if scl:
        out.append("%{?scl:Requires: %{scl}-runtime}\n")
    out.append("\n")
    out.append(f"Provides:       {prefix}php-%{{pecl_name}} = %{{version}}\n")
    out.append(f"Provides:       {prefix}php-%{{pecl_name}}%{{?_isa}} = %{{version}}\n")
    out.append(f"Provides:       {prefix}php-pecl(%{{pecl_name}}) = %{{version}}\n")
    out.append(f"Provides:       {prefix}php-pecl(%{{pecl_name}})%{{?_isa}} = %{{version}}\n")
    if i % 4 == 2:
        out.append(f"Obsoletes:      {prefix}php-%{{pecl_name}} < {version}\n")
    out.append(f"\n%description\nThe {ext} extension binds {lib.removesuffix('-devel')}.\n")
    if devel_sub:
        idioms.append("-devel subpackage")
        out.append(
            "\n%package devel\nSummary:        Headers of the %{pecl_name} extension\n"
            "Requires:       %{name}%{?_isa} = %{version}-%{release}\n"
            f"Requires:       {php_devel}%{{?_isa}}\n"
            "\n%description devel\nHeaders other extensions build against.\n"
        )
    out.append("\n%prep\n%setup -q -c\nmv %{pecl_name}-%{version} NTS\n")
    if i % 3 == 0:
        out.append("cd NTS\n%patch0 -p1\ncd ..\n")
    out.append('sed -e \'/LICENSE/s/role="doc"/role="src"/\' -i package.xml\n')
    if i % 5 == 4:
        idioms.append("%elif")
        out.append(
            '%if "%{php_version}" < "7.4"\n: old PHP\n%elif "%{php_version}" < "8.0"\n'
            ": PHP 7.4\n%else\n: PHP 8\n%endif\n"
        )
    out.append(f"%if {zts_cond}\ncp -pr NTS ZTS\n%endif\n")
    out.append(
        "\n%build\ncd NTS\n%{__phpize}\n%configure --with-php-config=%{__phpconfig}\n"
        "%make_build\n"
        f"%if {zts_cond}\ncd ../ZTS\n%{{__ztsphpize}}\n"
        "%configure --with-php-config=%{__ztsphpconfig}\n%make_build\n%endif\n"
    )
    out.append(
        "\n%install\nmake -C NTS install INSTALL_ROOT=%{buildroot}\n"
        "install -D -m 644 %{SOURCE1} %{buildroot}%{php_inidir}/%{ini_name}\n"
        "install -D -m 644 package.xml %{buildroot}%{pecl_xmldir}/%{name}.xml\n"
        f"%if {zts_cond}\nmake -C ZTS install INSTALL_ROOT=%{{buildroot}}\n"
        "install -D -m 644 %{SOURCE1} %{buildroot}%{php_ztsinidir}/%{ini_name}\n%endif\n"
    )
    out.append(
        "\n%check\ncd NTS\n"
        "%{__php} -n -d extension=%{buildroot}%{php_extdir}/%{pecl_name}.so -m "
        "| grep -q %{pecl_name}\n"
    )
    out.append(
        "\n%post\n%{pecl_install} %{pecl_xmldir}/%{name}.xml >/dev/null || :\n"
        "\n%postun\nif [ $1 -eq 0 ] ; then\n"
        "    %{pecl_uninstall} %{pecl_name} >/dev/null || :\nfi\n"
    )
    out.append(
        "\n%files\n%license NTS/LICENSE\n%{pecl_xmldir}/%{name}.xml\n"
        "%config(noreplace) %{php_inidir}/%{ini_name}\n%{php_extdir}/%{pecl_name}.so\n"
        f"%if {zts_cond}\n%config(noreplace) %{{php_ztsinidir}}/%{{ini_name}}\n"
        "%{php_ztsextdir}/%{pecl_name}.so\n%endif\n"
    )
    if devel_sub:
        out.append("\n%files devel\n%{php_incldir}/ext/%{pecl_name}\n")
    if i % 2:
        idioms.append("%autochangelog")
        out.append("\n%changelog\n%autochangelog\n")
    else:
        out.append("\n" + CHANGELOG.format(evr=f"{version}-{1 + i % 4}"))
    name = f"{name_prefix.replace('%{?scl_prefix}', '')}pecl-{ext}"
    return Spec(name, header(idioms) + "".join(out), tuple(idioms))
