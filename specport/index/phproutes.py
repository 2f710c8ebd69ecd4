"""IndexResolver's PHP routes: composer packages by pkg-php-tools' naming, PEAR packages and
channels through the PEAR registry files in Contents, php-<ext> as the target's PHP packages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from specport.normalize.resolver import _STACK_RES, Resolution, composer_debian_name
from specport.targets.model import version_tuple

if TYPE_CHECKING:
    from specport.index.debresolver import IndexResolver

COMPOSER_RE = re.compile(r"php-composer\(([^/()]+)/([^()]+)\)")
PEAR_RE = re.compile(r"php-pear\((?:([^/()]+)/)?([^()]+)\)")
CHANNEL_RE = re.compile(r"php-channel\(([^()]+)\)")
_PHP_EXT_RE = re.compile(r"php-([a-z0-9_]+)")
# Fedora's name of a package of PEAR's own channel: php-pear-Net-Curl is pear.php.net's Net_Curl
_PEAR_PACKAGE_RE = re.compile(r"php-pear-([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")


def php_route(r: IndexResolver, name: str) -> Resolution | None:
    """php-composer(), php-pear(), php-channel(), php-pear-<Package> and php-<ext> names."""
    ver = r.target.php_version
    if m := COMPOSER_RE.fullmatch(name):
        return _composer(r, name, m.group(1).lower(), m.group(2).lower())
    if m := PEAR_RE.fullmatch(name):
        channel = (m.group(1) or "pear.php.net").lower()
        owners = r.index.owners("pear", f"{channel}/{m.group(2).lower()}")
        return r._pick(owners, f"PEAR registry of {channel}/{m.group(2)} in the Contents")
    if m := CHANNEL_RE.fullmatch(name):
        owners = r.index.owners("channels", m.group(1).lower())
        return r._pick(owners, f"PEAR channel {m.group(1)} registered in the Contents")
    if m := _PEAR_PACKAGE_RE.fullmatch(name):
        package = m.group(1).replace("-", "_")
        owners = r.index.owners("pear", f"pear.php.net/{package.lower()}")
        return r._pick(owners, f"PEAR registry of pear.php.net/{package} in the Contents")
    m = _PHP_EXT_RE.fullmatch(name)
    if not m:
        return None
    ext = m.group(1)
    versioned = f"php{ver}-{ext}"
    if versioned in r.index.packages:
        return Resolution(versioned, f"{versioned}: the target's PHP {ver} package")
    since = r.php.get("since", {}).get(ext)
    builtin = ext in r.php.get("builtin", []) and (
        since is None or version_tuple(ver) >= version_tuple(since)
    )
    if builtin:
        common = f"php{ver}-common"
        how = f"PHP extension {ext} is built into Debian's PHP {ver}"
        return r._confirmed(common, how, keep=False)
    for provider in r._provides(name) + r._provides(versioned):
        if provider.startswith(f"php{ver}-"):
            return Resolution(provider, f"PHP extension {ext}: {provider} provides {name}")
    return None


def _composer(r: IndexResolver, name: str, vendor: str, project: str) -> Resolution | None:
    key = f"{vendor}/{project}"
    if key in r.composer:
        target = str(r.composer[key])
        if not target:
            return Resolution("", f"composer {key}: built into the target's PHP")
        found = r._confirmed(target, f"composer {key}: Debian packages it as {target}")
        if found is None:
            why = f"Debian packages {key} as {target}, which the index lacks"
            r._why_not.setdefault(name, why)
        return found
    debname = composer_debian_name(vendor, project)
    found = r._confirmed(debname, f"composer {key}: pkg-php-tools' name {debname}")
    if found is None:
        r._why_not.setdefault(name, f"no {debname} in the index" + r._did_you(debname))
    return found


def stack_route(r: IndexResolver, name: str) -> Resolution | None:
    """A versioned EL PHP stack's name (php74-php-foo, rh-php73-php-foo): the target's own name
    for it when the version is the target's; else no counterpart."""
    for rx in _STACK_RES:
        m = rx.fullmatch(name)
        if m:
            version = f"{m.group(1)}.{m.group(2)}"
            if version != r.target.php_version:
                have = f"{r.target.name} has PHP {r.target.php_version}"
                r._why_not[name] = f"a PHP {version} stack; {have}"
                r._absent.add(name)
                return None
            rest = m.group(3)
            base = rest if rest.startswith(("php-", "php(")) else f"php-{rest}" if rest else "php"
            found = r.resolve(base)
            if found is None:
                return None
            how = f"PHP {version} stack name for {base}; {found.rule}"
            return Resolution(found.name, how, found.keep_version)
    return None
