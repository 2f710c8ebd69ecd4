"""What every family of bench/specgen.py shares: the spec record, its header, and the tables of
real Fedora names (with Debian counterparts in bookworm) the generated specs depend on."""

from __future__ import annotations

from dataclasses import dataclass

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


def header(idioms: list[str]) -> str:
    return "# Corpus (bench/specgen.py): " + ", ".join(idioms).replace("%", "%%") + "\n"


def php_guard_rich(dep: str, lo: str, hi: str) -> str:
    return (
        "%if 0%{?fedora} || 0%{?rhel} >= 8\n"
        f"BuildRequires:  ({dep} >= {lo} with {dep} < {hi})\n"
        f"Requires:       ({dep} >= {lo} with {dep} < {hi})\n"
        "%else\n"
        f"BuildRequires:  {dep} >= {lo}\n"
        f"Requires:       {dep} >= {lo}\n"
        "%endif\n"
    )
