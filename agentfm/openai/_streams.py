"""Streamed OpenAI-route answers: `Stream` and `AsyncStream` yield typed chunks as they arrive.

The gateway answers `stream: true` with Server-Sent Events
(docs/reference/gateway-protocol.md §5.10, §5.11): one `data: <json chunk>` frame per output line,
then `data: [DONE]`. How a stream ended is judged by `ChunkDecoder`, shared by both stream classes,
which only read and close:

* `[DONE]` is a normal end;
* a worker failure is reported in-band as a last chunk whose content is
  `\\n[stream error: <err>]\\n` (finish_reason `stop`): it is not content, so it is not yielded,
  and `WorkerStreamError` is raised after the chunks before it;
* a body that ends without `[DONE]` was cut short: `GatewayConnectionError` (`stream_truncated`).

Both errors carry `partial_text`, the text received before the end (its first 16 MiB).

Bounds: decoding is linear in the bytes received; a frame larger than the gateway can send
(`OPENAI_STREAM_MAX_LINE_BYTES`, about 54 MiB) raises `GatewayProtocolError` (`line_too_long`);
the text kept for `.text` stops growing at `STREAM_KEPT_TEXT_BYTES` (16 MiB, the gateway's own cap
on a non-streamed answer, docs/reference/gateway-protocol.md §5.10), so an endless stream does not
grow memory.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from agentfm._bounded_text import BoundedText
from agentfm._errors import task_stream_error
from agentfm._json import parse_gateway_json
from agentfm._sse import OPENAI_STREAM_MAX_LINE_BYTES, ServerSentEvent, SSEDecoder
from agentfm.exceptions import (
    AgentFMError,
    GatewayConnectionError,
    GatewayProtocolError,
    WorkerStreamError,
)

__all__ = ["AsyncStream", "ChunkDecoder", "Stream", "check_event_stream"]

ChunkT = TypeVar("ChunkT")

_DONE = "[DONE]"
STREAM_KEPT_TEXT_BYTES = 16 * 1024 * 1024
# 5.10 step 4 / 5.11: the gateway's in-band report of a failed worker stream.
_STREAM_ERROR = re.compile(r"\A\n\[stream error: (?P<reason>.*)\]\n\Z", re.DOTALL)


def check_event_stream(response: httpx.Response) -> None:
    """Refuse a 200 answer to `stream: true` that is not an event stream (e.g. a JSON body)."""
    content_type = response.headers.get("content-type", "")
    if not content_type.lower().startswith("text/event-stream"):
        raise GatewayProtocolError(
            f"the gateway answered a streamed request with {content_type or 'no content type'}, "
            "not text/event-stream",
            code="unexpected_body",
            status=response.status_code,
        )


class ChunkDecoder(Generic[ChunkT]):
    """Bytes of an OpenAI-route event stream in, typed chunks out; judges how the stream ended.

    `parse` builds a chunk from a `data:` JSON value (refusing a wrong shape); `piece` returns
    its first choice's (text, finish_reason). No I/O.
    """

    def __init__(
        self,
        parse: Callable[[Any], ChunkT],
        piece: Callable[[ChunkT], tuple[str, str | None]],
    ) -> None:
        self._events = SSEDecoder(max_line_bytes=OPENAI_STREAM_MAX_LINE_BYTES)
        self._parse = parse
        self._piece = piece
        self._text = BoundedText(STREAM_KEPT_TEXT_BYTES)
        self._done = False
        self._stream_error: str | None = None

    @property
    def text(self) -> str:
        """The text of the chunks yielded so far (the first 16 MiB of it)."""
        return self._text.text

    @property
    def ended(self) -> bool:
        """True once `[DONE]` or the in-band error arrived; later bytes are ignored."""
        return self._done or self._stream_error is not None

    def feed(self, data: bytes) -> list[ChunkT]:
        """The chunks completed by these bytes (which may end anywhere, even mid-character)."""
        return self._chunks_of(self._events.feed(data))

    def finish(self) -> list[ChunkT]:
        """The body ended: the chunks still pending (none, unless the last frame was complete)."""
        return self._chunks_of(self._events.finish())

    def failure(self) -> AgentFMError | None:
        """After `finish()`: the error this ending means, or None for a normal `[DONE]` end."""
        if self._stream_error is not None:
            return WorkerStreamError(
                f"the worker's stream failed mid-answer: {self._stream_error}",
                code="worker_stream_failed",
                status=200,
                partial_text=self.text,
            )
        if not self._done:
            return GatewayConnectionError(
                f"the answer ended without data: [DONE] after {self._text.received_bytes} bytes: "
                "the connection to the gateway was cut short",
                code="stream_truncated",
                partial_text=self.text,
            )
        return None

    def _chunks_of(self, events: list[ServerSentEvent]) -> list[ChunkT]:
        chunks: list[ChunkT] = []
        for event in events:
            # Comments and named events are not part of the OpenAI stream format; skip them.
            if self.ended or event.comment is not None or event.event != "message":
                continue
            if event.data == _DONE:
                self._done = True
                continue
            chunk = self._parse(parse_gateway_json(event.data, status=200))
            text, finish_reason = self._piece(chunk)
            stream_error = _STREAM_ERROR.match(text) if finish_reason == "stop" else None
            if stream_error is not None:
                self._stream_error = stream_error.group("reason")
                continue
            self._text.append(text)
            chunks.append(chunk)
        return chunks


class Stream(Generic[ChunkT]):
    """The chunks of a streamed completion, yielded as they arrive.

    The request has already been sent (its HTTP errors were raised by `create`). Iterate it
    once; leaving early and calling `close()` (or using it as a context manager) closes the
    connection at once, and the gateway then stops the worker's task (5.10 step 5).
    `response` is the open `httpx.Response`; `text` is what has arrived so far (its first 16 MiB:
    the stream itself holds only the chunk at hand).
    """

    def __init__(
        self,
        response: httpx.Response,
        closer: contextlib.ExitStack,
        decoder: ChunkDecoder[ChunkT],
    ) -> None:
        self.response = response
        self._closer = closer
        self._decoder = decoder
        self._iterator = self._iterate()

    @property
    def text(self) -> str:
        return self._decoder.text

    def __iter__(self) -> Iterator[ChunkT]:
        return self

    def __next__(self) -> ChunkT:
        return next(self._iterator)

    def _iterate(self) -> Generator[ChunkT, None, None]:
        decoder = self._decoder
        try:
            # The closer ends the response and maps a transport failure to an AgentFMError.
            with self._closer:
                for data in self.response.iter_bytes():
                    yield from decoder.feed(data)
                yield from decoder.finish()
        except GatewayConnectionError as error:
            # Also a WorkerStreamError (as in 0.3.0) unless the gateway was never reached.
            raise task_stream_error(error, decoder.text) from None
        failure = decoder.failure()
        if failure is not None:
            raise failure

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._iterator.close()
        self._closer.close()

    def __enter__(self) -> Stream[ChunkT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(Generic[ChunkT]):
    """The async twin of `Stream`: iterate with `async for`; `aclose()` or `async with` (or
    `contextlib.aclosing`) closes the connection at once."""

    def __init__(
        self,
        response: httpx.Response,
        closer: contextlib.AsyncExitStack,
        decoder: ChunkDecoder[ChunkT],
    ) -> None:
        self.response = response
        self._closer = closer
        self._decoder = decoder
        self._iterator = self._iterate()

    @property
    def text(self) -> str:
        return self._decoder.text

    def __aiter__(self) -> AsyncIterator[ChunkT]:
        return self

    async def __anext__(self) -> ChunkT:
        return await self._iterator.__anext__()

    async def _iterate(self) -> AsyncGenerator[ChunkT, None]:
        decoder = self._decoder
        try:
            async with self._closer:
                async for data in self.response.aiter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
                for chunk in decoder.finish():
                    yield chunk
        except GatewayConnectionError as error:
            # Also a WorkerStreamError (as in 0.3.0) unless the gateway was never reached.
            raise task_stream_error(error, decoder.text) from None
        failure = decoder.failure()
        if failure is not None:
            raise failure

    async def aclose(self) -> None:
        """Close the connection (idempotent)."""
        await self._iterator.aclose()
        await self._closer.aclose()

    async def __aenter__(self) -> AsyncStream[ChunkT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
