"""A minimal ASGI request/reply layer with Go's header spelling and flush-per-write streaming.

Starlette's responses lower-case header names and add defaults; Go writes canonical names
(`Content-Type`, `X-Content-Type-Options`) and only what the handler set. The simulator keeps
that spelling by sending replies itself, and streams each chunk as its own HTTP chunk, flushed
at once, stopping the producer as soon as the client disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from agentfm.testing._godecode import read_capped_body
from agentfm.testing._gowire import envelope_response, json_response, plain_text_response

__all__ = [
    "AbortConnection",
    "Receive",
    "Reply",
    "Request",
    "Scope",
    "Send",
    "StreamReply",
    "canonical_header_key",
    "envelope_reply",
    "from_starlette",
    "json_reply",
    "plain_reply",
    "send_reply",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def canonical_header_key(name: str) -> str:
    """Go's CanonicalMIMEHeaderKey: `x-content-type-options` -> `X-Content-Type-Options`."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


class Request:
    """The parts of an ASGI HTTP request the gateway's handlers look at."""

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.query_string: str = bytes(scope.get("query_string", b"")).decode("latin-1")
        self._headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        client = scope.get("client")
        self.client_ip: str = client[0] if client else ""

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, in order (ASGI keeps repeated headers apart)."""
        wanted = name.lower().encode("latin-1")
        return [value.decode("latin-1") for key, value in self._headers if key.lower() == wanted]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def query(self, name: str) -> str:
        """Go's `r.URL.Query().Get(name)`: the first value, "" when absent."""
        for key, value in parse_qsl(self.query_string, keep_blank_values=True):
            if key == name:
                return value
        return ""

    def has_query(self, name: str) -> bool:
        return any(key == name for key, _ in parse_qsl(self.query_string, keep_blank_values=True))

    async def body(self, limit: int) -> bytes:
        """The body truncated at `limit` bytes, as the gateway's LimitReader reads it."""
        return await read_capped_body(self.receive, limit)


@dataclass
class Reply:
    """A complete response: status, headers in Go spelling, body (Content-Length is added)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def add_headers(self, headers: list[tuple[str, str]]) -> None:
        self.headers.extend(headers)


@dataclass
class StreamReply:
    """A chunked response: each item of `chunks` is written and flushed as it comes."""

    status: int
    headers: list[tuple[str, str]]
    chunks: AsyncIterator[bytes]
    # Called once the reply is over, however it ended (even if `chunks` never started).
    on_close: Callable[[], None] | None = None
    # Go writes the status and headers with the first body byte unless the handler flushes
    # first (`/api/execute`: "200 implicit on first byte", docs/reference/gateway-protocol.md
    # §5.4): nothing is sent while the worker has not answered yet.
    headers_with_first_chunk: bool = False

    def add_headers(self, headers: list[tuple[str, str]]) -> None:
        self.headers.extend(headers)


@dataclass
class AbortConnection:
    """No response at all: the connection is dropped, as Go's server does when a handler
    panics (1.1.0 on a short client task id, docs/reference/gateway-versions.md §9)."""


ABORT_EXTENSION = "agentfm.abort"


def from_starlette(response: Response) -> Reply:
    """A `_gowire` reply (a starlette Response) with Go's header spelling and its exact body."""
    headers = [
        (canonical_header_key(key.decode("latin-1")), value.decode("latin-1"))
        for key, value in response.raw_headers
        if key.lower() != b"content-length"
    ]
    return Reply(response.status_code, headers, bytes(response.body))


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(key.encode("latin-1"), value.encode("latin-1")) for key, value in headers]


async def send_reply(send: Send, receive: Receive, reply: Reply | StreamReply) -> None:
    """Write a reply; a stream stops (and its producer is closed) when the client goes away."""
    # Go always sends Date; uvicorn's own (lower-case) one is switched off by the simulator.
    date = ("Date", formatdate(usegmt=True))
    if isinstance(reply, Reply):
        headers = [*reply.headers, date, ("Content-Length", str(len(reply.body)))]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": _encoded(headers)}
        )
        await send({"type": "http.response.body", "body": reply.body, "more_body": False})
        return
    started = False

    async def start() -> None:
        nonlocal started
        started = True
        headers = [*reply.headers, ("Date", formatdate(usegmt=True))]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": _encoded(headers)}
        )

    if not reply.headers_with_first_chunk:
        await start()

    async def pump() -> None:
        async for chunk in reply.chunks:
            if chunk:
                if not started:
                    await start()
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not started:
            await start()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def wait_for_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    pump_task = asyncio.ensure_future(pump())
    watch_task = asyncio.ensure_future(wait_for_disconnect())
    try:
        await asyncio.wait({pump_task, watch_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (pump_task, watch_task):
            if not task.done():
                task.cancel()
        for task in (pump_task, watch_task):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        aclose = getattr(reply.chunks, "aclose", None)
        try:
            if aclose is not None:
                await aclose()
        finally:
            if reply.on_close is not None:
                reply.on_close()


def plain_reply(
    status: int, message: str, *, headers: list[tuple[str, str]] | None = None
) -> Reply:
    """Go's http.Error (docs/reference/gateway-protocol.md §3.1) as a Reply."""
    reply = from_starlette(plain_text_response(status, message))
    reply.add_headers(headers or [])
    return reply


def envelope_reply(
    status: int, code: str, message: str, *, headers: list[tuple[str, str]] | None = None
) -> Reply:
    """The OpenAI-style error envelope (docs/reference/gateway-protocol.md §3.2) as a Reply."""
    reply = from_starlette(envelope_response(status, code, message))
    reply.add_headers(headers or [])
    return reply


def json_reply(
    value: Any, status: int = 200, *, escape_html: bool = True, sort_keys: bool = False
) -> Reply:
    """A Go json.Encoder body (compact + newline) as a Reply."""
    return from_starlette(
        json_response(value, status, escape_html=escape_html, sort_keys=sort_keys)
    )
