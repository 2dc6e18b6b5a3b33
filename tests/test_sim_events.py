"""GET /v1/events: the SSE stream of worker_online / worker_offline events and heartbeats."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from agentfm.testing import MeshSimulator
from agentfm.testing._events import SUBSCRIBER_BUFFER, EventBroker


class EventReader:
    """Reads SSE blocks (`...\\n\\n`) from a streaming response, with a read timeout."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._raw = response.iter_raw()
        self._buffer = b""

    def next_block(self) -> bytes:
        while b"\n\n" not in self._buffer:
            self._buffer += next(self._raw)
        block, _, self._buffer = self._buffer.partition(b"\n\n")
        return block + b"\n\n"

    def rest(self) -> bytes:
        return self._buffer + b"".join(self._raw)

    def next_event(self) -> tuple[str, dict[str, object]]:
        while True:
            block = self.next_block()
            if block.startswith(b":"):
                continue  # comments: :ready, :heartbeat
            name_line, data_line = block.decode().strip("\n").split("\n")
            assert name_line.startswith("event: ")
            assert data_line.startswith("data: ")
            return name_line[len("event: ") :], json.loads(data_line[len("data: ") :])


@pytest.fixture
def events(agentfm_mesh: MeshSimulator) -> Iterator[EventReader]:
    with httpx.stream("GET", agentfm_mesh.url + "/v1/events", timeout=10) as response:
        yield EventReader(response)


def test_stream_headers_and_ready_comment(agentfm_mesh: MeshSimulator, events: EventReader) -> None:
    headers = events.response.headers
    assert events.response.status_code == 200
    assert headers["content-type"] == "text/event-stream"
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert headers["access-control-allow-origin"] == "*"
    assert events.next_block() == b":ready\n\n"
    wrong = httpx.post(agentfm_mesh.url + "/v1/events")
    assert (wrong.status_code, wrong.text) == (405, "Method not allowed\n")


@pytest.mark.agentfm_mesh(heartbeat_seconds=0.2)
def test_heartbeats(events: EventReader) -> None:
    assert events.next_block() == b":ready\n\n"
    assert events.next_block() == b":heartbeat\n\n"
    assert events.next_block() == b":heartbeat\n\n"


def test_online_and_offline_events(agentfm_mesh: MeshSimulator, events: EventReader) -> None:
    assert events.next_block() == b":ready\n\n"
    added = agentfm_mesh.add_worker(name="late", engine="llama3.2", honesty_score=0.25)
    block = events.next_block()
    assert block == (
        b'event: worker_online\ndata: {"agent_name":"late","honesty_score":0.25,"peer_id":"'
        + added.peer_id.encode()
        + b'"}\n\n'
    )
    agentfm_mesh.take_offline(added)
    assert events.next_event() == ("worker_offline", {"peer_id": added.peer_id})
    agentfm_mesh.bring_online("late")
    assert events.next_event() == (
        "worker_online",
        {"agent_name": "late", "honesty_score": 0.25, "peer_id": added.peer_id},
    )
    agentfm_mesh.remove_worker(added)
    assert events.next_event() == ("worker_offline", {"peer_id": added.peer_id})
    assert added.peer_id not in [worker.peer_id for worker in agentfm_mesh.workers]


def test_every_subscriber_gets_every_event(agentfm_mesh: MeshSimulator) -> None:
    with httpx.Client(timeout=10) as client:
        streams = [client.stream("GET", agentfm_mesh.url + "/v1/events") for _ in range(5)]
        responses = [stream.__enter__() for stream in streams]
        try:
            readers = [EventReader(response) for response in responses]
            for reader in readers:
                assert reader.next_block() == b":ready\n\n"
            agentfm_mesh.take_offline(agentfm_mesh.workers[0])
            for reader in readers:
                assert reader.next_event() == (
                    "worker_offline",
                    {"peer_id": agentfm_mesh.workers[0].peer_id},
                )
        finally:
            for stream in streams:
                stream.__exit__(None, None, None)
    # Disconnected subscribers are dropped (the server notices asynchronously).
    deadline = time.monotonic() + 5
    while agentfm_mesh.boss.events.subscriber_count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert agentfm_mesh.boss.events.subscriber_count == 0


def test_stop_ends_open_streams(agentfm_mesh: MeshSimulator, events: EventReader) -> None:
    assert events.next_block() == b":ready\n\n"
    agentfm_mesh.stop()
    # The chunked body is terminated properly (httpx would raise on a cut connection).
    assert events.rest() == b""


async def test_a_slow_subscriber_loses_events_beyond_its_buffer() -> None:
    broker = EventBroker()
    broker.bind_loop(asyncio.get_running_loop())
    slow = broker.subscribe()
    for number in range(SUBSCRIBER_BUFFER + 5):
        broker.publish("worker_offline", {"peer_id": str(number)})
    assert SUBSCRIBER_BUFFER == 16
    assert slow.qsize() == 16
    first = await slow.get()
    assert first is not None
    assert b'"peer_id":"0"' in first
    broker.close()
    drained = [slow.get_nowait() for _ in range(slow.qsize())]
    assert drained[-1] is None  # the end marker gets through a full buffer
