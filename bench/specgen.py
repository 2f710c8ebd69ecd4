#!/usr/bin/env python3
"""A deterministic corpus of Fedora-style spec files, written for specport's bench and tests.

    bench/specgen.py OUTDIR     # writes OUTDIR/<name>.spec (about 240 files) and prints the count

The specs are generated here, not copied: each family below is a template filled from small
tables, with the idioms third-party PHP packagers use switched on by the spec's index, so the
same call always yields the same files. Package names of the specs are made up (vendors `acme`,
`zephyr`, `nimbus`, ...); the names they depend on are real Fedora names whose Debian
counterparts exist in bookworm (`libzstd-devel`, `php-composer(psr/log)`, `perl(JSON::PP)`,
`/usr/bin/xsltproc`, ...), so a resolver backed by Debian's package index can answer them.

Families: PECL extensions (NTS/ZTS, SCL, EL versioned stacks), PHP library stacks that depend on
each other (php-composer(), autoloaders, phpunit), PEAR packages and their channel, C libraries
with -devel and pkg-config files, programs (build tools, systemd, httpd modules, perl(),
python3dist()).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 13
CHANGELOG = """%changelog
* Mon Mar 04 2024 Corpus Writer <corpus@example.org> - {evr}
- generated for the specport corpus
"""

# Fedora -devel names of C libraries whose -dev packages Debian ships, with a pkg-config module
# name where Fedora specs commonly use pkgconfig() instead
C_DEPS = (
    ("libyaml-devel", "yaml-0.1"),
    ("libzstd-devel", "libzstd"),
    ("lz4-devel", "liblz4"),
    ("libmemcached-devel", "libmemcached"),
    ("libevent-devel", "libevent"),
    ("librdkafka-devel", "rdkafka"),
    ("libmaxminddb-devel", "libmaxminddb"),
    ("hiredis-devel", "hiredis"),
    ("libuv-devel", "libuv"),
    ("libsodium-devel", "libsodium"),
    ("libzip-devel", "libzip"),
    ("ImageMagick-devel", "MagickWand"),
    ("libssh2-devel", "libssh2"),
    ("libxslt-devel", "libxslt"),
    ("protobuf-devel", "protobuf"),
    ("snappy-devel", ""),
    ("gpgme-devel", "gpgme"),
    ("unixODBC-devel", "odbc"),
    ("libpq-devel", "libpq"),
    ("openldap-devel", "ldap"),
    ("krb5-devel", "krb5"),
    ("oniguruma-devel", "oniguruma"),
    ("libpng-devel", "libpng"),
    ("freetype-devel", "freetype2"),
    ("libwebp-devel", "libwebp"),
    ("gmp-devel", ""),
    ("libedit-devel", "libedit"),
    ("zeromq-devel", "libzmq"),
    ("libxml2-devel", "libxml-2.0"),
    ("pcre2-devel", "libpcre2-8"),
    ("libcurl-devel", "libcurl"),
    ("openssl-devel", "openssl"),
    ("zlib-devel", "zlib"),
    ("sqlite-devel", "sqlite3"),
    ("libffi-devel", "libffi"),
    ("mpdecimal-devel", ""),
)
# PHP extensions Fedora splits out or names; Debian builds most into php<ver>-common
PHP_EXTS = (
    "php-pcre",
    "php-date",
    "php-reflection",
    "php-spl",
    "php-json",
    "php-dom",
    "php-hash",
    "php-ctype",
    "php-tokenizer",
    "php-mbstring",
    "php-xml",
    "php-filter",
    "php-iconv",
    "php-intl",
    "php-openssl",
    "php-curl",
    "php-simplexml",
    "php-libxml",
    "php-session",
    "php-zlib",
)
# composer packages Debian ships (pkg-php-tools names them php-<vendor>-<name> or similar)
COMPOSER_DEPS = (
    "psr/log",
    "psr/container",
    "psr/http-message",
    "psr/simple-cache",
    "psr/cache",
    "symfony/console",
    "symfony/yaml",
    "symfony/process",
    "symfony/finder",
    "symfony/polyfill-mbstring",
    "doctrine/instantiator",
    "doctrine/lexer",
    "guzzlehttp/guzzle",
    "guzzlehttp/psr7",
    "monolog/monolog",
    "twig/twig",
    "sebastian/diff",
    "nikic/php-parser",
    "league/commonmark",
    "composer/semver",
    "composer/ca-bundle",
    "ramsey/uuid",
    "phpseclib/phpseclib",
    "egulias/email-validator",
)
PEAR_DEPS = (
    "php-pear(PEAR)",
    "php-pear(Archive_Tar)",
    "php-pear(Console_Getopt)",
    "php-pear(Mail)",
    "php-pear(Net_SMTP)",
    "php-pear(pear.horde.org/Horde_Exception)",
    "php-pear(pear.horde.org/Horde_Util)",
    "php-pear(pear.horde.org/Horde_Translation)",
)
PERL_DEPS = (
    "perl(File::Temp)",
    "perl(Test::More)",
    "perl(JSON::PP)",
    "perl(Digest::MD5)",
    "perl(IPC::Cmd)",
    "perl(Text::Template)",
    "perl(Getopt::Long)",
    "perl(Time::HiRes)",
    "perl(XML::Parser)",
    "perl(YAML::Tiny)",
)
PY_DEPS = (
    "python3dist(setuptools)",
    "python3dist(pytest)",
    "python3dist(docutils)",
    "python3dist(sphinx)",
    "python3dist(jinja2)",
    "python3dist(pyyaml)",
    "python3dist(six)",
    "python3dist(requests)",
)
BUILD_TOOLS = (
    "m4",
    "doxygen",
    "gperf",
    "zip",
    "yasm",
    "groff",
    "valgrind",
    "/usr/bin/xsltproc",
    "pkgconfig(libzip)",
    "bison",
    "flex",
    "help2man",
    "texinfo",
    "gettext",
    "cmake",
    "nasm",
    "/usr/bin/pod2man",
    "docbook-style-xsl",
    "libtool",
    "chrpath",
)
VENDORS = ("acme", "zephyr", "nimbus", "quarkbyte", "orbital", "tessera", "brightline", "kestrel")
WORDS = (
    "cache",
    "router",
    "mailer",
    "queue",
    "parser",
    "config",
    "events",
    "http",
    "validator",
    "console",
    "storage",
    "crypto",
    "template",
    "i18n",
    "session",
    "auth",
    "metrics",
    "search",
    "image",
    "pdf",
    "markdown",
    "uuid",
    "yaml",
    "json",
    "socket",
)
PECL_NAMES = (
    "tachyon",
    "lumen",
    "quasar",
    "pulsar",
    "nebula",
    "photon",
    "vortex",
    "zenith",
    "helix",
    "prism",
    "cobalt",
    "ember",
    "frost",
    "glyph",
    "halo",
    "ion",
    "jade",
    "krypton",
    "lattice",
    "meson",
    "nova",
    "onyx",
    "plasma",
    "quill",
    "rune",
    "sable",
    "talon",
    "umbra",
    "vector",
    "warp",
    "xenon",
    "yarrow",
    "zircon",
    "aurora",
    "basalt",
    "cinder",
    "dynamo",
    "echo",
    "fable",
    "garnet",
    "harbor",
    "iris",
    "juniper",
    "kelvin",
    "lotus",
    "mantle",
    "nectar",
    "opal",
)
EL_STACKS = ("php74", "php73", "php72")  # versioned EL stacks (IUS, remi "php74-php-*")


@dataclass(frozen=True)
class Spec:
    name: str
    text: str
    idioms: tuple[str, ...]


def _header(idioms: list[str]) -> str:
    return "# Corpus (bench/specgen.py): " + ", ".join(idioms).replace("%", "%%") + "\n"


def _php_guard_rich(dep: str, lo: str, hi: str) -> str:
    return (
        "%if 0%{?fedora} || 0%{?rhel} >= 8\n"
        f"BuildRequires:  ({dep} >= {lo} with {dep} < {hi})\n"
        f"Requires:       ({dep} >= {lo} with {dep} < {hi})\n"
        "%else\n"
        f"BuildRequires:  {dep} >= {lo}\n"
        f"Requires:       {dep} >= {lo}\n"
        "%endif\n"
    )


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
    return Spec(name, _header(idioms) + "".join(out), tuple(idioms))


@dataclass(frozen=True)
class Library:
    vendor: str
    word: str
    needs: tuple[str, ...]  # other corpus libraries (composer names) it requires

    @property
    def composer(self) -> str:
        return f"{self.vendor}/{self.word}"

    @property
    def name(self) -> str:
        return f"php-{self.vendor}-{self.word}"


def library_stacks() -> list[Library]:
    """Eight vendors, a dozen libraries each; library k of a vendor needs up to two earlier
    ones of the same vendor and, every fifth, one of the previous vendor: stacks that depend on
    each other, as in a real repository."""
    libs: list[Library] = []
    for v, vendor in enumerate(VENDORS):
        for k in range(13):
            word = WORDS[(v * 3 + k) % len(WORDS)]
            needs = []
            if k >= 1:
                needs.append(f"{vendor}/{WORDS[(v * 3 + k - 1) % len(WORDS)]}")
            if k >= 3 and k % 2:
                needs.append(f"{vendor}/{WORDS[(v * 3 + k - 3) % len(WORDS)]}")
            if v and k % 5 == 4:
                needs.append(f"{VENDORS[v - 1]}/{WORDS[((v - 1) * 3) % len(WORDS)]}")
            libs.append(Library(vendor, word, tuple(needs)))
    return libs


def php_library(i: int, lib: Library, rng: random.Random) -> Spec:
    idioms = ["PHP library", "php-composer()", "%{_bindir}/phpunit", "autoloader"]
    exts = rng.sample(PHP_EXTS, 3 + i % 4)
    composer = rng.sample(COMPOSER_DEPS, 1 + i % 3)
    version = f"{1 + i % 4}.{i % 7}.{i % 5}"
    major = version.split(".")[0]
    ns = "".join(w.capitalize() for w in (lib.vendor, lib.word))
    out = [
        f"%global gh_owner   {lib.vendor}\n",
        f"%global gh_project {lib.word}\n",
        f"%global major      {major}\n",
        "%global php_home   %{_datadir}/php\n",
    ]
    if i % 3 == 0:
        idioms.append("%bcond tests 1")
        out.append("%bcond tests 1\n")
    else:
        out.append("%bcond_without tests\n")
    if i % 9 == 4:
        idioms.append("%[ ] expression")
        out.append("%global next_major %[%{major} + 1]\n")
    rich = i % 4 == 1
    out.append(
        "\n"
        f"Name:           php-%{{gh_owner}}-%{{gh_project}}\n"
        f"Version:        {version}\n"
        f"Release:        {'%autorelease' if i % 2 else '1%{?dist}'}\n"
        f"Summary:        The {lib.word} component of {lib.vendor}\n"
        "License:        MIT\n"
        "URL:            https://github.com/%{gh_owner}/%{gh_project}\n"
        "Source0:        %{url}/archive/v%{version}/%{name}-%{version}.tar.gz\n"
        "BuildArch:      noarch\n\n"
        "BuildRequires:  php(language) >= 7.2\n"
        "BuildRequires:  php-fedora-autoloader-devel\n"
        "%if %{with tests}\n"
        "BuildRequires:  %{_bindir}/phpunit\n"
    )
    for e in exts:
        out.append(f"BuildRequires:  {e}\n")
    out.append("%endif\n")
    for need in lib.needs:
        if rich:
            idioms.append("rich deps with/guarded")
            out.append(_php_guard_rich(f"php-composer({need})", "1.0", "9"))
        else:
            out.append(f"BuildRequires:  php-composer({need}) >= 1.0\n")
            out.append(f"Requires:       php-composer({need}) >= 1.0\n")
    for dep in composer:
        out.append(f"Requires:       php-composer({dep})\n")
    if i % 6 == 2:
        idioms.append("rich deps (a or b)")
        out.append("Requires:       (php-composer(psr/log) or php-psr-log)\n")
    out.append("Requires:       php(language) >= 7.2\n")
    for e in exts:
        out.append(f"Requires:       {e}\n")
    out.append("Requires:       php-composer(fedora/autoloader)\n")
    if i % 5 == 3:
        idioms.append("Suggests php-pecl()")
        out.append("Suggests:       php-pecl(apcu)\n")
    out.append(f"\nProvides:       php-composer({lib.composer}) = %{{version}}\n")
    out.append(f"\n%description\n{ns}: the {lib.word} part of the {lib.vendor} stack.\n")
    out.append(
        "\n%prep\n%autosetup -n %{gh_project}-%{version}\n"
        "\n%build\n: Generate a simple autoloader\n"
        "%{_bindir}/phpab --template fedora --output src/autoload.php src\n"
        "cat << 'EOF' | tee -a src/autoload.php\n"
    )
    for need in lib.needs:
        v, w = need.split("/")
        out.append(
            f"\\Fedora\\Autoloader\\Dependencies::required(['%{{php_home}}/{v.capitalize()}"
            f"/{w.capitalize()}/autoload.php']);\n"
        )
    out.append("EOF\n")
    out.append(
        f"\n%install\nmkdir -p %{{buildroot}}%{{php_home}}/{lib.vendor.capitalize()}\n"
        f"cp -pr src %{{buildroot}}%{{php_home}}/{lib.vendor.capitalize()}"
        f"/{lib.word.capitalize()}\n"
    )
    out.append(
        "\n%check\n%if %{with tests}\n"
        ": run the upstream suite against the installed tree\n"
        "ret=0\n"
        "for cmd in php php74 php80 php81 php82; do\n"
        "  if which $cmd; then\n"
        "    $cmd %{_bindir}/phpunit --bootstrap src/autoload.php || ret=1\n"
        "  fi\n"
        "done\nexit $ret\n%else\n: tests skipped\n%endif\n"
    )
    out.append(
        f"\n%files\n%license LICENSE\n%doc README.md composer.json\n"
        f"%dir %{{php_home}}/{lib.vendor.capitalize()}\n"
        f"%{{php_home}}/{lib.vendor.capitalize()}/{lib.word.capitalize()}\n"
    )
    out.append(
        "\n%changelog\n%autochangelog\n" if i % 2 else "\n" + CHANGELOG.format(evr=f"{version}-1")
    )
    if i % 2:
        idioms += ["%autorelease", "%autochangelog"]
    return Spec(lib.name, _header(idioms) + "".join(out), tuple(idioms))


PEAR_CHANNEL = "pear.acme.example"
PEAR_WORDS = (
    "Acme_Mail",
    "Acme_Cache",
    "Acme_Log",
    "Acme_Auth",
    "Acme_Date",
    "Acme_Text",
    "Acme_Net",
    "Acme_Xml",
    "Acme_Db",
    "Acme_Form",
    "Acme_Http",
    "Acme_Image",
    "Acme_Pager",
    "Acme_Queue",
    "Acme_Rss",
    "Acme_Soap",
    "Acme_Stream",
    "Acme_Template",
    "Acme_Util",
    "Acme_Vcs",
    "Acme_Wiki",
    "Acme_Yaml",
)


def pear_channel() -> Spec:
    idioms = ["PEAR channel", "%{__pear} channel-update", "php-channel()"]
    text = (
        "%{!?pear_metadir: %global pear_metadir %{pear_phpdir}}\n"
        f"%global channel {PEAR_CHANNEL}\n\n"
        "Name:           php-channel-acme\n"
        "Version:        1.3\n"
        "Release:        5%{?dist}\n"
        "Summary:        Adds the acme channel to PEAR\n"
        "License:        Public Domain\n"
        "URL:            http://%{channel}/\n"
        "Source0:        http://%{channel}/channel.xml\n"
        "BuildArch:      noarch\n"
        "BuildRequires:  php-pear(PEAR) >= 1.9.0\n"
        "Requires:       php-pear(PEAR)\n"
        "Requires(post): %{__pear}\n"
        "Requires(postun): %{__pear}\n"
        "Provides:       php-channel(%{channel})\n\n"
        "%description\nThis package adds the acme channel which allows PEAR packages\n"
        "from this channel to be installed.\n\n"
        "%prep\n%setup -q -c -T\n\n%build\n\n"
        "%install\nmkdir -p %{buildroot}%{pear_xmldir}\n"
        "install -pm 644 %{SOURCE0} %{buildroot}%{pear_xmldir}/%{name}.xml\n\n"
        "%post\nif [ $1 -eq  1 ] ; then\n"
        "   %{__pear} channel-add %{pear_xmldir}/%{name}.xml > /dev/null || :\nelse\n"
        "   %{__pear} channel-update %{pear_xmldir}/%{name}.xml > /dev/null ||:\nfi\n\n"
        "%postun\nif [ $1 -eq 0 ] ; then\n"
        "   %{__pear} channel-delete %{channel} > /dev/null || :\nfi\n\n"
        "%files\n%{pear_xmldir}/%{name}.xml\n\n"
    ) + CHANGELOG.format(evr="1.3-5")
    return Spec("php-channel-acme", _header(idioms) + text, tuple(idioms))


def pear_package(i: int, rng: random.Random) -> Spec:
    pear_name = PEAR_WORDS[i % len(PEAR_WORDS)]
    idioms = ["PEAR package", "%{__pear}", "php-pear(channel/Name)", "php-channel()"]
    own_channel = i % 3 != 0
    channel = PEAR_CHANNEL if own_channel else "pear.php.net"
    deps = rng.sample(PEAR_DEPS[1:], 1 + i % 2)
    version = f"{1 + i % 3}.{i % 4}.{i % 6}"
    out = [
        "%{!?__pear: %global __pear %{_bindir}/pear}\n",
        f"%global pear_name {pear_name}\n",
        f"%global channel   {channel}\n\n",
        f"Name:           php-{'acme' if own_channel else 'pear'}-{pear_name.replace('_', '-')}\n",
        f"Version:        {version}\n",
        "Release:        1%{?dist}\n",
        f"Summary:        The {pear_name} PEAR package\n",
        "License:        BSD-2-Clause\n",
        "URL:            http://%{channel}/package/%{pear_name}\n",
        "Source0:        http://%{channel}/get/%{pear_name}-%{version}.tgz\n",
        "BuildArch:      noarch\n",
        "BuildRequires:  php-pear(PEAR) >= 1.10.1\n",
    ]
    if own_channel:
        out.append("BuildRequires:  php-channel(%{channel})\n")
    if i % 4 == 0:
        out.append("BuildRequires:  %{_bindir}/phpunit\n")
    out.append("Requires:       php-pear(PEAR)\n")
    for d in deps:
        out.append(f"Requires:       {d}\n")
    if own_channel:
        out.append("Requires:       php-channel(%{channel})\n")
        if i > 2:
            # an earlier package of the same channel (i % 3 != 0 are on it)
            other = PEAR_WORDS[i - 1 if (i - 1) % 3 else i - 2]
            out.append(f"Requires:       php-pear({PEAR_CHANNEL}/{other}) >= 1.0\n")
    out.append(
        "Requires(post): %{__pear}\nRequires(postun): %{__pear}\n"
        "Requires:       php-pcre\nRequires:       php-date\n"
        "Provides:       php-pear(%{channel}/%{pear_name}) = %{version}\n"
    )
    if not own_channel:
        out.append("Provides:       php-pear(%{pear_name}) = %{version}\n")
    out.append(
        f"Provides:       php-composer(pear/{pear_name.lower()}) = %{{version}}\n"
        f"\n%description\n{pear_name} as a PEAR package.\n"
        "\n%prep\n%setup -q -c\ncd %{pear_name}-%{version}\n"
        "mv ../package.xml %{name}.xml\n"
        "\n%build\n: nothing to build\n"
        "\n%install\ncd %{pear_name}-%{version}\n"
        "%{__pear} install --nodeps --packagingroot %{buildroot} %{name}.xml\n"
        "rm -rf %{buildroot}%{pear_metadir}/.??*\n"
        "install -d %{buildroot}%{pear_xmldir}\n"
        "install -pm 644 %{name}.xml %{buildroot}%{pear_xmldir}\n"
        "\n%check\ncd %{pear_name}-%{version}\n"
        "%{_bindir}/php -r 'require \"%{buildroot}%{pear_phpdir}/Acme/Mail.php\";' || :\n"
        "\n%post\n%{__pear} install --nodeps --soft --force --register-only \\\n"
        "    %{pear_xmldir}/%{name}.xml >/dev/null || :\n"
        "\n%postun\nif [ $1 -eq 0 ] ; then\n"
        "    %{__pear} uninstall --nodeps --ignore-errors --register-only \\\n"
        "        %{channel}/%{pear_name} >/dev/null || :\nfi\n"
        "\n%files\n%doc %{pear_docdir}/%{pear_name}\n%{pear_xmldir}/%{name}.xml\n"
        f"%{{pear_phpdir}}/{pear_name.replace('_', '/')}.php\n\n"
    )
    out.append(CHANGELOG.format(evr=f"{version}-1"))
    name = f"php-{'acme' if own_channel else 'pear'}-{pear_name.replace('_', '-')}"
    return Spec(name, _header(idioms) + "".join(out), tuple(idioms))


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
    return Spec(f"lib{lib}", _header(idioms) + "".join(out), tuple(idioms))


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
    return Spec(name, _header(idioms) + "".join(out), tuple(idioms))


def generate() -> list[Spec]:
    """The corpus, in a fixed order; names are unique."""
    rng = random.Random(SEED)
    specs: list[Spec] = [pecl(i, rng) for i in range(48)]
    specs += [php_library(i, lib, rng) for i, lib in enumerate(library_stacks())]
    specs.append(pear_channel())
    specs += [pear_package(i, rng) for i in range(len(PEAR_WORDS))]
    specs += [c_library(i, rng) for i in range(len(C_LIB_NAMES))]
    specs += [program(i, rng) for i in range(len(PROGRAMS))]
    names = [s.name for s in specs]
    assert len(set(names)) == len(names), "corpus names must be unique"
    return specs


def write(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in generate():
        path = outdir / f"{spec.name}.spec"
        path.write_text(spec.text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    paths = write(Path(argv[0]))
    print(f"{len(paths)} specs in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
