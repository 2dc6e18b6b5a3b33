"""A loopback HTTP server that answers as a hostile gateway would: slowly, hugely, nested, bombed.

Each connection reads one request (headers and body, bounded) and hands the socket to the
scenario under test, which writes whatever it likes. Every loop a scenario runs is bounded, the
port is chosen by the OS, and `close()` stops the server and its connection threads.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

MAX_REQUEST_BYTES = 2 << 20


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Scenario = Callable[[socket.socket, ReceivedRequest], None]


def _read_request(connection: socket.socket) -> ReceivedRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = connection.recv(65536)
        if not piece or len(data) > MAX_REQUEST_BYTES:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < min(length, MAX_REQUEST_BYTES):
        piece = connection.recv(65536)
        if not piece:
            break
        body += piece
    method, path, _ = request_line.split(" ", 2)
    return ReceivedRequest(method, path, headers, body)


@dataclass
class HostileGateway:
    """Serves `scenario` on 127.0.0.1 until closed; `requests` lists what it was sent."""

    scenario: Scenario
    requests: list[ReceivedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        gateway = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                request = _read_request(self.request)
                if request is None:
                    return
                gateway.requests.append(request)
                # The client hangs up, as it should, once its bounds are reached.
                with contextlib.suppress(OSError):
                    gateway.scenario(self.request, request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# --- building blocks for scenarios -------------------------------------------------------------


def head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def drip(connection: socket.socket, data: bytes, *, interval: float, for_at_most: float) -> None:
    """Send `data` one byte every `interval` seconds, giving up after `for_at_most` seconds."""
    give_up = time.monotonic() + for_at_most
    for index in range(len(data)):
        if time.monotonic() > give_up:
            return
        connection.sendall(data[index : index + 1])
        time.sleep(interval)


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def gzip_stream(pieces: Iterator[bytes]) -> bytes:
    """The gzip encoding of the concatenated `pieces`, compressed a piece at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(piece) for piece in pieces]
    out.append(compressor.flush())
    return b"".join(out)


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    for _ in range(total // len(piece)):
        yield piece
