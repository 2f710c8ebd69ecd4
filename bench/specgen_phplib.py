"""PHP library stacks that need each other (php-composer(), autoloaders, phpunit), and PEAR
packages with their channel, for bench/specgen.py."""

from __future__ import annotations

import random
from dataclasses import dataclass

from specgen_base import (
    CHANGELOG,
    COMPOSER_DEPS,
    PEAR_DEPS,
    PHP_EXTS,
    VENDORS,
    WORDS,
    Spec,
    header,
    php_guard_rich,
)


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
            out.append(php_guard_rich(f"php-composer({need})", "1.0", "9"))
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
    return Spec(lib.name, header(idioms) + "".join(out), tuple(idioms))


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
    return Spec("php-channel-acme", header(idioms) + text, tuple(idioms))


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
    return Spec(name, header(idioms) + "".join(out), tuple(idioms))
