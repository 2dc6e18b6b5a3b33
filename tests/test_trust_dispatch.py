"""Trust at dispatch: `min_honesty` and `skip_equivocators` refuse a worker before anything is sent.

A refused task must never reach the gateway's dispatch route: the simulator writes a sidecar for
every task it dispatches (section 6), so "no new sidecar" means "nothing was dispatched".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    DispatchRefusedError,
    InvalidRequestError,
    WorkerNotFoundError,
)
from agentfm.testing import MeshSimulator

MESH = [
    {"name": "honest", "engine": "llama3.2", "honesty_score": 0.6, "delay_seconds": 0.05},
    {"name": "middling", "engine": "llama3.2", "honesty_score": 0.05, "delay_seconds": 0.05},
    {"name": "liar", "engine": "llama3.2", "is_equivocator": True},
    {"name": "sinking", "engine": "llama3.2", "honesty_score": -0.8},
]
trust_mesh = pytest.mark.agentfm_mesh(workers=MESH)


def _sidecars(mesh: MeshSimulator) -> list[Path]:
    return sorted(mesh.artifacts_dir.glob("*.meta.json"))


class Counting:
    """Counts the requests a client sends, by path."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)


@pytest.fixture
def counted(agentfm_mesh: MeshSimulator) -> Iterator[tuple[AgentFMClient, Counting]]:
    counting = Counting()
    transport = httpx.Client(event_hooks={"request": [counting]})
    client = AgentFMClient(
        agentfm_mesh.url,
        api_key=None,
        http_client=transport,
        artifacts_dir=agentfm_mesh.artifacts_dir,
    )
    yield client, counting
    client.close()
    transport.close()


@trust_mesh
def test_a_worker_below_the_callers_minimum_is_refused_before_dispatch(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    honest = agentfm_mesh.worker("honest").peer_id
    middling = agentfm_mesh.worker("middling").peer_id
    result = client.tasks.run(worker_id=honest, prompt="hello", min_honesty=0.5)
    assert "hello" in result.text
    dispatched = _sidecars(agentfm_mesh)
    assert len(dispatched) == 1
    with pytest.raises(DispatchRefusedError) as refused:
        client.tasks.run(worker_id=middling, prompt="hello", min_honesty=0.5)
    assert refused.value.reason == "honesty_below_minimum"
    assert (refused.value.code, refused.value.status) == ("dispatch_refused_locally", None)
    assert _sidecars(agentfm_mesh) == dispatched
    assert counting.paths.count("/api/execute") == 1
    assert counting.paths.count("/v1/about") == 1  # the gateway's floor, read once per client


@trust_mesh
def test_equivocators_are_skipped_before_the_gateway_would_answer_403(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    liar = agentfm_mesh.worker("liar").peer_id
    with pytest.raises(DispatchRefusedError) as local:
        client.tasks.run(worker_id=liar, prompt="hi", skip_equivocators=True)
    assert (local.value.reason, local.value.status) == ("peer_is_equivocator", None)
    assert "/api/execute" not in counting.paths
    # Without the option the gateway's own gate refuses it: the same error class, with a 403.
    with pytest.raises(DispatchRefusedError) as remote:
        client.tasks.run(worker_id=liar, prompt="hi")
    assert (remote.value.reason, remote.value.status) == ("peer_is_equivocator", 403)


@trust_mesh
def test_the_gateways_floor_is_applied_too(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    sinking = agentfm_mesh.worker("sinking").peer_id
    for options in ({"skip_equivocators": True}, {"min_honesty": -0.9}):
        with pytest.raises(DispatchRefusedError) as local:
            client.tasks.run(worker_id=sinking, prompt="hi", **options)  # type: ignore[arg-type]
        assert (local.value.reason, local.value.status) == ("reputation_below_floor", None)
    assert "/api/execute" not in counting.paths
    with pytest.raises(DispatchRefusedError) as remote:
        client.tasks.run(worker_id=sinking, prompt="hi")
    assert (remote.value.reason, remote.value.status) == ("reputation_below_floor", 403)


@pytest.mark.agentfm_mesh(workers=MESH, reputation_floor=0.1)
def test_the_floor_is_the_gateways_configured_one(agentfm_mesh: MeshSimulator) -> None:
    middling = agentfm_mesh.worker("middling").peer_id
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        with pytest.raises(DispatchRefusedError) as refused:
            client.tasks.submit_async(worker_id=middling, prompt="hi", skip_equivocators=True)
        assert refused.value.reason == "reputation_below_floor"
        ack = client.tasks.submit_async(
            worker_id=agentfm_mesh.worker("honest").peer_id, prompt="hi", min_honesty=0.5
        )
    assert ack.status == "queued"


@trust_mesh
def test_a_trusted_stream_checks_when_iteration_starts(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    middling = agentfm_mesh.worker("middling").peer_id
    stream = client.tasks.stream(worker_id=middling, prompt="hi", min_honesty=0.5)
    assert counting.paths == []
    with pytest.raises(DispatchRefusedError):
        next(stream)
    assert "/api/execute" not in counting.paths
    chunks = list(
        client.tasks.stream(
            worker_id=agentfm_mesh.worker("honest").peer_id, prompt="streamed", min_honesty=0.5
        )
    )
    assert chunks[-1].marker == "NO_FILES"
    assert "streamed" in "".join(chunk.text for chunk in chunks)


@trust_mesh
def test_submit_async_is_refused_before_queueing(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    with pytest.raises(DispatchRefusedError) as refused:
        client.tasks.submit_async(
            worker_id=agentfm_mesh.worker("liar").peer_id, prompt="later", skip_equivocators=True
        )
    assert refused.value.reason == "peer_is_equivocator"
    assert "/api/execute/async" not in counting.paths
    assert _sidecars(agentfm_mesh) == []


def test_an_offline_worker_is_not_found_before_dispatch(
    agentfm_mesh: MeshSimulator, counted: tuple[AgentFMClient, Counting]
) -> None:
    client, counting = counted
    worker = agentfm_mesh.workers[0]
    agentfm_mesh.take_offline(worker)
    with pytest.raises(WorkerNotFoundError):
        client.tasks.run(worker_id=worker.peer_id, prompt="hi", skip_equivocators=True)
    assert counting.paths == ["/api/workers"]


def _silent_client() -> AgentFMClient:
    def gateway(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, but {request.url} was")

    transport = httpx.Client(transport=httpx.MockTransport(gateway))
    return AgentFMClient("http://gateway.test", api_key=None, http_client=transport)


@pytest.mark.parametrize("minimum", [1.5, -1.01, math.nan, math.inf])
def test_an_impossible_minimum_is_refused_before_sending(minimum: float) -> None:
    client = _silent_client()
    worker = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
    calls: list[Callable[[], object]] = [
        lambda: client.tasks.run(worker_id=worker, prompt="p", min_honesty=minimum),
        lambda: client.tasks.stream(worker_id=worker, prompt="p", min_honesty=minimum),
        lambda: client.tasks.submit_async(worker_id=worker, prompt="p", min_honesty=minimum),
    ]
    for call in calls:
        with pytest.raises(InvalidRequestError) as refused:
            call()
        assert refused.value.code == "invalid_argument"


@trust_mesh
async def test_trust_options_with_the_async_client(agentfm_mesh: MeshSimulator) -> None:
    honest = agentfm_mesh.worker("honest").peer_id
    liar = agentfm_mesh.worker("liar").peer_id
    sinking = agentfm_mesh.worker("sinking").peer_id
    async with AsyncAgentFMClient(
        agentfm_mesh.url, api_key=None, artifacts_dir=agentfm_mesh.artifacts_dir
    ) as client:
        result = await client.tasks.run(worker_id=honest, prompt="async hi", min_honesty=0.5)
        with pytest.raises(DispatchRefusedError) as equivocator:
            await client.tasks.run(worker_id=liar, prompt="x", skip_equivocators=True)
        stream = client.tasks.stream(worker_id=sinking, prompt="x", skip_equivocators=True)
        with pytest.raises(DispatchRefusedError) as below_floor:
            async for _ in stream:
                pass
        with pytest.raises(DispatchRefusedError) as below_minimum:
            await client.tasks.submit_async(worker_id=honest, prompt="x", min_honesty=0.7)
        chunks = [
            chunk
            async for chunk in client.tasks.stream(
                worker_id=honest, prompt="async stream", skip_equivocators=True
            )
        ]
    assert "async hi" in result.text
    assert equivocator.value.reason == "peer_is_equivocator"
    assert below_floor.value.reason == "reputation_below_floor"
    assert below_minimum.value.reason == "honesty_below_minimum"
    assert "async stream" in "".join(chunk.text for chunk in chunks)
    assert len(_sidecars(agentfm_mesh)) == 2  # only the two trusted tasks were dispatched
