"""The shared result cache behind a registry with token authentication (the Bearer flow).

Debian's `docker-registry` (distribution 2.8) runs on 127.0.0.1 with `auth: token`: it answers
401 with `Bearer realm=...,service=...,scope=...`, and takes a JWT that names its issuer and
service, grants the scope in `access`, and is signed by a key whose certificate is in its
`rootcertbundle`. The token server is this module's own (http.server on 127.0.0.1, in a thread):
it checks the Basic login and signs ES256 tokens with the certificate in the `x5c` header, as
the distribution token specification describes. Skipped where `docker-registry` is missing.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from test_cache import SPEC, _prepared, _stored
from test_cache_shared import LOGIN, _serve, trust

from specport.building.resultcache import ResultCache
from specport.cache.oci import AUTH_ENV, OciStore
from specport.cache.store import LocalStore
from specport.errors import SourceError

SERVICE = "specport-test-registry"
ISSUER = "specport-test-token-server"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class TokenServer:
    """Signs tokens for a good login; keeps the query of every token request it answered."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    url: str = ""
    asked: list[dict[str, list[str]]] = field(default_factory=list)
    refused: int = 0
    lifetime: int = 300  # seconds; below -60 the registry (60 s leeway) refuses the token
    html: bool = False  # answer a good login with a web page instead of a token

    def token(self, user: str, query: dict[str, list[str]]) -> str:
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")  # repository:specport/results:pull,push
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()],
        }
        claims = {
            "iss": ISSUER,
            "sub": user,
            "aud": query["service"][0],
            "exp": now + self.lifetime,
            "nbf": now - 1,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signed = ".".join(_b64url(json.dumps(part).encode()) for part in (header, claims))
        r, s = decode_dss_signature(self.key.sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
        # JWS ES256 is r and s as two 32-byte big-endian numbers, not DER
        return f"{signed}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    good = "Basic " + base64.b64encode(f"{LOGIN[0]}:{LOGIN[1]}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != good:
                server.refused += 1
                self._reply(401, json.dumps({"details": "incorrect username or password"}))
                return
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            server.asked.append(query)
            if server.html:
                self._reply(200, "<html>sign in</html>", "text/html")
                return
            doc = {"token": server.token(LOGIN[0], query), "expires_in": server.lifetime}
            self._reply(200, json.dumps(doc))

        def _reply(self, status: int, text: str, kind: str = "application/json") -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the test counts requests; no access log on stderr

    return Handler


def _signing_cert() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TokenServer]]:
    root = tmp_path_factory.mktemp("registry-token")
    key, cert = _signing_cert()
    (root / "token-cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tokens = TokenServer(key, cert)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(tokens))
    tokens.url = f"http://127.0.0.1:{httpd.server_address[1]}/token"
    thread = threading.Thread(target=httpd.serve_forever, name="token-server", daemon=True)
    thread.start()
    auth = (
        f"auth:\n  token:\n    realm: {tokens.url}\n    service: {SERVICE}\n"
        f"    issuer: {ISSUER}\n    rootcertbundle: {root / 'token-cert.pem'}\n"
    )
    try:
        for url in _serve(root, auth):
            yield url, tokens
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def tokens(token_registry: tuple[str, TokenServer]) -> TokenServer:
    """The token server, its counts cleared for this test."""
    server = token_registry[1]
    server.asked.clear()
    server.refused, server.lifetime, server.html = 0, 300, False
    return server


SCOPE = "repository:specport/results:"


def _actions(tokens: TokenServer) -> list[set[str]]:
    """The actions each token request asked for (the registry lists them in no fixed order)."""
    asked = []
    for query in tokens.asked:
        (scope,) = query["scope"]
        assert scope.startswith(SCOPE)
        asked.append(set(scope.removeprefix(SCOPE).split(",")))
    return asked


def _log(tmp_path: Path) -> Path:
    log = tmp_path / "x.log"
    log.write_text("")
    return log


def test_two_cache_directories_exchange_a_result_with_tokens(
    token_registry: tuple[str, TokenServer],
    tokens: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = token_registry[0]
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:{LOGIN[1]}")
    prep = _prepared(tmp_path)
    first = ResultCache(tmp_path / "machine-1", url, trust())
    inputs, pkg = _stored(tmp_path, first, prep)
    assert not first._shared_down
    second = ResultCache(tmp_path / "machine-2", url, trust())
    log = _log(tmp_path)
    entry = second.restore(inputs, tmp_path / "out", log)
    assert entry is not None and entry.lock == ("gcc=4:12.2.0-3",)
    assert (tmp_path / "out" / pkg.name).read_bytes() == pkg.read_bytes()
    assert url in log.read_text()
    # each token request names the registry's service and the repository's scope, nothing else
    # (the registry's error="insufficient_scope" is no parameter of the token request)
    assert tokens.refused == 0 and {"pull", "push"} in _actions(tokens)
    for query in tokens.asked:
        assert query.keys() == {"service", "scope"} and query["service"] == [SERVICE]


def test_a_token_is_fetched_once_per_scope_and_run(
    token_registry: tuple[str, TokenServer],
    tokens: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = token_registry[0]
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:{LOGIN[1]}")
    run = ResultCache(tmp_path / "machine-1", url, trust())
    inputs, _ = _stored(tmp_path, run, _prepared(tmp_path))
    # the push's first request (does the registry have this blob?) is challenged for pull, its
    # upload for push: two tokens, then every blob and the manifest go with the second
    assert _actions(tokens) == [{"pull"}, {"pull", "push"}]
    other = tmp_path / "other"
    _stored(other, run, _prepared(other, SPEC.replace("Version: 1", "Version: 2")))
    assert run.shared is not None
    assert run.shared.pull(inputs.key(), LocalStore(tmp_path / "elsewhere"), trust()) is not None
    assert len(tokens.asked) == 2  # another push and a pull in the same run: no new token
    again = ResultCache(tmp_path / "machine-2", url, trust())  # the next run asks for its own
    assert again.restore(inputs, tmp_path / "out", _log(tmp_path)) is not None
    assert _actions(tokens)[2:] == [{"pull"}]


def test_parallel_builds_share_one_token(
    token_registry: tuple[str, TokenServer],
    tokens: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = token_registry[0]
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:{LOGIN[1]}")
    inputs, _ = _stored(
        tmp_path, ResultCache(tmp_path / "pusher", url, trust()), _prepared(tmp_path)
    )
    tokens.asked.clear()
    store = OciStore(url)  # one run's store, as `build --jobs 4` shares it
    start = threading.Barrier(4)

    def pull(n: int) -> bool:
        start.wait()  # all four meet the registry's challenge at once
        return store.pull(inputs.key(), LocalStore(tmp_path / f"job-{n}"), trust()) is not None

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(pull, range(4))) == [True] * 4
    assert len(tokens.asked) == 1


def test_a_refused_token_is_replaced(
    token_registry: tuple[str, TokenServer],
    tokens: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = token_registry[0]
    monkeypatch.setenv(AUTH_ENV, f"{LOGIN[0]}:{LOGIN[1]}")
    inputs, _ = _stored(
        tmp_path, ResultCache(tmp_path / "pusher", url, trust()), _prepared(tmp_path)
    )
    tokens.asked.clear()
    store = OciStore(url)
    tokens.lifetime = -120  # expired (past the registry's leeway), as after a long build
    with pytest.raises(SourceError, match="HTTP 401"):
        store.pull(inputs.key(), LocalStore(tmp_path / "a"), trust())
    tokens.lifetime = 300
    # the kept token is refused: the store asks for a new one rather than sending it again
    assert store.pull(inputs.key(), LocalStore(tmp_path / "b"), trust()) is not None
    assert len(tokens.asked) == 2


@pytest.mark.parametrize(
    ("login", "html", "says"),
    [
        (f"{LOGIN[0]}:wrong", False, "cannot get a token from {realm}: HTTP 401"),
        ("", False, "cannot get a token from {realm}: HTTP 401"),
        (f"{LOGIN[0]}:{LOGIN[1]}", True, "{realm} gave no token"),
    ],
    ids=["wrong-password", "no-login", "web-page"],
)
def test_no_token_is_one_warning_and_a_miss(
    token_registry: tuple[str, TokenServer],
    tokens: TokenServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    login: str,
    html: bool,
    says: str,
) -> None:
    url = token_registry[0]
    monkeypatch.setenv(AUTH_ENV, login)
    tokens.html = html
    cache = ResultCache(tmp_path / "c", url, trust())
    inputs, _ = _stored(tmp_path, cache, _prepared(tmp_path))  # the push fails: a warning
    assert cache._shared_down
    assert cache.local.get(inputs.key()) is not None  # the local store has it all the same
    other = ResultCache(tmp_path / "d", url, trust())
    assert other.restore(inputs, tmp_path / "out", _log(tmp_path)) is None
    assert other._shared_down
    other.restore(inputs, tmp_path / "out", _log(tmp_path))  # down: not asked again
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 2, warnings  # one per run
    for line in warnings:
        assert url in line and says.format(realm=tokens.url) in line
    assert tokens.refused + len(tokens.asked) == 2
