"""Shared fixtures: raw HTTP with visible chunk framing, a webhook receiver, simulator processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassette_support import recorded_gateway  # noqa: F401  (the cassette fixture)


@dataclass
class RawResponse:
    """A response read off the socket: header names as sent, and each HTTP chunk separately."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    chunks: list[bytes] | None  # None when the body was not chunked

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self) -> list[str]:
        return [key for key, _ in self.headers]


def _read_until_closed(sock: socket.socket) -> bytes:
    data = bytearray()
    while True:
        piece = sock.recv(65536)
        if not piece:
            return bytes(data)
        data += piece


def _decode_chunked(payload: bytes) -> list[bytes]:
    chunks: list[bytes] = []
    offset = 0
    while True:
        line_end = payload.index(b"\r\n", offset)
        size = int(payload[offset:line_end].split(b";")[0], 16)
        offset = line_end + 2
        if size == 0:
            return chunks
        chunks.append(payload[offset : offset + size])
        offset += size + 2


def raw_request(
    base_url: str,
    method: str,
    target: str,
    *,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    timeout: float = 30.0,
) -> RawResponse:
    """One HTTP/1.1 request on a fresh connection (`Connection: close`), read to the end."""
    url = httpx.URL(base_url)
    host, port = url.host, url.port
    assert port is not None
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{key}: {value}" for key, value in headers or []]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        data = _read_until_closed(sock)
    head, _, payload = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = [tuple(line.split(": ", 1)) for line in header_lines]
    response_headers = [(key, value) for key, value in parsed]  # type: ignore[misc]
    chunked = any(
        key.lower() == "transfer-encoding" and value.lower() == "chunked"
        for key, value in response_headers
    )
    chunks = _decode_chunked(payload) if chunked else None
    return RawResponse(
        status=int(status_line.split(" ")[1]),
        headers=response_headers,
        body=b"".join(chunks) if chunks is not None else payload,
        chunks=chunks,
    )


@pytest.fixture
def raw_http() -> Callable[..., RawResponse]:
    """`raw_http(base_url, method, target, headers=[...], body=b"")` -> RawResponse."""
    return raw_request


@dataclass
class ReceivedWebhook:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny HTTP server recording every request; answers `status` (200), with `location`."""

    url: str
    received: list[ReceivedWebhook] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    status: int = 200
    location: str | None = None

    def wait_for(self, count: int, timeout: float) -> list[ReceivedWebhook]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver: WebhookReceiver | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            assert receiver is not None
            record = ReceivedWebhook(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            self.send_response(receiver.status)
            if receiver.location is not None:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with receiver.arrived:
                receiver.received.append(record)
                receiver.arrived.notify_all()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Poll GET /health until 200 (the documented readiness check, section 1.4)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"agentfm-sim exited early with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("agentfm-sim did not become ready")


@dataclass
class SimProcess:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    workdir: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> tuple[int, str, str]:
        """Send `sig`, wait, and return (exit status, stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        stdout, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stdout.decode(), stderr.decode()


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[Callable[..., SimProcess]]:
    """Start `python -m agentfm.testing.cli` processes; every one is killed at teardown.

    `sim_process(*flags, env={...}, wait=True)`: `-mode api -apiport <free port>` are added
    unless given; with `wait` it returns once /health answers.
    """
    started: list[subprocess.Popen[bytes]] = []

    def start(
        *flags: str, env: dict[str, str] | None = None, wait: bool = True, cwd: Path | None = None
    ) -> SimProcess:
        arguments = list(flags)
        if not any(flag.lstrip("-").startswith("mode") for flag in arguments):
            arguments = ["-mode", "api", *arguments]
        port = free_port()
        if not any(flag.lstrip("-").startswith("apiport") for flag in arguments):
            arguments += ["-apiport", str(port)]
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("AGENTFM_")
        }
        environment.update(env or {})
        workdir = cwd or tmp_path
        process = subprocess.Popen(
            [sys.executable, "-m", "agentfm.testing.cli", *arguments],
            cwd=workdir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        handle = SimProcess(process, f"http://127.0.0.1:{port}", port, workdir)
        if wait:
            wait_for_health(handle.url, process)
        return handle

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=20)
