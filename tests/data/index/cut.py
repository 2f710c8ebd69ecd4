"""Cut the index fixtures of tests/test_index_routes.py from the real archive files.

Run by hand with the real (decompressed) files of bookworm main and focal main+universe:
    python tests/data/index/cut.py NAME PACKAGES SOURCES CONTENTS... > tests/data/index/NAME.txt
Keeps whole stanzas of the packages and sources listed below, and the Contents lines of the
paths below; the output is one file with three parts separated by "#### <kind>" lines.
"""

from __future__ import annotations

import re
import sys

PACKAGES = re.compile(
    r"php-pear|phpunit|xsltproc|libxml2-dev|libxml-parser-perl|perl|perl-base|perl-modules-5\.\d+"
    r"|python3-yaml|libyaml-dev|gperf|php(8\.2|7\.4)-(dev|common|cli|mbstring|json|xml)"
    r"|php-symfony-console|php-symfony-config|php-horde-exception|pear-channels|apache2|apache2-bin"
    r"|apache2-dev|systemd|php-date|libcurl4-openssl-dev|libcurl4-gnutls-dev|libpcre2-dev"
    r"|php-common|php|dash|libsystemd-dev|php-apcu"
    r"|docbook-xsl|libonig-dev|libzmq3-dev|libmpdec-dev|libpng-dev|php-email-validator"
    r"|python2-dev|libpython3\.11-dev|python3\.11-dev"
    # what a -devel or library package ships (tests/test_names_routes.py)
    r"|libpcre3|libpcre3-dev|libasound2-dev|systemtap-sdt-dev|libcurl4|libcurl3-gnutls"
    r"|libcurl4-gnutls-dev|zlib1g|zlib1g-dev|libssh2-1|libsodium23|libselinux1|libevent-2\.1-7"
    r"|libevent-dev|libenchant-dev|libenchant-2-dev|python2|mongodb-server|libapache2-mod-php"
    r"|libapache2-mod-php(8\.2|7\.4)|exim4-daemon-light|postfix|init-system-helpers|libgd3"
    r"|libdbi-perl|libjcip-annotations-java|pkg-config|pkgconf|php(8\.2|7\.4)-amqp|php-amqp"
    r"|libgdbm-dev|libaio-dev|cron"
    # rule fallbacks, names found through files, name patterns (tests/test_names_counterparts.py)
    r"|liblua5\.4-dev|liblua5\.3-dev|media-types|mime-support|uuid-dev|php-mdb2|libodbc1|libodbc2"
    r"|unixodbc-dev|libreoffice-l10n-fr|node-clean-css|ruby-sass|libglib-perl|libgtkmm-2\.4-dev"
    r"|qt6-base-dev|libkf5coreaddons-dev"  # CMake package configs (tests/test_names_routes.py)
)
SOURCES = re.compile(
    r"libyaml|libxml2|curl|pcre2|php8\.2|php7\.4|perl|php-apcu|systemd"
    r"|docbook-xsl|libonig|zeromq3|mpdecimal|libpng1\.6|php-email-validator|python3\.11"
    r"|pcre3|alsa-lib|systemtap|libssh2|libsodium|libselinux|libevent|enchant|enchant-2|zlib"
    r"|unixodbc"
)
PATHS = re.compile(
    r"^(usr/bin/(xsltproc|phpunit|pear|php8\.2|php7\.4)|bin/sh|usr/bin/sh"
    r"|usr/lib/x86_64-linux-gnu/pkgconfig/(libxml-2\.0|yaml-0\.1|libsystemd|oniguruma|libzmq)\.pc"
    r"|usr/lib/x86_64-linux-gnu/perl5/[\d.]+/XML/Parser\.pm|usr/share/perl/[\d.]+/File/Temp\.pm"
    r"|usr/lib/python3/dist-packages/PyYAML-[^/]+\.(egg|dist)-info(/METADATA)?"
    r"|usr/share/php/\.registry/pear\.reg"
    r"|usr/share/php/\.registry/\.channel\.pear\.horde\.org/horde_exception\.reg"
    r"|usr/share/php/\.channels/pear\.horde\.org\.reg"
    r"|usr/include/(pcre|gdbm|zlib|libaio)\.h|usr/include/(alsa/asoundlib|enchant/enchant)\.h"
    r"|usr/include/x86_64-linux-gnu/sys/sdt\.h"
    r"|usr/lib/x86_64-linux-gnu/pkgconfig/(libpcre|alsa|enchant|enchant-2|libevent|zlib)\.pc"
    r"|(usr/)?lib/x86_64-linux-gnu/lib(pcre|curl|curl-gnutls|z|ssh2|sodium|selinux|gd|aio"
    r"|gdbm|event-2\.1|odbc)\.so(\.\d+)?"
    r"|usr/include/x86_64-linux-gnu/curl/curl\.h|usr/include/uuid/uuid\.h"
    r"|usr/share/perl/[\d.]+/ExtUtils/MakeMaker\.pm|usr/share/php/\.registry/mdb2\.reg"
    r"|usr/lib/x86_64-linux-gnu/pkgconfig/gtkmm-2\.4\.pc"
    r"|usr/lib/x86_64-linux-gnu/cmake/(Qt6Core|KF5CoreAddons)/(Qt6Core|KF5CoreAddons)Config\.cmake)\s"
)


def stanzas(path: str, keep: re.Pattern[str]) -> str:
    out = []
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        m = re.search(r"^Package: (\S+)$", block, re.M)
        if m and keep.fullmatch(m.group(1)):
            out.append(block.strip("\n"))
    return "\n\n".join(out) + "\n"


def main() -> None:
    packages, sources, *contents = sys.argv[2:]
    sys.stdout.write("#### Packages\n" + stanzas(packages, PACKAGES))
    sys.stdout.write("#### Sources\n" + stanzas(sources, SOURCES))
    sys.stdout.write("#### Contents\n")
    for path in contents:
        with open(path, encoding="utf-8", errors="replace") as f:
            sys.stdout.writelines(line for line in f if PATHS.match(line))


if __name__ == "__main__":
    main()
