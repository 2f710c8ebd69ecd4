"""The user's project config (specport.toml): extra targets, [settings] and dependency-name
rules ([names.deb], [names.TARGET]: specport/namerules.py).

Which file: --config FILE, else $SPECPORT_CONFIG, else ./specport.toml when it exists.
Each setting can also be given as $SPECPORT_<NAME> (e.g. SPECPORT_DEBBUILD_SOURCE), which wins.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport.errors import ConfigError
from specport.namerules import NameRules, parse_name_rules
from specport.targets.loader import TargetSet, load_targets, read_user_file

CONFIG_NAME = "specport.toml"
# lintian accepts a .invalid address under a two-part domain, unlike @localhost
DEFAULT_MAINTAINER = "specport <specport@specport.invalid>"
DEFAULT_BUILD_MEMORY = "8g"
DEFAULT_BUILD_PIDS = "4096"


@dataclass(frozen=True)
class Settings:
    """Project-wide settings; each can be set in [settings] of specport.toml."""

    # Maintainer of .debs without Packager:; .invalid (RFC 2606) never delivers, and lintian
    # accepts it, unlike @localhost (bogus-mail-host / maintainer-address-is-on-localhost)
    maintainer: str = DEFAULT_MAINTAINER
    image_prefix: str = ""  # registry/namespace put before every target image name
    debbuild_source: str = ""  # debbuild release tarball: URL or file ("" = upstream release)
    debbuild_sha256: str = ""
    debbuild_macros_source: str = ""
    debbuild_macros_sha256: str = ""
    lookaside: str = ""  # directory of dist-git lookaside files (SHA512 layout or flat)
    cache_dir: str = ""  # where downloaded sources and image inputs are kept
    repo_url: str = ""  # URL of the published repository that the user's images install from
    repo_key: str = ""  # its public key file (specport publish writes DIR/keys/<repo-id>.asc)
    repo_id: str = "specport"  # the repo id / file names used in the user's images
    # the user's images (specport images, specport.appimages): the published repository's
    # directory on this machine (publish records, metadata an image's packages are taken from;
    # repo_key defaults to its keys/<repo_id>.asc), the images tree, where each image's build
    # records live ("" = <cache_dir>/images), the registry release tags go to
    # ("" = tags in the local engine; "HOST[:PORT]/NAMESPACE"), and a hook told what a rebuild
    # did (a command that reads JSON on stdin, or an http(s) URL that is POSTed the JSON)
    repo_dir: str = ""
    images_dir: str = "images"
    images_state: str = ""
    images_registry: str = ""
    images_hook: str = ""
    # deb targets' package index for dependency names: "auto" (cached, fetched when missing),
    # "offline" (cached only), "off" (rule data only); --offline / --no-index override it
    index: str = "auto"
    # the result cache shared by CI jobs on many machines (specport.cache.oci): oci://HOST/REPO
    # ("" = the local one only)
    shared_cache: str = ""
    # who the shared cache trusts (cache/trust.py): an armored public key file its entries must
    # be signed with to be used, and an armored secret key file this machine signs its with
    shared_cache_key: str = ""
    shared_cache_signing_key: str = ""
    # where base and builder images are pushed and pulled by their input keys (`specport images
    # push/pull`, CI jobs): REGISTRY/NAMESPACE, e.g. reg.example/OWNER/REPO/specport ("" = none)
    builders_registry: str = ""
    # where the local result cache lives ("" = <cache_dir>/results); a test run points it at a
    # directory of its own, so that every run really builds what it tests
    result_cache: str = ""
    # limits of every build container (the spec's code runs there as root): memory without
    # swap (--memory overrides it) and the number of processes, so that a fork bomb or a
    # runaway link job ends that build, not the machine
    build_memory: str = DEFAULT_BUILD_MEMORY
    build_pids: str = DEFAULT_BUILD_PIDS


def cache_root(settings: Settings) -> Path:
    """settings.cache_dir ($SPECPORT_CACHE_DIR), else $XDG_CACHE_HOME/specport or ~/.cache."""
    if settings.cache_dir:
        return Path(settings.cache_dir).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "specport"


@dataclass(frozen=True)
class Config:
    targets: TargetSet
    settings: Settings
    path: Path | None  # the user file that was read, if any
    names: NameRules = dataclasses.field(default_factory=NameRules)


def find_config_file(explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return explicit
    env = os.environ.get("SPECPORT_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"$SPECPORT_CONFIG names {path}, which does not exist")
        return path
    local = Path.cwd() / CONFIG_NAME
    return local if local.is_file() else None


def settings_from_env(settings: Settings) -> Settings:
    """$SPECPORT_<SETTING> overrides the file, for CI jobs that cannot edit it."""
    changes = {}
    for f in dataclasses.fields(Settings):
        value = os.environ.get(f"SPECPORT_{f.name.upper()}")
        if value is not None:
            changes[f.name] = _one_line(f"$SPECPORT_{f.name.upper()}", value)
    return dataclasses.replace(settings, **changes)


def _one_line(label: str, value: str) -> str:
    # every setting lands in one line of something: a %changelog entry, a Containerfile, a URL;
    # a newline there would add lines (a %changelog entry with its own macros)
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{label}: must be one line without control characters")
    return value


def load_config(explicit: Path | None = None) -> Config:
    path = find_config_file(explicit)
    user_files = []
    settings = Settings()
    raw_names: Any = {}
    label = ""
    if path is not None:
        label, doc = read_user_file(path)
        unknown = set(doc) - {"targets", "settings", "names"}
        if unknown:
            key = sorted(unknown)[0]
            raise ConfigError(
                f"{label}: {key}: unknown top-level key (expected targets, settings, names)"
            )
        settings = parse_settings(label, doc.get("settings", {}))
        raw_names = doc.get("names", {})
        user_files.append((label, doc))
    targets = load_targets(user_files)
    names = parse_name_rules(label, raw_names, targets) if raw_names else NameRules()
    return Config(targets, settings_from_env(settings), path, names)


def parse_settings(label: str, raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: settings: must be a table")
    known = {f.name for f in dataclasses.fields(Settings)}
    for key, value in raw.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{label}: settings.{key}: unknown key{hint}")
        if not isinstance(value, str):
            raise ConfigError(f"{label}: settings.{key}: expected a string")
        _one_line(f"{label}: settings.{key}", value)
    return Settings(**raw)
