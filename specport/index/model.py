"""The loaded package index of one target: only what the resolver asks of it.

Every table maps a key to the sorted package names that answer it, joined with "," (one JSON
string parses faster than a list: loading the largest index takes ~0.1 s). The same record is
written to and read from the derived cache (JSON), so loading it is one json.loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = 7  # bump when the derived layout changes: older caches are then rebuilt, not misread


@dataclass(frozen=True)
class Index:
    target: str
    packages: dict[str, str]  # real binary package -> newest version over the pockets
    provides: dict[str, str]  # virtual name -> packages whose Provides name it
    source_of: dict[str, str]  # binary -> its source package (only where they differ)
    binaries: dict[str, str]  # source package -> its binaries that are in `packages`
    files: dict[str, str]  # "/usr/bin/xsltproc" -> packages (bin and sbin dirs only)
    pkgconfig: dict[str, str]  # "libxml-2.0" -> packages shipping libxml-2.0.pc
    perl: dict[str, str]  # "XML::Parser" -> packages shipping XML/Parser.pm
    python: dict[str, str]  # normalized dist name "pyyaml" -> packages (dist/egg-info)
    pear: dict[str, str]  # "pear.horde.org/horde_exception" -> packages (PEAR registry)
    channels: dict[str, str]  # "pear.horde.org" -> packages registering the channel
    # "pcre.h", "alsa/asoundlib.h" (relative to the include dirs) -> packages shipping it
    headers: dict[str, str] = field(default_factory=dict)
    devlibs: dict[str, str] = field(default_factory=dict)  # "libpcre" -> owners of libpcre.so
    sonames: dict[str, str] = field(default_factory=dict)  # "libpcre" -> of libpcre.so.3
    cmake: dict[str, str] = field(default_factory=dict)  # "qt6core" -> Qt6CoreConfig.cmake's
    breaks: dict[str, str] = field(default_factory=dict)  # "php-amqp" -> packages Breaking it
    essential: list[str] = field(default_factory=list)
    modules: dict[str, str] = field(default_factory=dict)  # rpm: package -> "php:7.4,php:8.0"

    def has(self, name: str) -> bool:
        """Can apt satisfy `name`: a real package or a virtual one somebody provides?"""
        return name in self.packages or name in self.provides

    def owners(self, table: str, key: str) -> list[str]:
        """The packages of `key` in one of the joined tables ("provides", "files", ...)."""
        value: str = getattr(self, table).get(key, "")
        return value.split(",") if value else []

    def source(self, binary: str) -> str:
        return self.source_of.get(binary, binary)

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **{k: getattr(self, k) for k in self.__dataclass_fields__}}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Index:
        fields = {k: doc[k] for k in cls.__dataclass_fields__}
        return cls(**fields)
