"""The shared result cache: results as OCI artifacts in a container registry.

CI jobs on many machines already reach a registry (their images come from one), so the
registry is the shared store: each result is one OCI image manifest tagged with its key (a
sha256 in hex is a valid tag), its config blob the entry (entry.json), one layer per file
(packages and log) named by the `org.opencontainers.image.title` annotation, as ORAS stores
files. Everything goes through the registry HTTP API (the OCI distribution spec): blobs are
uploaded monolithically (POST, then PUT ?digest=) unless the registry has them (HEAD), the
manifest last, so a tag exists only once all its blobs do.

The URL is `oci://HOST[:PORT]/REPOSITORY` (HTTPS) or `oci+http://...` (a registry without TLS,
as in tests). Credentials come from $SPECPORT_SHARED_CACHE_AUTH (`user:password` or `user:token`,
as CI secrets are passed), never from the config file. A registry that answers 401 with
`WWW-Authenticate: Basic` gets them on every request; one that answers `Bearer realm=...`
(the distribution token flow of most hosted registries) is asked for a token at its realm for
the scope it names, with the credentials when there are any, and the token is kept for the run
(one per scope; a new one when the registry refuses it, as when it expires).

Why not the `oras` Python SDK (oras-py, PyPI; 0.2.43 read for this): it opens its own
requests.Session, so the registry would bypass fetch.py (the one HTTP client: timeouts, size
caps, the error lines every command prints); its requests carry no timeout at all; a pulled blob
is written to disk without its sha256 checked against the digest the manifest names; `pull`
writes each layer under the file name the registry's annotation gives (this module takes a name
only after the entry's own checks, cache/store.py). What it would save is the ~100 lines of
blob and manifest requests below; the bearer-token flow it also has is tested here as written
(tests/test_cache_bearer.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specport import fetch
from specport.cache.store import BadEntry, Entry, LocalStore
from specport.cache.trust import Trust
from specport.errors import ConfigError, SourceError

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
ARTIFACT_TYPE = "application/vnd.specport.result.v1"
CONFIG_TYPE = "application/vnd.specport.result.entry.v1+json"
FILE_TYPE = "application/octet-stream"
SIGNATURE_TYPE = "application/pgp-signature"
SIGNATURE_TITLE = "entry.json.asc"  # the entry's detached signature (cache/trust.py)
TITLE = "org.opencontainers.image.title"


@dataclass(frozen=True)
class Registry:
    base: str  # https://host:port
    repository: str  # specport/results

    def url(self, path: str) -> str:
        return f"{self.base}/v2/{self.repository}/{path}"


def parse_url(url: str) -> Registry:
    """`oci://host[:port]/repo` -> Registry; ConfigError names a bad one."""
    parts = urllib.parse.urlsplit(url)
    scheme = {"oci": "https", "oci+http": "http"}.get(parts.scheme)
    repository = parts.path.strip("/")
    if scheme is None or not parts.netloc or not repository:
        raise ConfigError(
            f"shared cache {url!r}: use oci://HOST[:PORT]/REPOSITORY (or oci+http:// without TLS)"
        )
    return Registry(f"{scheme}://{parts.netloc}", repository.lower())


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


AUTH_ENV = "SPECPORT_SHARED_CACHE_AUTH"
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class OciStore:
    def __init__(self, url: str) -> None:
        self.registry = parse_url(url)
        self.url = url
        secret = os.environ.get(AUTH_ENV, "")
        self._basic = base64.b64encode(secret.encode()).decode() if ":" in secret else ""
        self._authorization = ""  # what the registry took last; every request sends it
        # each challenge's answer (a token is for one scope) and the count of answers made
        # before it: parallel builds that meet the same challenge fetch one token, not one each
        self._answers: dict[tuple[str, ...], tuple[int, str]] = {}
        self._answered = 0
        self._auth_lock = threading.Lock()

    def _request(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> fetch.Reply:
        """fetch.request with the registry's authentication, answering one 401 challenge."""
        wanted = dict(headers or {})
        # `sent` before `answered`: an answer made between the two reads counts as older than
        # this request, so a refused one is never taken again as another thread's newer one
        sent, answered = self._authorization, self._answered
        if sent:
            wanted["Authorization"] = sent
        reply = fetch.request(method, url, data=data, headers=wanted)
        if reply.status != 401:
            return reply
        challenge = reply.headers.get("www-authenticate", "")
        params = dict(_CHALLENGE.findall(challenge))
        which = (
            challenge.split(" ", 1)[0].lower(),
            params.get("realm", ""),
            params.get("scope", ""),
        )
        with self._auth_lock:
            made, answer = self._answers.get(which, (-1, ""))
            if made < answered:  # none yet, or one made before this request (refused, expired)
                answer = self._answer(challenge)
                self._answers[which] = (self._answered, answer)
                self._answered += 1
            self._authorization = answer
        # this request's own answer: another thread may set _authorization to another scope's
        wanted["Authorization"] = answer
        return fetch.request(method, url, data=data, headers=wanted)

    def _answer(self, challenge: str) -> str:
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "basic":
            if not self._basic:
                raise SourceError(
                    f"shared cache {self.url}: the registry wants a login; set ${AUTH_ENV}"
                )
            return f"Basic {self._basic}"
        if scheme != "bearer":
            raise SourceError(f"shared cache {self.url}: unknown authentication {challenge[:80]!r}")
        params = dict(_CHALLENGE.findall(challenge))
        realm = params.get("realm", "")
        if not realm:
            raise SourceError(f"shared cache {self.url}: a Bearer challenge without a realm")
        # the token request names the service and scope; the challenge's error="..." is not a
        # parameter of it (distribution's token authentication specification)
        query = urllib.parse.urlencode({k: params[k] for k in ("service", "scope") if k in params})
        headers = {"Authorization": f"Basic {self._basic}"} if self._basic else {}
        reply = fetch.request("GET", f"{realm}?{query}" if query else realm, headers=headers)
        _check(reply, "get a token from", realm)
        try:
            doc = json.loads(reply.body)
        except ValueError:  # a login page or a proxy's answer, not a token server's
            doc = None
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not token:
            raise SourceError(f"shared cache {self.url}: {realm} gave no token")
        return f"Bearer {token}"

    def pull(self, key: str, local: LocalStore, trust: Trust) -> Entry | None:
        """The result of `key` from the registry into `local`; None when it has none.

        Everything in it is another machine's word: UntrustedEntry when the manifest or the
        entry is not what specport writes, a name would be a path, a file is missing, or the
        entry is not signed by the key `trust` names. Nothing is kept then."""
        reply = self._request(
            "GET", self.registry.url(f"manifests/{key}"), headers={"Accept": MANIFEST_TYPE}
        )
        if reply.status == 404:
            return None
        _check(reply, "read the manifest of", key)
        config, layers = _parse_manifest(reply.body, key)
        raw = self._blob(config)
        try:
            entry = Entry.from_json(raw.decode("utf-8"))
        except (BadEntry, UnicodeDecodeError) as exc:
            raise UntrustedEntry(f"entry {key}: {exc}") from None
        if entry.key != key:
            raise UntrustedEntry(f"entry {key} names another key ({entry.key[:16]})")
        signatures = [d for title, d in layers if title == SIGNATURE_TITLE]
        if len(signatures) != 1 or not trust.verify(raw, self._blob(signatures[0])):
            raise UntrustedEntry(f"entry {key} is not signed by shared_cache_key")
        wanted = {*(n for n, _ in entry.packages), entry.log}
        by_title = {title: d for title, d in layers if title in wanted}
        if set(by_title) != wanted:
            raise UntrustedEntry(f"entry {key} lacks some of its files")
        with tempfile.TemporaryDirectory(prefix="specport-pull-") as tmp:
            for name, descriptor in by_title.items():  # names checked by Entry.from_json
                (Path(tmp) / name).write_bytes(self._blob(descriptor))
            local.add_entry(entry, Path(tmp))
        found = local.get(key)  # checks every package's sha256
        if found is None:
            raise UntrustedEntry(f"entry {key}: a package does not match its sha256")
        return found

    def push(self, entry: Entry, files: Path, trust: Trust) -> None:
        """Upload the entry with its files (packages and log, in `files`) and its signature."""
        config = entry.to_json().encode("utf-8")
        layers = []
        for name in [*(n for n, _ in entry.packages), entry.log]:
            data = (files / name).read_bytes()
            layers.append(self._layer(FILE_TYPE, name, data))
        layers.append(self._layer(SIGNATURE_TYPE, SIGNATURE_TITLE, trust.sign(config)))
        manifest: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "artifactType": ARTIFACT_TYPE,
            "config": {
                "mediaType": CONFIG_TYPE,
                "digest": self._upload(config),
                "size": len(config),
            },
            "layers": layers,
            "annotations": {"org.opencontainers.image.created": _rfc3339(entry.created)},
        }
        body = json.dumps(manifest, sort_keys=True).encode("utf-8")
        reply = self._request(
            "PUT",
            self.registry.url(f"manifests/{entry.key}"),
            data=body,
            headers={"Content-Type": MANIFEST_TYPE},
        )
        _check(reply, "store the manifest of", entry.key)

    def _layer(self, media_type: str, title: str, data: bytes) -> dict[str, Any]:
        return {
            "mediaType": media_type,
            "digest": self._upload(data),
            "size": len(data),
            "annotations": {TITLE: title},
        }

    def _upload(self, data: bytes) -> str:
        digest = _digest(data)
        if self._request("HEAD", self.registry.url(f"blobs/{digest}")).status == 200:
            return digest  # the registry has it (another result with the same file)
        start = self._request("POST", self.registry.url("blobs/uploads/"))
        _check(start, "start an upload of", digest, ok=(202,))
        location = urllib.parse.urljoin(self.registry.base, start.headers.get("location", ""))
        joiner = "&" if "?" in location else "?"
        done = self._request(
            "PUT",
            f"{location}{joiner}digest={urllib.parse.quote(digest)}",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        _check(done, "upload", digest, ok=(201,))
        return digest

    def _blob(self, descriptor: dict[str, Any]) -> bytes:
        digest = str(descriptor["digest"])  # checked by _parse_manifest: sha256:<64 hex>
        reply = self._request("GET", self.registry.url(f"blobs/{digest}"))
        _check(reply, "download", digest)
        if _digest(reply.body) != digest:
            raise SourceError(f"shared cache: blob {digest} does not match its digest")
        return reply.body


class UntrustedEntry(SourceError):
    """One entry of the shared cache cannot be used (a miss, with a warning); the registry
    itself may be fine."""


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _parse_manifest(body: bytes, key: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """(config descriptor, [(title, layer descriptor)]) of an OCI manifest, each descriptor's
    digest checked; UntrustedEntry for anything else."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise UntrustedEntry(f"entry {key}: the manifest is not JSON") from None
    config = doc.get("config") if isinstance(doc, dict) else None
    layers = doc.get("layers") if isinstance(doc, dict) else None
    if not isinstance(config, dict) or not _descriptor(config):
        raise UntrustedEntry(f"entry {key}: not a specport result manifest")
    if not isinstance(layers, list) or len(layers) > 1000:
        raise UntrustedEntry(f"entry {key}: not a specport result manifest")
    out = []
    for layer in layers:
        notes = layer.get("annotations") if isinstance(layer, dict) else None
        title = notes.get(TITLE) if isinstance(notes, dict) else None
        if not _descriptor(layer) or not isinstance(title, str):
            raise UntrustedEntry(f"entry {key}: a layer is not a titled blob")
        out.append((title, layer))
    return config, out


def _descriptor(value: object) -> bool:
    return isinstance(value, dict) and _DIGEST.fullmatch(str(value.get("digest", ""))) is not None


def _check(reply: fetch.Reply, what: str, name: str, ok: tuple[int, ...] = (200, 201)) -> None:
    if reply.status not in ok:
        text = reply.body[:200].decode("utf-8", "replace").strip()
        raise SourceError(f"shared cache: cannot {what} {name}: HTTP {reply.status} {text}")


def _rfc3339(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
