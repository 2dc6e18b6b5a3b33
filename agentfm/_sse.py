"""Incremental decoder of `text/event-stream` bodies (the WHATWG Server-Sent Events format).

Used for the gateway's `/v1/events` and the OpenAI routes' `stream: true` answers. Fed raw bytes
as they arrive — a chunk may end anywhere, even inside a UTF-8 sequence or a `\\r\\n` — and
returns complete events. Comment lines (`:ready`, `:heartbeat`) are reported too, so a caller can
treat them as signs of life. No I/O: the sync and async clients share it.
"""

from __future__ import annotations

import codecs

import attrs

__all__ = ["SSEDecoder", "ServerSentEvent"]


@attrs.frozen
class ServerSentEvent:
    """One dispatched event, or (with `comment` set) one comment line."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None
    comment: str | None = None


class SSEDecoder:
    """Turns a byte stream into `ServerSentEvent`s, one complete event at a time."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial_line = ""
        self._pending_cr = False
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes; return the events (and comments) they completed."""
        return self._lines(self._text.decode(chunk))

    def finish(self) -> list[ServerSentEvent]:
        """The stream ended. An event without its terminating blank line is discarded (per spec)."""
        return self._lines(self._text.decode(b"", final=True))

    def _lines(self, text: str) -> list[ServerSentEvent]:
        out: list[ServerSentEvent] = []
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]  # the second half of a \r\n split across chunks
        self._pending_cr = False
        buffer = self._partial_line + text
        start = 0
        index = 0
        while index < len(buffer):
            character = buffer[index]
            if character in "\r\n":
                self._line(buffer[start:index], out)
                if character == "\r":
                    if index + 1 < len(buffer):
                        if buffer[index + 1] == "\n":
                            index += 1
                    else:
                        self._pending_cr = True
                start = index + 1
            index += 1
        self._partial_line = buffer[start:]
        return out

    def _line(self, line: str, out: list[ServerSentEvent]) -> None:
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
            self._event, self._data, self._retry = "", [], None
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
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self._id = value
        elif field == "retry" and value.isdigit():
            self._retry = int(value)
