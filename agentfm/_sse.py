"""Incremental decoder of `text/event-stream` bodies (the WHATWG Server-Sent Events format).

Used for the gateway's `/v1/events` and the OpenAI routes' `stream: true` answers. Fed raw bytes
as they arrive — a chunk may end anywhere, even inside a UTF-8 sequence or a `\\r\\n` — and
returns complete events. Comment lines (`:ready`, `:heartbeat`) are reported too, so a caller can
treat them as signs of life. No I/O: the sync and async clients share it.

Bounds: each byte is looked at a constant number of times however the body is cut (lines are
split on bytes, which is safe because no UTF-8 sequence contains `\\r` or `\\n`), and the decoder
holds at most one line and one event, each refused beyond `max_line_bytes` with
`GatewayProtocolError` (code `line_too_long`). Each stream's cap comes from what the gateway can
legitimately send on it (`EVENTS_MAX_LINE_BYTES`, `OPENAI_STREAM_MAX_LINE_BYTES`).
"""

from __future__ import annotations

import re

import attrs

from agentfm.exceptions import GatewayProtocolError

__all__ = [
    "EVENTS_MAX_LINE_BYTES",
    "OPENAI_STREAM_MAX_LINE_BYTES",
    "SSEDecoder",
    "ServerSentEvent",
]

_MIB = 1 << 20

EVENTS_MAX_LINE_BYTES = _MIB
"""`/v1/events` (docs/reference/gateway-protocol.md §5.8): an event is a peer id, a score and an
agent name, a few hundred bytes; 1 MiB is thousands of times that and still cheap to hold."""

OPENAI_STREAM_MAX_LINE_BYTES = 6 * (8 * _MIB + 1 * _MIB) + 64 * 1024
"""OpenAI routes (docs/reference/gateway-protocol.md §5.10, §5.11): the gateway refuses a worker
output line over 8 MiB, and a frame also echoes the request's `model` (the request is at most 1
MiB). Go's JSON encoder may write a byte as six (`<` as `\\u003c`, an invalid byte as `\\ufffd`), so
a frame the gateway can legitimately send stays under 6 x 9 MiB plus 64 KiB for the fixed fields:
about 54 MiB."""

_LINE_END = re.compile(rb"\r\n|\r|\n")


@attrs.frozen
class ServerSentEvent:
    """One dispatched event, or (with `comment` set) one comment line."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None
    comment: str | None = None


class SSEDecoder:
    """Turns a byte stream into `ServerSentEvent`s, one complete event at a time.

    Linear time in the bytes fed; memory bounded by `max_line_bytes` for the unfinished line and
    again for the event being assembled (its `data:` lines together).
    """

    def __init__(self, *, max_line_bytes: int) -> None:
        self._max_line_bytes = max_line_bytes
        self._line = bytearray()  # the line still arriving
        # A chunk ended in `\r`: a `\n` opening the next one ends no further line.
        self._skip_newline = False
        self._event = ""
        self._data: list[str] = []
        self._data_bytes = 0
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes; return the events (and comments) they completed."""
        out: list[ServerSentEvent] = []
        if not chunk:
            return out
        start = 0
        if self._skip_newline and chunk[:1] == b"\n":
            start = 1  # the second half of a `\r\n` split across chunks
        self._skip_newline = False
        for line_end in _LINE_END.finditer(chunk, start):
            self._extend_line(chunk, start, line_end.start())
            size = len(self._line)
            line = self._line.decode("utf-8", errors="replace")
            self._line.clear()
            self._take_line(line, size, out)
            start = line_end.end()
            self._skip_newline = line_end.group() == b"\r" and start == len(chunk)
        self._extend_line(chunk, start, len(chunk))
        return out

    def finish(self) -> list[ServerSentEvent]:
        """The stream ended. An unterminated line or event is discarded (per the standard)."""
        self._line.clear()
        self._event, self._data, self._data_bytes = "", [], 0
        return []

    def _extend_line(self, chunk: bytes, start: int, end: int) -> None:
        if len(self._line) + (end - start) > self._max_line_bytes:
            raise _too_long(f"a line of more than {self._max_line_bytes} bytes")
        self._line += chunk[start:end]

    def _take_line(self, line: str, size: int, out: list[ServerSentEvent]) -> None:
        if not line:
            if self._data or self._event:
                out.append(
                    ServerSentEvent(
                        event=self._event or "message",
                        data="\n".join(self._data),
                        id=self._id,
                        retry=self._retry,
                    )
                )
            self._event, self._data, self._data_bytes, self._retry = "", [], 0, None
            return
        if line.startswith(":"):
            out.append(ServerSentEvent(event="", comment=line[1:]))
            return
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event = value
        elif field == "data":
            self._data_bytes += size
            if self._data_bytes > self._max_line_bytes:
                raise _too_long(f"an event of more than {self._max_line_bytes} bytes of data")
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self._id = value
        elif field == "retry" and value.isascii() and value.isdigit() and len(value) <= 10:
            self._retry = int(value)


def _too_long(what: str) -> GatewayProtocolError:
    return GatewayProtocolError(
        f"the gateway's event stream sent {what}, more than it can legitimately send",
        code="line_too_long",
    )
