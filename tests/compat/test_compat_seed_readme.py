"""The published 0.3.0 README's calls, against a gateway mocked with respx as a 0.3.0 user's
own test suite mocks it (the simulator-backed version is tests/test_seed_readme.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import aclosing

import httpx
import pytest
import respx

from agentfm import (
    AgentFMClient,
    AgentFMError,
    AsyncAgentFMClient,
    AuthenticationError,
    WorkerNotFoundError,
    WorkerStreamError,
)
from agentfm.testing import task_body

from ._doubles import GW, PEER_A, PEER_B, worker_json, workers_json

TASK_ID = "task_0123456789abcdef01234567"


def _chat(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    base = {"id": "chatcmpl-1", "created": 1, "model": body["model"]}
    if not body.get("stream"):
        return httpx.Response(
            200,
            json={
                **base,
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "hello\n"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            },
        )
    # The gateway's sequence: a role chunk, the content, an empty `stop` chunk (section 5.10).
    events = [
        {"role": role, "content": content, "finish": finish}
        for role, content, finish in (
            ("assistant", "", None),
            ("", "hel", None),
            ("", "lo\n", None),
            ("", "", "stop"),
        )
    ]
    lines = [
        "data: "
        + json.dumps(
            {
                **base,
                "object": "chat.completion.chunk",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": e["role"], "content": e["content"]},
                        "finish_reason": e["finish"],
                    }
                ],
                "agentfm_peer_id": PEER_A,
                "agentfm_task_id": TASK_ID,
            }
        )
        + "\n\n"
        for e in events
    ]
    lines.append("data: [DONE]\n\n")
    return httpx.Response(
        200, headers={"Content-Type": "text/event-stream"}, content="".join(lines).encode()
    )


def _execute(request: httpx.Request) -> httpx.Response:
    prompt = json.loads(request.content)["prompt"]
    return httpx.Response(200, text=task_body(f"answer to {prompt}"))


@pytest.fixture
def gateway() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=GW, assert_all_called=False) as mock:
        mock.get("/api/workers").respond(
            200, json=workers_json(worker_json(PEER_A), worker_json(PEER_B))
        )
        mock.post("/api/execute").mock(side_effect=_execute)
        mock.post("/api/execute/async").respond(
            202,
            json={
                "message": "Task dispatched to P2P mesh.",
                "status": "queued",
                "task_id": TASK_ID,
            },
        )
        mock.post("/v1/chat/completions").mock(side_effect=_chat)
        yield mock


def test_hello_world_streaming_and_batches(gateway: respx.MockRouter) -> None:
    with AgentFMClient(gateway_url="http://127.0.0.1:8080") as client:
        workers = client.workers.list(model="llama3.2")
        assert [w.peer_id for w in workers] == [PEER_A, PEER_B]
        worker = workers[0]
        result = client.tasks.run(worker_id=worker.peer_id, prompt="Draft a policy")
        assert result.text == "answer to Draft a policy"
        assert result.artifacts == []
        assert result.duration_seconds >= 0

        streamed = [
            chunk.text
            for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="...")
            if chunk.kind == "text"
        ]
        assert "".join(streamed) == "answer to ..."

        prompts = [f"Summarise document #{i}" for i in range(10)]
        results = client.tasks.scatter(
            prompts,
            peer_ids=[w.peer_id for w in client.workers.list(available_only=True)],
            max_concurrency=8,
            max_retries=2,
        )
        assert [r.text for r in results] == [f"answer to {p}" for p in prompts]
        by_model = client.tasks.scatter_by_model(
            prompts, model="llama3.2", max_workers=4, max_concurrency=8, max_retries=2
        )
        assert {r.status for r in by_model} == {"success"}
        with pytest.raises(WorkerNotFoundError):
            client.tasks.scatter_by_model(
                prompts,
                model="flux.2",
                pick=lambda ws: sorted(ws, key=lambda w: w.gpu_usage_pct)[:3],
            )


def test_openai_namespace_and_fire_and_forget(gateway: respx.MockRouter) -> None:
    with AgentFMClient() as client:
        resp = client.openai.chat.completions.create(
            model=PEER_A, messages=[{"role": "user", "content": "hi"}]
        )
        assert resp.choices[0].message.content == "hello\n"
        pieces = [
            chunk.choices[0].delta.content
            for chunk in client.openai.chat.completions.create(
                model=PEER_A, messages=[{"role": "user", "content": "hi"}], stream=True
            )
            if chunk.choices and chunk.choices[0].delta.content
        ]
        assert "".join(pieces) == "hello\n"
        ack = client.tasks.submit_async(
            worker_id=PEER_A, prompt="Long job", webhook_url="http://my-host.example.com:8000/cb"
        )
        assert ack.task_id == TASK_ID


def test_the_error_handling_block(gateway: respx.MockRouter) -> None:
    gateway.get("/api/workers").respond(
        401,
        json={"error": {"message": "bad key", "type": "auth", "code": "invalid_api_key"}},
    )
    gateway.post("/api/execute").respond(404, text="Worker not found or offline\n")
    with AgentFMClient(api_key="your-key-0123456789") as client:
        with pytest.raises(AuthenticationError) as auth:
            client.workers.list()
        assert (auth.value.code, auth.value.status) == ("invalid_api_key", 401)
        with pytest.raises(WorkerNotFoundError):
            client.tasks.run(worker_id=PEER_A, prompt="...")
        derived = client.with_options(api_key=None)
        assert derived.api_key is None
        derived.close()
    gateway.post("/api/execute").respond(200, text="a crash mid-ans")
    with AgentFMClient() as client, pytest.raises(WorkerStreamError) as stream_error:
        client.tasks.run(worker_id=PEER_A, prompt="...")
    assert isinstance(stream_error.value, AgentFMError)
    assert stream_error.value.partial_text == "a crash mid-ans"


async def test_async_streaming_and_async_openai(gateway: respx.MockRouter) -> None:
    async with AsyncAgentFMClient() as client:
        workers = await client.workers.list()
        worker = workers[0]
        text = ""
        async for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="hi"):
            if chunk.kind == "text":
                text += chunk.text
        assert text == "answer to hi"

        stream = await client.openai.chat.completions.create(
            model=worker.peer_id, messages=[{"role": "user", "content": "hi"}], stream=True
        )
        pieces = [
            chunk.choices[0].delta.content
            async for chunk in stream
            if chunk.choices and chunk.choices[0].delta.content
        ]
        assert "".join(pieces) == "hello\n"

        async with aclosing(client.tasks.stream(worker_id=PEER_A, prompt="...")) as early:
            async for _ in early:
                break
