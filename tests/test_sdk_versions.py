"""The SDK's flows against every gateway release the simulator speaks (gateway-versions.md).

Workers list/get, run, stream, artifacts, OpenAI chat (plain and streamed), async submit,
scatter and ping, each against `MeshSimulator(gateway_version=...)` with the live suite's
convention workers (tests/live/mesh.json): `live-echo` prints `echo: <prompt>`, `live-filer`
writes `result.txt` holding the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from agentfm import AgentFMClient, AgentFMError
from agentfm.testing import MeshSimulator

VERSIONS = ("1.1.0", "1.2.0", "1.3.0", "current")
MESH_FILE = Path(__file__).parent / "live" / "mesh.json"
CHAT = [{"role": "user", "content": "hi"}]
# The chat prompt is flattened to `user: hi\n\nassistant:`; every kept line gets a `\n`, and the
# blank line before the worker's sentinel survives (gateway-protocol.md 5.10).
CHAT_CONTENT = "echo: user: hi\n\nassistant:\n\n"


# What the SDK cannot do yet against an older release, and the work that fixes it. Strict: once
# the fix lands the test passes, xfail turns it into a failure, and the entry must be deleted.
# (Empty since the lenient model layer of issue 11 reads 1.1.0's and 1.2.0's field sets.)
PENDING: dict[tuple[str, str], str] = {}


@pytest.fixture(params=VERSIONS)
def mesh(
    request: pytest.FixtureRequest, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> MeshSimulator:
    pending = PENDING.get((request.node.originalname, request.param))
    if pending is not None:
        request.applymarker(pytest.mark.xfail(reason=pending, strict=True))
    return agentfm_mesh_factory(MESH_FILE, gateway_version=request.param)


@pytest.fixture
def client(mesh: MeshSimulator) -> AgentFMClient:
    return AgentFMClient(mesh.url, artifacts_dir=mesh.artifacts_dir, api_key=None)


def peer(mesh: MeshSimulator, name: str) -> str:
    return mesh.worker(name).peer_id


def test_ping(client: AgentFMClient) -> None:
    assert client.ping() is True


def test_workers_list_and_get(mesh: MeshSimulator, client: AgentFMClient) -> None:
    listed = client.workers.list(model="live-model")
    assert sorted(worker.agent_name for worker in listed) == ["live-echo", "live-filer"]
    assert [worker.agent_name for worker in client.workers.list(agent_name="LIVE-ECHO")] == [
        "live-echo"
    ]
    profile = client.workers.get(peer(mesh, "live-filer"))
    assert (profile.agent_name, profile.model) == ("live-filer", "live-model")


def test_run_and_stream(mesh: MeshSimulator, client: AgentFMClient) -> None:
    echo = peer(mesh, "live-echo")
    result = client.tasks.run(worker_id=echo, prompt="hello there")
    assert result.text == "echo: hello there\n"
    assert result.artifacts == []
    chunks = list(client.tasks.stream(worker_id=echo, prompt="streamed"))
    assert "".join(chunk.text for chunk in chunks if chunk.kind == "text") == "echo: streamed\n"
    assert [chunk.marker for chunk in chunks if chunk.kind == "marker"] == ["NO_FILES"]


def test_artifacts(mesh: MeshSimulator, client: AgentFMClient) -> None:
    result = client.tasks.run(worker_id=peer(mesh, "live-filer"), prompt="keep this")
    assert result.text == "wrote result.txt\n"
    assert [(path.name, path.read_text()) for path in result.artifacts] == [
        ("result.txt", "keep this")
    ]


def test_async_submit(mesh: MeshSimulator, client: AgentFMClient) -> None:
    ack = client.tasks.submit_async(worker_id=peer(mesh, "live-echo"), prompt="later")
    assert ack.status == "queued"
    minted = r"task_\d{19}" if mesh.gateway_version == "1.1.0" else r"task_[0-9a-f]{24}"
    assert re.fullmatch(minted, ack.task_id)


def test_scatter(mesh: MeshSimulator, client: AgentFMClient) -> None:
    prompts = [f"p{index}" for index in range(6)]
    results = client.tasks.scatter(prompts, peer_ids=[peer(mesh, "live-echo")])
    assert [(result.status, result.text) for result in results] == [
        ("success", f"echo: {prompt}\n") for prompt in prompts
    ]


def test_openai_chat(mesh: MeshSimulator, client: AgentFMClient) -> None:
    echo = peer(mesh, "live-echo")
    if mesh.gateway_version == "1.1.0":
        # 1.1.0 has no OpenAI routes: a typed error, not a crash.
        with pytest.raises(AgentFMError):
            client.openai.chat.completions.create(model=echo, messages=CHAT)
        return
    completion = client.openai.chat.completions.create(model=echo, messages=CHAT)
    assert completion.choices[0].message.content == CHAT_CONTENT
    streamed = client.openai.chat.completions.create(model=echo, messages=CHAT, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in streamed) == CHAT_CONTENT
