"""Errors keep their finer classes and are also what 0.3.0 raised for the same event."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    GatewayConnectionError,
    GatewayInternalError,
    GatewayProtocolError,
    GatewayStartError,
    GatewayTimeoutError,
    InvalidRequestError,
    LocalMeshGateway,
    TaskExecutionError,
    WorkerNotFoundError,
    WorkerStreamError,
)
from agentfm.exceptions import (
    AgentFMError,
    AuthenticationError,
    ModelNotFoundError,
    from_envelope,
)

from ._doubles import CAPACITY_REFUSAL, GW, PEER_A


class _BreaksAfter(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A 200 body that delivers `first` and then fails with `error`, as a dropped link does."""

    def __init__(self, first: bytes, error: Exception) -> None:
        self._first = first
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        yield self._first
        raise self._error

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield self._first
        raise self._error


def _client_breaking_with(error: Exception) -> AgentFMClient:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_BreaksAfter(b"half an ans", error))

    transport = httpx.MockTransport(gateway)
    return AgentFMClient(GW, retries=0, http_client=httpx.Client(transport=transport))


def test_a_connection_lost_mid_task_is_also_a_worker_stream_error() -> None:
    client = _client_breaking_with(httpx.ReadError("peer reset"))
    with client, pytest.raises(WorkerStreamError) as raised:
        client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert isinstance(raised.value, GatewayConnectionError)  # the finer meaning is kept
    assert raised.value.partial_text == "half an ans"


def test_a_stalled_task_stream_is_also_a_worker_stream_error() -> None:
    client = _client_breaking_with(httpx.ReadTimeout("stalled"))
    with client, pytest.raises(WorkerStreamError) as raised:
        list(client.tasks.stream(worker_id=PEER_A, prompt="hi"))
    assert isinstance(raised.value, GatewayTimeoutError)
    assert raised.value.partial_text == "half an ans"


async def test_the_async_client_says_the_same() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_BreaksAfter(b"part", httpx.ReadError("gone")))

    transport = httpx.MockTransport(gateway)
    async with AsyncAgentFMClient(
        GW, retries=0, http_client=httpx.AsyncClient(transport=transport)
    ) as client:
        with pytest.raises(WorkerStreamError) as raised:
            await client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert isinstance(raised.value, GatewayConnectionError)
    assert raised.value.partial_text == "part"


def test_a_gateway_that_cannot_be_reached_is_not_a_stream_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    transport = httpx.MockTransport(refuse)
    client = AgentFMClient(GW, retries=0, http_client=httpx.Client(transport=transport))
    with client, pytest.raises(GatewayConnectionError) as raised:
        client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert not isinstance(raised.value, WorkerStreamError)  # as in 0.3.0


def test_a_worker_refusal_in_a_200_is_a_task_execution_error() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").respond(200, text=CAPACITY_REFUSAL)
        with AgentFMClient() as client, pytest.raises(TaskExecutionError) as raised:
            client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert isinstance(raised.value, WorkerStreamError)
    assert raised.value.code == "worker_refused"


@pytest.mark.parametrize(
    ("status", "finer"),
    [
        (400, InvalidRequestError),
        (404, WorkerNotFoundError),  # 0.3.0 raised WorkerNotFoundError for any plain 404
        (418, InvalidRequestError),
        (401, AuthenticationError),
        (500, GatewayInternalError),
        (502, GatewayInternalError),
        (503, GatewayInternalError),
    ],
)
def test_an_unrecognised_plain_error_is_also_a_gateway_protocol_error(
    status: int, finer: type[AgentFMError]
) -> None:
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").respond(status, text="upstream proxy says no")
        with AgentFMClient(retries=0) as client, pytest.raises(GatewayProtocolError) as raised:
            client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert isinstance(raised.value, finer)
    assert raised.value.status == status


def test_a_recognised_plain_refusal_keeps_its_own_class() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").respond(404, text="Worker not found or offline\n")
        with AgentFMClient() as client, pytest.raises(WorkerNotFoundError) as raised:
            client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert not isinstance(raised.value, GatewayProtocolError)


def test_from_envelope_maps_gateway_envelopes_and_never_raises() -> None:
    envelope = {"error": {"message": "no such model", "type": "x", "code": "model_not_found"}}
    error = from_envelope(envelope, 404)
    assert isinstance(error, ModelNotFoundError)
    assert (error.message, error.code, error.status) == ("no such model", "model_not_found", 404)
    assert isinstance(from_envelope(envelope, status=404), ModelNotFoundError)
    assert isinstance(from_envelope(404, envelope), ModelNotFoundError)  # either order
    for garbage in (None, [], {"error": "flat"}, {"nope": 1}):
        assert type(from_envelope(garbage, 500)) is GatewayProtocolError
    unknown = from_envelope({"error": {"code": "brand_new", "message": "m"}}, 409)
    assert isinstance(unknown, AgentFMError)
    assert unknown.code == "brand_new"


def test_a_missing_gateway_binary_is_also_file_not_found_and_a_connection_error(
    tmp_path: Path,
) -> None:
    gateway = LocalMeshGateway(binary_path=str(tmp_path / "no-such-agentfm"), port=0)
    with pytest.raises(FileNotFoundError) as raised:
        gateway.start()
    assert isinstance(raised.value, GatewayStartError)
    assert isinstance(raised.value, GatewayConnectionError)
    assert gateway.process is None

    with pytest.raises(FileNotFoundError):
        LocalMeshGateway(binary_path="agentfm-binary-that-is-not-installed", port=0).start()


def test_a_missing_swarm_key_file_is_also_file_not_found(tmp_path: Path) -> None:
    from agentfm import SwarmKey

    with pytest.raises(FileNotFoundError):
        SwarmKey.load(tmp_path / "absent.key")
    gateway = LocalMeshGateway(
        binary_path=[sys.executable, "-c", "pass"], port=0, swarm_key=tmp_path / "absent.key"
    )
    with pytest.raises(FileNotFoundError):
        gateway.start()
    assert not gateway.running


def test_a_gateway_that_exits_at_start_is_a_gateway_connection_error() -> None:
    exits = [sys.executable, "-c", "import sys; sys.exit(3)"]
    with pytest.raises(GatewayConnectionError) as raised:
        LocalMeshGateway(binary_path=exits, port=0, startup_timeout=30).start()
    assert isinstance(raised.value, GatewayStartError)
    assert raised.value.exit_code == 3


def test_a_connection_lost_mid_chat_stream_is_also_a_worker_stream_error() -> None:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": PEER_A,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": "par"}, "finish_reason": None}
        ],
        # 1.3.0+ keys (the strict reader of this branch needs them; issue 11 makes them optional)
        "agentfm_peer_id": PEER_A,
        "agentfm_task_id": "task_0123456789abcdef01234567",
    }
    first = f"data: {json.dumps(chunk)}\n\n".encode()

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Type": "text/event-stream"},
            stream=_BreaksAfter(first, httpx.ReadError("reset")),
        )

    transport = httpx.MockTransport(gateway)
    client = AgentFMClient(GW, retries=0, http_client=httpx.Client(transport=transport))
    with client:
        stream = client.openai.chat.completions.create(
            model=PEER_A, messages=[{"role": "user", "content": "hi"}], stream=True
        )
        with pytest.raises(WorkerStreamError) as raised:
            list(stream)
    assert isinstance(raised.value, GatewayConnectionError)
    assert raised.value.partial_text == "par"
