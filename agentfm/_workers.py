"""`client.workers`: discover the workers of the mesh, filter them, wait for them, watch them."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

import attrs
from agentfm_gateway.api.workers import list_workers

from agentfm._events import (
    AsyncEventStream,
    Connected,
    EventStream,
    async_event_session,
    checked_read_timeout,
    event_session,
)
from agentfm._options import EVENT_STREAM_READ_TIMEOUT
from agentfm.exceptions import InvalidRequestError, WorkerNotFoundError
from agentfm.models import (
    MeshEvent,
    PeerID,
    WorkerOfflineEvent,
    WorkerProfile,
    WorkersResponse,
    WorkerTable,
)

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = ["AsyncWorkers", "WorkerQuery", "WorkerTableTracker", "Workers"]


def _folded(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


@attrs.frozen(kw_only=True)
class WorkerQuery:
    """Which workers a `list` call wants, and how many it is willing to wait for."""

    model: str | None = attrs.field(default=None, converter=_folded)
    agent_name: str | None = attrs.field(default=None, converter=_folded)
    author: str | None = attrs.field(default=None, converter=_folded)
    available_only: bool = False
    wait_for_workers: int = 0
    poll_timeout: float = 15.0
    poll_interval: float = 1.0

    def __attrs_post_init__(self) -> None:
        if self.wait_for_workers < 0 or self.poll_timeout < 0 or self.poll_interval <= 0:
            raise InvalidRequestError(
                "wait_for_workers and poll_timeout must be >= 0 and poll_interval > 0",
                code="invalid_argument",
            )

    def matches(self, worker: WorkerProfile) -> bool:
        """Filters are case-insensitive; `model` is the engine read from `hardware`."""
        return (
            (self.model is None or worker.model.casefold() == self.model)
            and (self.agent_name is None or worker.agent_name.casefold() == self.agent_name)
            and (self.author is None or worker.author.casefold() == self.author)
            and (not self.available_only or worker.is_available)
        )

    def select(self, listing: WorkersResponse) -> list[WorkerProfile]:
        return [profile for profile in listing.agents if self.matches(profile)]

    def satisfied(self, selected: list[WorkerProfile]) -> bool:
        return len(selected) >= self.wait_for_workers

    def next_wait(self, deadline: float) -> float | None:
        """Seconds until the next poll, or None when the deadline has passed."""
        remaining = deadline - time.monotonic()
        return min(self.poll_interval, remaining) if remaining > 0 else None


def _find(listing: WorkersResponse, peer_id: str) -> WorkerProfile:
    for worker in listing.agents:
        if worker.peer_id == peer_id:
            return worker
    raise WorkerNotFoundError(
        f"peer {peer_id} is not in the gateway's live telemetry (unknown or offline)",
        code="worker_not_found",
    )


class WorkerTableTracker:
    """The online workers by peer id, kept current from listings and `/v1/events` (I/O-free).

    The table is listed afresh after every (re)connection, because the gateway does not replay
    events a disconnected subscriber missed (docs/reference/gateway-protocol.md §5.8), and whenever
    a worker comes online, because the event names only its id, agent name and honesty. A worker
    going offline is removed.
    """

    def __init__(self) -> None:
        self._workers: dict[str, WorkerProfile] = {}

    def listed(self, listing: WorkersResponse, cause: MeshEvent | Connected) -> WorkerTable:
        self._workers = {worker.peer_id: worker for worker in listing.agents if worker.online}
        return self._snapshot(None if isinstance(cause, Connected) else cause)

    def went_offline(self, event: WorkerOfflineEvent) -> WorkerTable:
        self._workers.pop(event.peer_id, None)
        return self._snapshot(event)

    def _snapshot(self, event: MeshEvent | None) -> WorkerTable:
        # A copy: what the caller holds never changes under it.
        return WorkerTable(workers=dict(self._workers), event=event)


class Workers:
    """`client.workers` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    def list(
        self,
        *,
        model: str | None = None,
        agent_name: str | None = None,
        author: str | None = None,
        available_only: bool = False,
        wait_for_workers: int = 0,
        poll_timeout: float = 15.0,
        poll_interval: float = 1.0,
    ) -> list[WorkerProfile]:
        """The online workers matching every filter given (case-insensitive).

        With `wait_for_workers=N`, polls until N match or `poll_timeout` seconds pass, then
        returns what matched.
        """
        query = WorkerQuery(
            model=model,
            agent_name=agent_name,
            author=author,
            available_only=available_only,
            wait_for_workers=wait_for_workers,
            poll_timeout=poll_timeout,
            poll_interval=poll_interval,
        )
        deadline = time.monotonic() + query.poll_timeout
        while True:
            selected = query.select(self._client._call(list_workers.sync_detailed, WorkersResponse))
            wait = None if query.satisfied(selected) else query.next_wait(deadline)
            if wait is None:
                return selected
            self._client._sleep(wait)

    def get(self, peer_id: str) -> WorkerProfile:
        """The online worker with this peer id; `WorkerNotFoundError` when it is not online."""
        wanted = PeerID(peer_id)
        return _find(self._client._call(list_workers.sync_detailed, WorkersResponse), wanted)

    def watch(
        self, *, reconnect: bool = True, read_timeout: float = EVENT_STREAM_READ_TIMEOUT
    ) -> EventStream[WorkerTable]:
        """A live view of the online workers: a `WorkerTable` now, and again on every change.

        Follows `/v1/events` (see `client.events.stream` for reconnection), so a worker that
        goes offline leaves the table when the gateway notices (up to ~20 s). The table is listed
        again after every reconnection and when a worker comes online; a failure of that
        listing is raised. Close the stream, or leave its `with` block, to disconnect.

            with client.workers.watch() as tables:
                for table in tables:
                    print(len(table), "workers online")
        """
        timeout = checked_read_timeout(read_timeout)
        session = event_session(self._client, reconnect=reconnect, read_timeout=timeout)
        return EventStream(self._tables(session, WorkerTableTracker()))

    def _tables(
        self,
        session: Generator[MeshEvent | Connected, None, None],
        tracker: WorkerTableTracker,
    ) -> Generator[WorkerTable, None, None]:
        try:
            for item in session:
                if isinstance(item, WorkerOfflineEvent):
                    yield tracker.went_offline(item)
                else:
                    listing = self._client._call(list_workers.sync_detailed, WorkersResponse)
                    yield tracker.listed(listing, item)
        finally:
            session.close()


class AsyncWorkers:
    """`client.workers` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    async def list(
        self,
        *,
        model: str | None = None,
        agent_name: str | None = None,
        author: str | None = None,
        available_only: bool = False,
        wait_for_workers: int = 0,
        poll_timeout: float = 15.0,
        poll_interval: float = 1.0,
    ) -> list[WorkerProfile]:
        """The online workers matching every filter given (see `Workers.list`)."""
        query = WorkerQuery(
            model=model,
            agent_name=agent_name,
            author=author,
            available_only=available_only,
            wait_for_workers=wait_for_workers,
            poll_timeout=poll_timeout,
            poll_interval=poll_interval,
        )
        deadline = time.monotonic() + query.poll_timeout
        while True:
            listing = await self._client._call(list_workers.asyncio_detailed, WorkersResponse)
            selected = query.select(listing)
            wait = None if query.satisfied(selected) else query.next_wait(deadline)
            if wait is None:
                return selected
            await self._client._sleep(wait)

    async def get(self, peer_id: str) -> WorkerProfile:
        """The online worker with this peer id; `WorkerNotFoundError` when it is not online."""
        wanted = PeerID(peer_id)
        return _find(
            await self._client._call(list_workers.asyncio_detailed, WorkersResponse), wanted
        )

    def watch(
        self, *, reconnect: bool = True, read_timeout: float = EVENT_STREAM_READ_TIMEOUT
    ) -> AsyncEventStream[WorkerTable]:
        """A live view of the online workers (`async for`; see `Workers.watch`)."""
        timeout = checked_read_timeout(read_timeout)
        session = async_event_session(self._client, reconnect=reconnect, read_timeout=timeout)
        return AsyncEventStream(self._tables(session, WorkerTableTracker()))

    async def _tables(
        self,
        session: AsyncGenerator[MeshEvent | Connected, None],
        tracker: WorkerTableTracker,
    ) -> AsyncGenerator[WorkerTable, None]:
        try:
            async for item in session:
                if isinstance(item, WorkerOfflineEvent):
                    yield tracker.went_offline(item)
                else:
                    listing = await self._client._call(
                        list_workers.asyncio_detailed, WorkersResponse
                    )
                    yield tracker.listed(listing, item)
        finally:
            await session.aclose()
