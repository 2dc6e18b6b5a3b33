"""`scatter` as 0.3.0 users call it: explicit peers need no `/api/workers`, an empty peer list is
a `ValueError`, and `scatter_by_model` without a matching worker raises `WorkerNotFoundError`."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
import respx

from agentfm import AgentFMClient, AsyncAgentFMClient, InvalidRequestError, WorkerNotFoundError
from agentfm.testing import task_body

from ._doubles import CAPACITY_REFUSAL, GW, PEER_A, PEER_B, PEER_C, worker_json, workers_json

PROMPTS = [f"prompt {i}" for i in range(6)]


def _echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, text=task_body(f"{body['worker_id'][-4:]}: {body['prompt']}"))


def _assert_all_answered(results: list, peers: set[str]) -> None:  # type: ignore[type-arg]
    assert [r.prompt for r in results] == PROMPTS  # submission order
    assert {r.status for r in results} == {"success"}
    assert {r.worker_id for r in results} <= peers
    for result in results:
        assert result.text == f"{result.worker_id[-4:]}: {result.prompt}"


def test_scatter_with_peer_ids_runs_when_api_workers_is_not_mocked() -> None:
    # respx refuses the unmocked GET /api/workers (AllMockedAssertionError): telemetry is advice.
    with respx.mock(base_url=GW) as mock:
        execute = mock.post("/api/execute").mock(side_effect=_echo)
        with AgentFMClient() as client:
            results = client.tasks.scatter(PROMPTS, peer_ids=[PEER_A, PEER_B])
    _assert_all_answered(results, {PEER_A, PEER_B})
    assert execute.call_count == len(PROMPTS)


def test_scatter_with_peer_ids_runs_when_api_workers_fails() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.get("/api/workers").respond(500, text="boom")
        mock.post("/api/execute").mock(side_effect=_echo)
        with AgentFMClient(retries=0) as client:
            results = client.tasks.scatter(PROMPTS, peer_ids=[PEER_A])
    _assert_all_answered(results, {PEER_A})


def test_a_listed_peer_missing_from_the_telemetry_is_still_dispatched_to() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.get("/api/workers").respond(200, json=workers_json(worker_json(PEER_A, max_tasks=1)))
        mock.post("/api/execute").mock(side_effect=_echo)
        with AgentFMClient() as client:
            results = client.tasks.scatter(PROMPTS, peer_ids=[PEER_A, PEER_B], max_concurrency=4)
    _assert_all_answered(results, {PEER_A, PEER_B})
    assert PEER_B in {r.worker_id for r in results}


def test_a_listed_peer_the_gateway_does_not_know_fails_its_prompts_as_results() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["worker_id"] == PEER_C:
            return httpx.Response(404, text="Worker not found or offline\n")
        return _echo(request)

    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").mock(side_effect=gateway)
        with AgentFMClient() as client:
            results = client.tasks.scatter(PROMPTS, peer_ids=[PEER_C, PEER_A])
    _assert_all_answered(results, {PEER_A})  # moved off the unknown peer, no retry spent


def test_without_telemetry_capacity_is_learnt_from_refusals() -> None:
    lock = threading.Lock()
    running = 0
    calls = {"accepted": 0, "refused": 0}

    def one_slot_worker(request: httpx.Request) -> httpx.Response:
        nonlocal running
        with lock:
            if running >= 1:
                calls["refused"] += 1
                return httpx.Response(200, text=CAPACITY_REFUSAL)
            running += 1
            calls["accepted"] += 1
        try:
            time.sleep(0.05)
            return _echo(request)
        finally:
            with lock:
                running -= 1

    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").mock(side_effect=one_slot_worker)
        with AgentFMClient() as client:
            results = client.tasks.scatter(PROMPTS, peer_ids=[PEER_A], max_concurrency=4)
    _assert_all_answered(results, {PEER_A})
    assert calls["accepted"] == len(PROMPTS)
    # The first wave learns the capacity; after that the worker is not flooded again.
    assert calls["refused"] <= 3


async def test_async_scatter_with_peer_ids_needs_no_telemetry() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").mock(side_effect=_echo)
        async with AsyncAgentFMClient() as client:
            results = await client.tasks.scatter(PROMPTS, peer_ids=[PEER_A, PEER_B])
    _assert_all_answered(results, {PEER_A, PEER_B})


async def test_an_empty_peer_list_is_a_value_error() -> None:
    with AgentFMClient() as client, pytest.raises(ValueError, match="peer_ids") as raised:
        client.tasks.scatter(PROMPTS, peer_ids=[])
    assert isinstance(raised.value, InvalidRequestError)
    async with AsyncAgentFMClient() as client:
        with pytest.raises(ValueError, match="peer_ids"):
            await client.tasks.scatter(PROMPTS, peer_ids=[])


def test_scatter_by_model_without_a_matching_worker_raises_worker_not_found() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.get("/api/workers").respond(200, json=workers_json(worker_json(PEER_A)))
        execute = mock.post("/api/execute").mock(side_effect=_echo)
        with AgentFMClient() as client:
            with pytest.raises(WorkerNotFoundError) as raised:
                client.tasks.scatter_by_model(PROMPTS, model="flux.2")
            assert "flux.2" in str(raised.value)
            found = client.tasks.scatter_by_model(PROMPTS, model="llama3.2")
    assert {r.status for r in found} == {"success"}
    assert execute.call_count == len(PROMPTS)


async def test_async_scatter_by_model_without_a_match_raises_too() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.get("/api/workers").respond(200, json=workers_json())
        async with AsyncAgentFMClient() as client:
            with pytest.raises(WorkerNotFoundError):
                await client.tasks.scatter_by_model(PROMPTS, model="llama3.2")
