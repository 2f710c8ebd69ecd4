"""The one module that fetches over HTTP(S): one client (requests), one download cache.

Downloads land in `<cache>/downloads/<key>/<name>`, keyed by the expected checksum when there is
one (so a changed upstream file never hides behind a cached one) and by the URL otherwise. A file
is written under a temporary name and renamed into place only once complete and verified.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import requests

from specport import log
from specport.errors import SourceError

TIMEOUT = 120.0  # seconds without progress before a download is given up
USER_AGENT = "specport"

Verify = Callable[[Path], None]  # raises when the downloaded file is not the expected one


class NotFound(SourceError):
    """The server answered 404/410: the file is not there (as opposed to a failed transfer)."""


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def answers(url: str, *, timeout: float) -> bool:
    """Does a server answer at url at all (any status, 401 included)?"""
    with _session() as session:
        try:
            session.get(url, timeout=timeout)
        except requests.RequestException:
            return False
    return True


def get_bytes(url: str, *, timeout: float = TIMEOUT, limit: int = 1 << 30) -> bytes:
    """The body of url; SourceError (NotFound for 404/410) when it cannot be had."""
    reply = request("GET", url, timeout=timeout, limit=limit)
    if reply.status in (404, 410):
        raise NotFound(f"cannot download {url}: HTTP {reply.status}")
    if reply.status >= 400:
        raise SourceError(f"cannot download {url}: HTTP {reply.status}")
    return reply.body


def download(
    url: str,
    dest: Path,
    *,
    verify: Verify | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Fetch url into dest (atomically); `verify` checks the file before it is put in place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        log.info(f"downloading {url}")
        with os.fdopen(fd, "wb") as out:
            if url.startswith("file://"):  # a lookaside on a mounted share
                _copy_local(url, out)
            else:
                _get_into(url, out, timeout)
        if verify is not None:
            verify(tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def cached_download(
    url: str,
    cache: Path,
    name: str,
    *,
    key: str | None = None,
    verify: Verify | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """url through the download cache under `cache`; `key` (a checksum) names the slot."""
    slot = key or hashlib.sha256(url.encode()).hexdigest()[:32]
    dest = cache / "downloads" / slot / name
    if dest.is_file():
        return dest
    return download(url, dest, verify=verify, timeout=timeout)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names lower-case
    body: bytes


def request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    limit: int = 1 << 31,
) -> Reply:
    """One HTTP request whatever its status (the caller reads it: a registry's 404 is an
    answer); SourceError when no answer came."""
    with _session() as session:
        try:
            with session.request(
                method, url, data=data, headers=headers, timeout=timeout, stream=True
            ) as response:
                chunks, size = [], 0
                for chunk in response.iter_content(1 << 16):
                    size += len(chunk)
                    if size > limit:
                        raise SourceError(f"{url}: larger than {limit} bytes")
                    chunks.append(chunk)
                return Reply(
                    response.status_code,
                    {k.lower(): v for k, v in response.headers.items()},
                    b"".join(chunks),
                )
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach {url}: {_reason(exc)}") from None


def _get_into(url: str, out: BinaryIO, timeout: float) -> None:
    with _session() as session:
        try:
            with session.get(url, stream=True, timeout=timeout) as response:
                _check_status(url, response)
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)
        except requests.RequestException as exc:
            raise SourceError(f"cannot download {url}: {_reason(exc)}") from None


def _copy_local(url: str, out: BinaryIO) -> None:
    path = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    try:
        with path.open("rb") as src:
            shutil.copyfileobj(src, out)
    except FileNotFoundError:
        raise NotFound(f"cannot download {url}: no such file") from None
    except OSError as exc:
        raise SourceError(f"cannot read {url}: {exc.strerror}") from None


def _check_status(url: str, response: requests.Response) -> None:
    if response.status_code in (404, 410):
        raise NotFound(f"cannot download {url}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise SourceError(f"cannot download {url}: HTTP {response.status_code}")


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "..."
