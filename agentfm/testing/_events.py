"""The `/v1/events` publisher: fan-out of mesh events to SSE subscribers
(docs/reference/gateway-protocol.md §5.8).

Each subscriber has a buffer of 16 events; when it is full the event is dropped for that
subscriber only, so a slow reader never holds up the others. Publishing is safe from any
thread; subscribers live on the server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from agentfm.testing._gowire import go_json

__all__ = ["SUBSCRIBER_BUFFER", "EventBroker", "format_event"]

SUBSCRIBER_BUFFER = 16


def format_event(name: str, payload: Mapping[str, Any]) -> bytes:
    """One SSE event: `event:` line, compact alphabetical JSON `data:` line, blank line."""
    return b"event: " + name.encode() + b"\ndata: " + go_json(payload, sort_keys=True) + b"\n\n"


class EventBroker:
    """Subscribers are asyncio queues on one loop; `close()` ends every stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[asyncio.Queue[bytes | None]] = set()
        self._closed = False

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the subscribers run on (set when the server starts)."""
        with self._lock:
            self._loop = loop
            self._closed = False

    def subscribe(self) -> asyncio.Queue[bytes | None]:
        """A new subscriber queue (call on the server loop). `None` in it means "stream over"."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=SUBSCRIBER_BUFFER)
        with self._lock:
            if self._closed:
                queue.put_nowait(None)
            else:
                self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[bytes | None]) -> None:
        with self._lock:
            self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, name: str, payload: Mapping[str, Any]) -> None:
        """Queue an event for every subscriber; safe to call from any thread."""
        self._deliver(format_event(name, payload))

    def close(self) -> None:
        """End every subscriber's stream (server shutdown)."""
        with self._lock:
            self._closed = True
        self._deliver(None)

    def _deliver(self, item: bytes | None) -> None:
        with self._lock:
            loop = self._loop
            queues = list(self._subscribers)
            if item is None:
                self._subscribers.clear()
        if loop is None or loop.is_closed() or not queues:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._put_all(queues, item)
            return
        # RuntimeError: the loop closed in between, so nobody is listening any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._put_all, queues, item)

    @staticmethod
    def _put_all(queues: list[asyncio.Queue[bytes | None]], item: bytes | None) -> None:
        for queue in queues:
            if item is None:
                # The end marker must get through even to a full buffer.
                while queue.full():
                    queue.get_nowait()
            if not queue.full():
                queue.put_nowait(item)
