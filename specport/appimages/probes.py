"""Requests a smoke test sends to a service inside the image, and how their answers read.

They run inside the container (no network to the host is needed, the container runs with
none), through bash's /dev/tcp: any image with bash can be asked. A FastCGI request is made
here as bytes (the FastCGI 1.0 record format), sent with printf, and its answer comes back
as hex (od) to be read here; an HTTP/1.0 GET is plain text both ways.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

FCGI_VERSION = 1
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1
WAIT_SECONDS = 60  # for the service to listen
ANSWER_SECONDS = 20

# waits until PORT accepts a connection, then one exchange on it
_CONNECT = (
    'for _ in $(seq 1 {tries}); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break;'
    " sleep 0.5; done\n"
    'exec 3<>"/dev/tcp/127.0.0.1/$PORT" || {{ echo "nothing listens on port $PORT"; exit 111; }}\n'
)
FCGI_SCRIPT = (
    _CONNECT.format(tries=WAIT_SECONDS * 2)
    + f'printf "$REQUEST" >&3\ntimeout {ANSWER_SECONDS} cat <&3 | od -An -v -tx1\n'
)
HTTP_SCRIPT = (
    _CONNECT.format(tries=WAIT_SECONDS * 2)
    + 'printf "GET %s HTTP/1.0\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n" "$URLPATH"'
    + f" >&3\ntimeout {ANSWER_SECONDS} cat <&3\n"
)
# starts the image's own command in the background, as `docker run` would (its user, workdir)
START_SCRIPT = 'nohup "$@" >/tmp/specport-service.log 2>&1 </dev/null &'


def _record(kind: int, content: bytes, request_id: int = 1) -> bytes:
    pad = -len(content) % 8
    header = struct.pack(">BBHHBB", FCGI_VERSION, kind, request_id, len(content), pad, 0)
    return header + content + b"\0" * pad


def _length(n: int) -> bytes:
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def fcgi_request(script: str, params: dict[str, str] | None = None) -> bytes:
    """A GET of script (an absolute path inside the container) as FastCGI records."""
    env = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_METHOD": "GET",
        "SCRIPT_FILENAME": script,
        "SCRIPT_NAME": "/" + script.rsplit("/", 1)[-1],
        "REQUEST_URI": "/" + script.rsplit("/", 1)[-1],
        "DOCUMENT_ROOT": script.rsplit("/", 1)[0] or "/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": "0",
        **(params or {}),
    }
    pairs = b"".join(
        _length(len(k.encode())) + _length(len(v.encode())) + k.encode() + v.encode()
        for k, v in env.items()
    )
    begin = struct.pack(">HB5x", RESPONDER, 0)  # flags 0: the server closes after answering
    return (
        _record(BEGIN_REQUEST, begin)
        + _record(PARAMS, pairs)
        + _record(PARAMS, b"")
        + _record(STDIN, b"")
    )


def printf_escaped(data: bytes) -> str:
    """data as a printf format that prints exactly those bytes."""
    return "".join(f"\\x{b:02x}" for b in data)


@dataclass(frozen=True)
class FcgiAnswer:
    stdout: str
    stderr: str
    ended: bool  # an END_REQUEST record came
    app_status: int

    @property
    def body(self) -> str:
        return self.stdout.split("\r\n\r\n", 1)[-1]


def read_fcgi(od_output: str) -> FcgiAnswer:
    """The records of an answer, given as od's hex dump."""
    data = bytes.fromhex("".join(od_output.split()))
    out, err = bytearray(), bytearray()
    ended, status, pos = False, -1, 0
    while pos + 8 <= len(data):
        _, kind, _, length, pad, _ = struct.unpack(">BBHHBB", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + length]
        pos += 8 + length + pad
        if kind == STDOUT:
            out += content
        elif kind == STDERR:
            err += content
        elif kind == END_REQUEST and len(content) >= 4:
            ended, status = True, struct.unpack(">I", content[:4])[0]
    return FcgiAnswer(out.decode(errors="replace"), err.decode(errors="replace"), ended, status)


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0 when no HTTP answer came
    body: str


def read_http(text: str) -> HttpAnswer:
    head, _, body = text.partition("\r\n\r\n")
    first = head.split("\r\n", 1)[0].split()
    if len(first) < 2 or not first[0].startswith("HTTP/") or not first[1].isdigit():
        return HttpAnswer(0, text)
    return HttpAnswer(int(first[1]), body)
