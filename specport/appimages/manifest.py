"""What a built image holds, as its own package database says (read by running the image), and
that list as a CycloneDX SBOM (cyclonedx-python-lib, package URLs by packageurl-python)."""

from __future__ import annotations

import warnings
from pathlib import Path

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from specport.appimages.model import Unit
from specport.appimages.records import Installed
from specport.container.engine import Engine
from specport.container.runs import Throwaway
from specport.errors import EngineError

QUERY_TIMEOUT = 120.0
# one line per installed package: name, version, arch, source package; per family
QUERIES = {
    "deb": r"dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${source:Package}\n'",
    "rpm": r"rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n'",
}


def read_manifest(engine: Engine, ref: str, unit: Unit, log_path: Path) -> list[Installed]:
    """The packages installed in image ref, sorted by name."""
    with Throwaway(
        engine, ref, log_path=log_path, purpose="image-manifest", network=False,
        target=unit.target.name,
    ) as box:  # fmt: skip
        output = box.run(QUERIES[unit.target.family], timeout=QUERY_TIMEOUT).output
    found = parse_manifest(output)
    if not found:
        raise EngineError(f"{unit.label}: the image's package database lists nothing")
    return found


def parse_manifest(output: str) -> list[Installed]:
    out = {}
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[0]:
            continue
        name, version, arch, source = parts
        version = version.removeprefix("0:")  # rpm's epoch 0, as repository metadata omits it
        out[(name, arch)] = Installed(name, version, arch, _source(source) or name)
    return sorted(out.values(), key=lambda p: (p.name, p.arch))


def _source(text: str) -> str:
    """dpkg's source:Package as it is; an rpm's SOURCERPM file name cut to its name."""
    if not text.endswith(".rpm"):
        return text
    parts = text.removesuffix(".rpm").rsplit(".", 1)[0].rsplit("-", 2)
    return parts[0] if len(parts) == 3 else ""


def sbom(unit: Unit, ref: str, digest: str, manifest: list[Installed]) -> str:
    """A CycloneDX 1.6 JSON document: the image, and each package in it with its purl."""
    bom = Bom()
    image = Component(
        name=ref,
        version=digest,
        type=ComponentType.CONTAINER,
        bom_ref=f"image:{unit.label}",
        properties=[Property(name="specport:target", value=unit.target.name)],
    )
    bom.metadata.component = image
    parts = []
    for pkg in manifest:
        purl = PackageURL(
            type=unit.target.family,
            namespace=unit.target.distro,
            name=pkg.name,
            version=pkg.version,
            qualifiers={"arch": pkg.arch, "distro": f"{unit.target.distro}-{unit.target.release}"},
        )
        parts.append(
            Component(
                name=pkg.name,
                version=pkg.version,
                type=ComponentType.LIBRARY,
                purl=purl,
                bom_ref=str(purl),
                properties=[Property(name="specport:source", value=pkg.source)],
            )
        )
    bom.components.update(parts)
    bom.register_dependency(image, parts)
    with warnings.catch_warnings():  # the library warns about graphs it cannot know
        warnings.simplefilter("ignore")
        return JsonV1Dot6(bom).output_as_string(indent=1) + "\n"
