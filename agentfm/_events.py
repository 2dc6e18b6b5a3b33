"""`client.events`: the gateway's live mesh events (`/v1/events`), typed, reconnecting on drops.

The stream never ends by itself (docs/reference/gateway-protocol.md §5.8): `:ready` first, a
`:heartbeat` comment every 15 s, and `worker_online` / `worker_offline` events. The SDK yields the
events as `WorkerOnlineEvent` / `WorkerOfflineEvent`, skips comments, and reconnects with backoff
and jitter when the connection drops, the gateway goes silent for longer than the read timeout, or
the gateway answers a transient 5xx; a refusal that retrying cannot fix (401, 404, other 4xx) is
raised. The gateway replays nothing, so events sent while disconnected are lost; `workers.watch()`
re-lists the worker table after every (re)connection for that reason.

The session logic is written once per flavour (`event_session`, `async_event_session`) and is
shared by `Events.stream` and `Workers.watch`; decoding and the reconnect decisions are I/O-free.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncGenerator, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from agentfm_gateway.api.events import stream_events
from agentfm_gateway.payloads import WorkerOfflineEvent as GatewayWorkerOfflineEvent
from agentfm_gateway.payloads import WorkerOnlineEvent as GatewayWorkerOnlineEvent

from agentfm._json import parse_json
from agentfm._options import EVENT_STREAM_READ_TIMEOUT
from agentfm._retry import RetryPolicy
from agentfm._sse import EVENTS_MAX_LINE_BYTES, ServerSentEvent, SSEDecoder
from agentfm.exceptions import (
    AgentFMError,
    GatewayConnectionError,
    GatewayInternalError,
    InvalidRequestError,
)
from agentfm.models import MeshEvent, WorkerOfflineEvent, WorkerOnlineEvent

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = [
    "CONNECTED",
    "RECONNECT_BACKOFF",
    "AsyncEventStream",
    "AsyncEvents",
    "Connected",
    "EventStream",
    "Events",
    "ReconnectSchedule",
    "async_event_session",
    "checked_read_timeout",
    "event_from_sse",
    "event_session",
    "reconnectable",
]

logger = logging.getLogger("agentfm.events")

ItemT = TypeVar("ItemT")

# The waits between reconnection attempts: exponential from 0.5 s up to 30 s, full jitter (the
# SDK's one backoff rule, agentfm/_retry.py). Reset once a connection delivers bytes again.
RECONNECT_BACKOFF = RetryPolicy(base_delay=0.5, max_delay=30.0)


class Connected:
    """Yielded by a session each time it (re)connects: events before this point may be lost."""

    def __repr__(self) -> str:
        return "CONNECTED"


CONNECTED = Connected()


def event_from_sse(sse: ServerSentEvent) -> MeshEvent | None:
    """The typed event an SSE frame carries, or None for comments and events the SDK skips.

    Unknown event names (e.g. `entry_appended`, listed upstream but never sent) and payloads that
    do not have the documented keys and types (or are not JSON, or nest absurdly deep) are skipped
    with a log line, not raised: one odd frame should not end a stream meant to run for days.
    """
    if sse.comment is not None:
        return None
    try:
        if sse.event == WorkerOnlineEvent.name:
            online = GatewayWorkerOnlineEvent.from_dict(parse_json(sse.data))
            return WorkerOnlineEvent(
                peer_id=online.peer_id,
                agent_name=online.agent_name,
                honesty_score=float(online.honesty_score),
            )
        if sse.event == WorkerOfflineEvent.name:
            offline = GatewayWorkerOfflineEvent.from_dict(parse_json(sse.data))
            return WorkerOfflineEvent(peer_id=offline.peer_id)
    except ValueError as error:
        logger.warning("skipping a malformed %s event: %s", sse.event, error)
        return None
    logger.debug("skipping an event of unknown type %r", sse.event)
    return None


def reconnectable(error: AgentFMError) -> bool:
    """A dropped or timed-out connection, or a 5xx, may heal; a 4xx (auth, 404) will not."""
    return isinstance(error, (GatewayConnectionError, GatewayInternalError))


def checked_read_timeout(read_timeout: float) -> float:
    if (
        isinstance(read_timeout, bool)
        or not isinstance(read_timeout, (int, float))
        or not math.isfinite(read_timeout)
        or read_timeout <= 0
    ):
        raise InvalidRequestError(
            f"read_timeout must be a positive number of seconds, not {read_timeout!r}",
            code="invalid_argument",
        )
    return float(read_timeout)


def stream_ended() -> GatewayConnectionError:
    # /v1/events ends only when the gateway goes away (docs/reference/gateway-protocol.md §5.8): a
    # clean end is a dropped stream.
    return GatewayConnectionError("the gateway closed the event stream", code="connection_lost")


class ReconnectSchedule:
    """How long to wait before the next attempt, growing until a connection works again."""

    def __init__(self) -> None:
        self.failures = 0

    def connection_worked(self) -> None:
        self.failures = 0

    def next_wait(self, failure: AgentFMError) -> float:
        delay = RECONNECT_BACKOFF.backoff(self.failures)
        self.failures += 1
        logger.info(
            "event stream interrupted (%s); reconnecting in %.2fs (attempt %d)",
            failure.code or type(failure).__name__,
            delay,
            self.failures,
        )
        return delay


def event_session(
    client: AgentFMClient, *, reconnect: bool, read_timeout: float
) -> Generator[MeshEvent | Connected, None, None]:
    """`CONNECTED` after every successful (re)connection, then the events as they arrive."""
    schedule = ReconnectSchedule()
    while True:
        try:
            with client._stream(stream_events.sync_stream, read_timeout) as response:
                yield CONNECTED
                decoder = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES)
                for data in response.iter_bytes():
                    schedule.connection_worked()
                    for sse in decoder.feed(data):
                        event = event_from_sse(sse)
                        if event is not None:
                            yield event
            failure: AgentFMError = stream_ended()
        except AgentFMError as error:
            failure = error
        if not reconnect or not reconnectable(failure):
            raise failure
        client._sleep(schedule.next_wait(failure))


async def async_event_session(
    client: AsyncAgentFMClient, *, reconnect: bool, read_timeout: float
) -> AsyncGenerator[MeshEvent | Connected, None]:
    """`CONNECTED` after every successful (re)connection, then the events as they arrive."""
    schedule = ReconnectSchedule()
    while True:
        try:
            async with client._stream(stream_events.asyncio_stream, read_timeout) as response:
                yield CONNECTED
                decoder = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES)
                async for data in response.aiter_bytes():
                    schedule.connection_worked()
                    for sse in decoder.feed(data):
                        event = event_from_sse(sse)
                        if event is not None:
                            yield event
            failure: AgentFMError = stream_ended()
        except AgentFMError as error:
            failure = error
        if not reconnect or not reconnectable(failure):
            raise failure
        await client._sleep(schedule.next_wait(failure))


def _events_only(
    session: Generator[MeshEvent | Connected, None, None],
) -> Generator[MeshEvent, None, None]:
    try:
        for item in session:
            if not isinstance(item, Connected):
                yield item
    finally:
        session.close()


async def _async_events_only(
    session: AsyncGenerator[MeshEvent | Connected, None],
) -> AsyncGenerator[MeshEvent, None]:
    try:
        async for item in session:
            if not isinstance(item, Connected):
                yield item
    finally:
        await session.aclose()


class EventStream(Generic[ItemT]):
    """A live stream that owns its connection: iterate it; `close()` (or leave `with`) ends it.

    Nothing is sent before iteration starts. Closing releases the connection at once.
    """

    def __init__(self, items: Generator[ItemT, None, None]) -> None:
        self._items = items

    def __iter__(self) -> EventStream[ItemT]:
        return self

    def __next__(self) -> ItemT:
        return next(self._items)

    def close(self) -> None:
        """Stop and disconnect (safe to call more than once)."""
        self._items.close()

    def __enter__(self) -> EventStream[ItemT]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncEventStream(Generic[ItemT]):
    """The async twin of `EventStream`: `async for`, `await aclose()`, `async with`."""

    def __init__(self, items: AsyncGenerator[ItemT, None]) -> None:
        self._items = items

    def __aiter__(self) -> AsyncEventStream[ItemT]:
        return self

    async def __anext__(self) -> ItemT:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        """Stop and disconnect (safe to call more than once)."""
        await self._items.aclose()

    async def __aenter__(self) -> AsyncEventStream[ItemT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class Events:
    """`client.events` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    def stream(
        self, *, reconnect: bool = True, read_timeout: float = EVENT_STREAM_READ_TIMEOUT
    ) -> EventStream[MeshEvent]:
        """Live `WorkerOnlineEvent` / `WorkerOfflineEvent`s from the gateway, until closed.

        A dropped connection, or `read_timeout` seconds without even a heartbeat, reconnects
        with backoff instead of raising (`reconnect=False` raises `GatewayConnectionError`);
        events sent meanwhile are lost. Auth failures and other 4xx answers are raised.

        Memory is bounded: a line or event over 1 MiB (real ones are a few hundred bytes) raises
        `GatewayProtocolError` (code `line_too_long`).

            with client.events.stream() as events:
                for event in events:
                    print(event)
        """
        timeout = checked_read_timeout(read_timeout)
        session = event_session(self._client, reconnect=reconnect, read_timeout=timeout)
        return EventStream(_events_only(session))


class AsyncEvents:
    """`client.events` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    def stream(
        self, *, reconnect: bool = True, read_timeout: float = EVENT_STREAM_READ_TIMEOUT
    ) -> AsyncEventStream[MeshEvent]:
        """Live mesh events (`async for`; see `Events.stream`).

        async with client.events.stream() as events:
            async for event in events:
                print(event)
        """
        timeout = checked_read_timeout(read_timeout)
        session = async_event_session(self._client, reconnect=reconnect, read_timeout=timeout)
        return AsyncEventStream(_async_events_only(session))
