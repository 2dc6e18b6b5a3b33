"""`client.events.stream()` and `workers.watch()`: typed events, reconnection, closing.

Chunk boundaries, drops and refusals are scripted with `httpx.MockTransport`; the live tests fire
real events on the simulator (workers going offline, coming back, being added) and check that the
stream survives a gateway restart and a silent connection, and lets go of its connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import agentfm._events as events_module
from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    AuthenticationError,
    GatewayConnectionError,
    GatewayProtocolError,
    InvalidRequestError,
    WorkerOfflineEvent,
    WorkerOnlineEvent,
    WorkerTable,
)
from agentfm._events import ReconnectSchedule
from agentfm._retry import RetryPolicy
from agentfm.testing import MeshSimulator

PEER_A = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
PEER_B = "12D3KooWBqBDuHzsSHThz6B4Fs2gNjWeRAPghawcyz9WP2Kr6Utg"
ONLINE_A = (
    b'event: worker_online\ndata: {"agent_name":"alpha","honesty_score":0.25,"peer_id":"'
    + PEER_A.encode()
    + b'"}\n\n'
)
OFFLINE_A = b'event: worker_offline\ndata: {"peer_id":"' + PEER_A.encode() + b'"}\n\n'
NOISE = (
    b":heartbeat\n\n"
    b'event: entry_appended\ndata: {"kind":"Rating","subject_peer_id":"00"}\n\n'
    b'event: worker_online\ndata: {"peer_id":"' + PEER_B.encode() + b'"}\n\n'  # keys missing
    b"event: worker_offline\ndata: not json\n\n"
)
BODY = b":ready\n\n" + ONLINE_A + NOISE + b":heartbeat\n\n" + OFFLINE_A
EXPECTED = [
    WorkerOnlineEvent(peer_id=PEER_A, agent_name="alpha", honesty_score=0.25),
    WorkerOfflineEvent(peer_id=PEER_A),
]
SSE_HEADERS = {"content-type": "text/event-stream"}


@pytest.fixture(autouse=True)
def no_reconnect_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect at once: the backoff itself is tested on `ReconnectSchedule`."""
    monkeypatch.setattr(events_module, "RECONNECT_BACKOFF", RetryPolicy(jitter=lambda _: 0.0))


# --- Scripted gateways --------------------------------------------------------------------------


class Script:
    """A gateway answering each request with the next scripted answer; it records requests."""

    def __init__(self, *answers: Callable[[], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)()

    def client(self) -> AgentFMClient:
        transport = httpx.Client(transport=httpx.MockTransport(self))
        return AgentFMClient("http://gateway.test", api_key=None, http_client=transport, retries=0)

    def async_client(self) -> AsyncAgentFMClient:
        transport = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return AsyncAgentFMClient(
            "http://gateway.test", api_key=None, http_client=transport, retries=0
        )


def sse(*pieces: bytes, then: Exception | None = None) -> Callable[[], httpx.Response]:
    """A 200 event stream sending `pieces` as separate chunks, then failing with `then`."""

    def body() -> Iterator[bytes]:
        yield from pieces
        if then is not None:
            raise then

    return lambda: httpx.Response(200, headers=SSE_HEADERS, content=body())


def async_sse(*pieces: bytes, then: Exception | None = None) -> Callable[[], httpx.Response]:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
        if then is not None:
            raise then

    return lambda: httpx.Response(200, headers=SSE_HEADERS, content=body())


def answer(status: int, text: str = "", **extra: Any) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(status, text=text, **extra)


def drain(stream: Iterator[Any]) -> tuple[list[Any], Exception]:
    """Everything a stream yields until it raises; and what it raised."""
    items: list[Any] = []
    try:
        for item in stream:
            items.append(item)
    except Exception as error:
        return items, error
    raise AssertionError("the stream ended without an error")


def test_events_are_typed_wherever_the_chunks_split() -> None:
    splits = [[BODY], [BODY[i : i + 1] for i in range(len(BODY))]]
    splits += [[BODY[:cut], BODY[cut:]] for cut in range(1, len(BODY))]
    for pieces in splits:
        script = Script(sse(*pieces))
        events, error = drain(script.client().events.stream(reconnect=False))
        assert events == EXPECTED
        assert isinstance(error, GatewayConnectionError)
        assert error.code == "connection_lost"  # the gateway never ends this stream by itself


def test_nothing_is_sent_before_iteration() -> None:
    script = Script(sse(BODY))
    stream = script.client().events.stream()
    assert script.requests == []
    assert next(stream) == EXPECTED[0]
    stream.close()
    assert len(script.requests) == 1


def test_a_dropped_stream_reconnects_without_raising() -> None:
    script = Script(
        sse(b":ready\n\n", ONLINE_A, then=httpx.ReadError("connection reset")),
        answer(503, "events disabled\n"),
        sse(b":ready\n\n"),  # ends cleanly: the gateway went away
        sse(b":ready\n\n", OFFLINE_A),
    )
    with script.client().events.stream() as stream:
        first, second = next(stream), next(stream)
    assert [first, second] == EXPECTED
    assert [request.url.path for request in script.requests] == ["/v1/events"] * 4


def test_without_reconnect_a_drop_is_raised() -> None:
    script = Script(sse(ONLINE_A, then=httpx.ReadError("connection reset")))
    events, error = drain(script.client().events.stream(reconnect=False))
    assert events == EXPECTED[:1]
    assert isinstance(error, GatewayConnectionError)


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        (
            answer(
                401,
                json={
                    "error": {
                        "message": "invalid API key",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            ),
            AuthenticationError,
        ),
        (answer(404, "404 page not found\n"), GatewayProtocolError),
        (answer(405, "Method not allowed\n"), InvalidRequestError),
    ],
    ids=["401", "404", "405"],
)
def test_refusals_that_retrying_cannot_fix_are_raised_at_once(
    refusal: Callable[[], httpx.Response], error: type[Exception]
) -> None:
    script = Script(refusal, sse(ONLINE_A))
    with pytest.raises(error):
        next(script.client().events.stream())
    assert len(script.requests) == 1


def test_the_reconnect_wait_grows_and_resets(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=lambda ceiling: ceiling)
    monkeypatch.setattr(events_module, "RECONNECT_BACKOFF", policy)
    schedule = ReconnectSchedule()
    failure = GatewayConnectionError("dropped", code="connection_lost")
    waits = [schedule.next_wait(failure) for _ in range(9)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    schedule.connection_worked()
    assert schedule.next_wait(failure) == 0.5


def test_a_read_timeout_must_be_positive() -> None:
    client = AgentFMClient("http://gateway.test", api_key=None)
    for bad in (0, -1.0, float("nan"), True):
        with pytest.raises(InvalidRequestError):
            client.events.stream(read_timeout=bad)
        with pytest.raises(InvalidRequestError):
            client.workers.watch(read_timeout=bad)


async def test_async_events_are_typed_and_reconnect() -> None:
    cut = len(BODY) // 2
    script = Script(
        async_sse(BODY[:cut], then=httpx.RemoteProtocolError("peer closed")),
        answer(502, "bad gateway"),
        async_sse(BODY[cut - 1 :]),  # a fresh connection: nothing half-decoded survives
    )
    client = script.async_client()
    received = []
    async with client.events.stream() as stream:
        async for event in stream:
            received.append(event)
            if isinstance(event, WorkerOfflineEvent):
                break
    assert received == EXPECTED
    assert len(script.requests) == 3


async def test_async_refusals_are_raised() -> None:
    script = Script(answer(404, "404 page not found\n"))
    stream = script.async_client().events.stream()
    with pytest.raises(GatewayProtocolError):
        await stream.__anext__()
    await stream.aclose()


# --- workers.watch, scripted ----------------------------------------------------------------------


def _worker(peer_id: str, name: str) -> dict[str, Any]:
    return {
        "peer_id": peer_id,
        "author": "a",
        "name": name,
        "status": "AVAILABLE",
        "hardware": "llama3.2 (CPU: 4 Cores)",
        "description": "",
        "cpu_usage_pct": 1.0,
        "ram_free_gb": 1.0,
        "current_tasks": 0,
        "max_tasks": 1,
        "has_gpu": False,
        "gpu_used_gb": 0,
        "gpu_total_gb": 0,
        "gpu_usage_pct": 0,
        "honesty_score": 0,
        "is_equivocator": False,
        "dispatch_allowed": True,
        "online": True,
    }


def listing(*workers: dict[str, Any]) -> Callable[[], httpx.Response]:
    body = {"agents": list(workers), "offline_count": 0, "online_count": len(workers)}
    return lambda: httpx.Response(200, json={**body, "success": True})


def test_watch_relists_after_every_reconnection() -> None:
    script = Script(
        sse(b":ready\n\n", OFFLINE_A, then=httpx.ReadError("reset")),  # connection 1
        listing(_worker(PEER_A, "alpha"), _worker(PEER_B, "beta")),  # listed on connect
        sse(b":ready\n\n", ONLINE_A),  # connection 2
        listing(_worker(PEER_B, "beta")),  # listed on reconnect
        listing(_worker(PEER_A, "alpha"), _worker(PEER_B, "beta")),  # listed when A returns
    )
    with script.client().workers.watch() as tables:
        received: list[WorkerTable] = [next(tables) for _ in range(4)]
    first, gone, relisted, back = received
    assert (sorted(first.workers), first.event) == (sorted([PEER_A, PEER_B]), None)
    assert (PEER_A in gone, gone.event) == (False, WorkerOfflineEvent(peer_id=PEER_A))
    assert (list(relisted.workers), relisted.event) == ([PEER_B], None)
    assert PEER_A in back
    assert back.event == EXPECTED[0]
    assert back.workers[PEER_A].model == "llama3.2"  # the full profile, from the listing
    paths = [request.url.path for request in script.requests]
    assert paths == ["/v1/events", "/api/workers"] * 2 + ["/api/workers"]


# --- Live, against the simulator ----------------------------------------------------------------


@contextmanager
def when_subscribed(
    mesh: MeshSimulator, *actions: Callable[[], object], ready: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Run `actions` from a helper thread once the client has subscribed to the events."""
    stop = threading.Event()

    def run() -> None:
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            if mesh.boss.events.subscriber_count >= 1 and (ready is None or ready()):
                for action in actions:
                    action()
                return
            time.sleep(0.01)

    thread = threading.Thread(target=run, name="fire-events")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.mark.agentfm_mesh(heartbeat_seconds=0.05)
def test_live_events_are_typed_and_heartbeats_skipped(agentfm_mesh: MeshSimulator) -> None:
    first, second = agentfm_mesh.workers[0], agentfm_mesh.workers[1]
    agentfm_mesh.ledger.append_rating(first.peer_id, dimension="honesty", score=0.3, context="t")
    client = AgentFMClient(agentfm_mesh.url, api_key=None)
    actions = (
        lambda: agentfm_mesh.take_offline(first),
        lambda: time.sleep(0.2),  # a few heartbeats in between
        lambda: agentfm_mesh.bring_online(first),
        lambda: agentfm_mesh.remove_worker(second),
        lambda: agentfm_mesh.add_worker(name="late", engine="phi3"),
    )
    with when_subscribed(agentfm_mesh, *actions), client.events.stream() as stream:
        received = [next(stream) for _ in range(4)]
    late = agentfm_mesh.worker("late")
    assert received == [
        WorkerOfflineEvent(peer_id=first.peer_id),
        WorkerOnlineEvent(peer_id=first.peer_id, agent_name=first.name, honesty_score=0.3),
        WorkerOfflineEvent(peer_id=second.peer_id),
        WorkerOnlineEvent(peer_id=late.peer_id, agent_name="late", honesty_score=0.0),
    ]
    wait_until(lambda: agentfm_mesh.boss.events.subscriber_count == 0)
    client.close()


@pytest.mark.agentfm_mesh(heartbeat_seconds=0.05)
def test_leaving_the_stream_closes_its_connection(agentfm_mesh: MeshSimulator) -> None:
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        worker = agentfm_mesh.workers[0]
        stream = client.events.stream()
        with when_subscribed(agentfm_mesh, lambda: agentfm_mesh.take_offline(worker)):
            for _event in stream:
                break
        assert agentfm_mesh.boss.events.subscriber_count == 1  # still open after `break`
        stream.close()
        wait_until(lambda: agentfm_mesh.boss.events.subscriber_count == 0)
        stream.close()  # closing twice is harmless


def test_the_stream_survives_a_gateway_restart(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    before = agentfm_mesh_factory(heartbeat_seconds=0.1)
    with AgentFMClient(before.url, api_key=None) as client, client.events.stream() as stream:
        with when_subscribed(before, lambda: before.take_offline(before.workers[0])):
            assert next(stream) == WorkerOfflineEvent(peer_id=before.workers[0].peer_id)
        port = before.port
        before.stop()
        after = agentfm_mesh_factory(port=port, heartbeat_seconds=0.1)
        with when_subscribed(after, lambda: after.take_offline(after.workers[2])):
            assert next(stream) == WorkerOfflineEvent(peer_id=after.workers[2].peer_id)


@pytest.mark.agentfm_mesh(heartbeat_seconds=60)
def test_a_silent_stream_is_reconnected(agentfm_mesh: MeshSimulator) -> None:
    connections: list[httpx.Request] = []
    transport = httpx.Client(event_hooks={"request": [connections.append]})
    worker = agentfm_mesh.workers[0]
    stop = threading.Event()

    def toggle_until_stopped() -> None:
        # An event fired while the client is between two connections is lost (SSE has no replay,
        # gateway-protocol.md 5.8), so keep producing them until one arrives.
        wait_until(lambda: len(connections) >= 3 or stop.is_set(), timeout=30)
        online = True
        while not stop.is_set():
            if online:
                agentfm_mesh.take_offline(worker)
            else:
                agentfm_mesh.bring_online(worker)
            online = not online
            stop.wait(0.05)

    with AgentFMClient(agentfm_mesh.url, api_key=None, http_client=transport) as client:
        # The gateway is silent (no heartbeat for 60 s): after 0.3 s the stream must give up on
        # the connection and open a new one, and events must still arrive on the new ones.
        stream = client.events.stream(read_timeout=0.3)
        toggler = threading.Thread(target=toggle_until_stopped, name="toggle-worker")
        toggler.start()
        try:
            event = next(e for e in stream if isinstance(e, WorkerOfflineEvent))
        finally:
            stop.set()
            toggler.join()
            stream.close()
    transport.close()
    assert event == WorkerOfflineEvent(peer_id=worker.peer_id)
    assert len(connections) >= 3


@pytest.mark.agentfm_mesh(api_keys=["the-right-key-0123456789"])
def test_a_wrong_key_is_raised_not_retried(agentfm_mesh: MeshSimulator) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.Client(event_hooks={"request": [sent.append]})
    client = AgentFMClient(
        agentfm_mesh.url, api_key="a-wrong-key-0123456789", http_client=transport
    )
    with pytest.raises(AuthenticationError) as refused:
        next(client.events.stream())
    with pytest.raises(AuthenticationError):
        next(client.workers.watch())
    transport.close()
    assert refused.value.code == "invalid_api_key"
    assert len(sent) == 2


@pytest.mark.agentfm_mesh(heartbeat_seconds=0.05)
def test_watch_keeps_a_live_worker_table(agentfm_mesh: MeshSimulator) -> None:
    leaving = agentfm_mesh.workers[0]
    everyone = {worker.peer_id for worker in agentfm_mesh.workers}
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client, client.workers.watch() as tables:
        first = next(tables)
        assert (set(first.workers), first.event) == (everyone, None)
        with when_subscribed(
            agentfm_mesh,
            lambda: agentfm_mesh.take_offline(leaving),
            lambda: agentfm_mesh.add_worker(name="joiner", engine="phi3", cpu_cores=4),
        ):
            gone, joined = next(tables), next(tables)
    joiner = agentfm_mesh.worker("joiner")
    assert gone.event == WorkerOfflineEvent(peer_id=leaving.peer_id)
    assert set(gone.workers) == everyone - {leaving.peer_id}
    assert isinstance(joined.event, WorkerOnlineEvent)
    assert joined.event.peer_id == joiner.peer_id
    assert set(joined.workers) == everyone - {leaving.peer_id} | {joiner.peer_id}
    assert joined.workers[joiner.peer_id].hardware == "phi3 (CPU: 4 Cores)"
    assert len(gone) == len(everyone) - 1


@pytest.mark.agentfm_mesh(heartbeat_seconds=0.05)
async def test_async_stream_and_watch_live(agentfm_mesh: MeshSimulator) -> None:
    worker = agentfm_mesh.workers[1]
    async with AsyncAgentFMClient(agentfm_mesh.url, api_key=None) as client:
        tables = client.workers.watch()
        first = await tables.__anext__()
        assert len(first) == len(agentfm_mesh.workers)
        stream = client.events.stream()
        # The stream subscribes once iteration starts; fire when both are subscribed.
        waiting = stream.__anext__()
        fire = threading.Thread(
            target=lambda: (
                wait_until(lambda: agentfm_mesh.boss.events.subscriber_count >= 2),
                agentfm_mesh.take_offline(worker),
            )
        )
        fire.start()
        event = await waiting
        table = await tables.__anext__()
        fire.join()
        await stream.aclose()
        await tables.aclose()
        assert event == WorkerOfflineEvent(peer_id=worker.peer_id)
        assert table.event == event
        assert worker.peer_id not in table
        wait_until(lambda: agentfm_mesh.boss.events.subscriber_count == 0)
