"""Staging and release tags: promotion copies a tested digest, it never builds again.

Local references in the engine (per image and target):

    specport-build/<image>:<target>            the newest build (what the smoke test runs)
    specport-build/<image>:<target>-released   the promoted one (children are built FROM it)

With the setting images_registry = "HOST[:PORT]/NAMESPACE" a build is pushed (by the engine,
with its credentials) to NAMESPACE/<repository>:staging-<target>, and promotion copies that
digest to each release tag with skopeo (`skopeo copy docker://...@sha256:D docker://...:TAG`),
which keeps the manifest and so the digest. Without a registry the release tags are tags in
the local engine (specport-images/<repository>:<tag>), pointed at the tested image id.
Registries on localhost and 127.0.0.0/8 are reached over plain HTTP, as the engine does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from specport.appimages.model import Unit
from specport.config import Settings
from specport.container import transfer
from specport.container.engine import Engine
from specport.container.transfer import image_config
from specport.errors import ConfigError, EngineError, ToolError
from specport.run import Done, require, run

SKOPEO_TIMEOUT = 900.0
LOCAL_RELEASES = "specport-images"
_REGISTRY = re.compile(r"([A-Za-z0-9.-]+(?::\d+)?)(/[a-z0-9._/-]+)?")
_ABSENT = ("manifest unknown", "not found", "name unknown", "no such image")


def build_ref(unit: Unit) -> str:
    return f"specport-build/{unit.image.name}:{unit.target.name}"


def released_ref(unit: Unit) -> str:
    return f"specport-build/{unit.image.name}:{unit.target.name}-released"


@dataclass(frozen=True)
class Releases:
    """Where an image's staging and release tags live: a registry, or the local engine."""

    registry: str  # "HOST[:PORT]/NAMESPACE", "" = local engine

    @property
    def remote(self) -> bool:
        return bool(self.registry)

    def repository(self, unit: Unit) -> str:
        base = self.registry or LOCAL_RELEASES
        return f"{base}/{unit.image.repository}"

    def staging_ref(self, unit: Unit) -> str:
        if not self.remote:
            return build_ref(unit)
        return f"{self.repository(unit)}:staging-{unit.target.name}"

    def release_refs(self, unit: Unit) -> list[str]:
        return [f"{self.repository(unit)}:{tag}" for tag in unit.image.tags[unit.target.name]]

    def stage(self, engine: Engine, unit: Unit, image_id: str, log_path: Path) -> str:
        """Put the built image under its staging tag; its digest there."""
        if not self.remote:
            return image_id  # build_ref already names it
        ref = self.staging_ref(unit)
        transfer.tag(engine, image_id, ref)
        digest = transfer.push(engine, ref, log_path=log_path)
        if not digest.startswith("sha256:"):
            raise EngineError(f"pushing {ref}: the engine reported no digest", f"log: {log_path}")
        return digest

    def promote(self, engine: Engine, unit: Unit, digest: str, log_path: Path) -> list[str]:
        """Point every release tag at digest; the references moved."""
        refs = self.release_refs(unit)
        for ref in refs:
            if self.remote:
                source = f"{self.repository(unit)}@{digest}"
                self._skopeo(["copy", "--quiet", *self._tls("src"), *self._tls("dest"),
                              f"docker://{source}", f"docker://{ref}"], log_path)  # fmt: skip
            else:
                transfer.tag(engine, digest, ref)
            now = self.digest_of(engine, ref, log_path)
            if now != digest:
                raise ToolError(f"promoting {unit.label}: {ref} names {now or 'nothing'}")
        return refs

    def digest_of(self, engine: Engine, ref: str, log_path: Path) -> str:
        """The digest a release or staging reference names now ("" when there is none)."""
        if not self.remote:
            config = image_config(engine, ref)
            return config.id if config else ""
        done = self._skopeo(
            ["inspect", "--no-tags", "--format", "{{.Digest}}", *self._tls(""), f"docker://{ref}"],
            log_path,
            check=False,
        )
        if done.ok:
            return done.text.strip()
        if any(word in done.error_text.lower() for word in _ABSENT):
            return ""
        raise ToolError(f"skopeo inspect {ref} failed: {done.error_text.strip()[:300]}")

    def _tls(self, side: str) -> list[str]:
        host = self.registry.split("/", 1)[0].rsplit(":", 1)[0]
        if host in ("localhost", "::1") or host.startswith("127."):
            return [f"--{side}-tls-verify=false" if side else "--tls-verify=false"]
        return []

    def _skopeo(self, args: list[str], log_path: Path, *, check: bool = True) -> Done:
        require("skopeo")
        done = run(["skopeo", *args], timeout=SKOPEO_TIMEOUT, check=False)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as out:
            out.write(f"\n$ skopeo {' '.join(args)}\n{done.text}{done.error_text}")
        if check and not done.ok:
            raise ToolError(f"skopeo {args[0]} failed: {done.error_text.strip()[:300]}")
        return done


def releases(settings: Settings) -> Releases:
    value = settings.images_registry.strip().removeprefix("docker://").rstrip("/")
    if value and not _REGISTRY.fullmatch(value):
        raise ConfigError(
            f"images_registry {settings.images_registry!r}: expected HOST[:PORT]/NAMESPACE"
        )
    return Releases(value)
