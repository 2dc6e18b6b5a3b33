"""Every public call of the facade, sync and async, replayed from cassettes recorded from the sim.

Re-record with `make record` (tests/record.py). The recording gateway runs the default demo mesh
with an API key; see tests/cassette_support.py for how requests are matched and scrubbed.
"""

from __future__ import annotations

import re

import pytest
from agentfm_gateway.api.workers import list_workers
from agentfm_gateway.records import WorkersResponse
from cassette_support import RecordedGateway

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    AuthenticationError,
    InvalidPeerIdError,
    ModelNotFoundError,
    WorkerNotFoundError,
)

pytestmark = [
    pytest.mark.cassette,
    # Routing by engine or name is deliberate here; the warning has its own tests.
    pytest.mark.filterwarnings("ignore::agentfm.AgentFMRoutingWarning"),
]

# A well-formed peer id that no demo worker has.
ABSENT_PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
TASK_ID = re.compile(r"^task_[0-9a-f]{24}$")


def _client(gateway: RecordedGateway) -> AgentFMClient:
    return AgentFMClient(gateway.url, api_key=gateway.api_key, retries=0)


def _async_client(gateway: RecordedGateway) -> AsyncAgentFMClient:
    return AsyncAgentFMClient(gateway.url, api_key=gateway.api_key, retries=0)


def test_ping_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        assert client.ping() is True


async def test_ping_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        assert await client.ping() is True


def test_workers_list_and_filters_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        everyone = client.workers.list()
        llama = client.workers.list(model="LLaMA3.2")
        by_name = client.workers.list(agent_name="TRANSLATOR")
        free = client.workers.list(available_only=True)
    assert len(everyone) >= 3
    assert llama
    assert {worker.model for worker in llama} == {"llama3.2"}
    assert all(worker.hardware.startswith("llama3.2 (") for worker in llama)
    assert [worker.agent_name for worker in by_name] == ["translator"]
    assert all(worker.is_available and worker.online for worker in free)
    for worker in everyone:
        assert worker.peer_id.startswith("12D3KooW")
        assert 0.0 <= worker.load_ratio <= 1.0
        assert worker.last_seen is not None


async def test_workers_list_and_filters_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        everyone = await client.workers.list()
        llama = await client.workers.list(model="llama3.2", available_only=True)
    assert len(everyone) >= 3
    assert llama
    assert all(worker.model == "llama3.2" and worker.is_available for worker in llama)


def test_workers_get_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        first = client.workers.list()[0]
        again = client.workers.get(first.peer_id)
        with pytest.raises(WorkerNotFoundError):
            client.workers.get(ABSENT_PEER)
        with pytest.raises(InvalidPeerIdError):
            client.workers.get("")  # refused before any request
    assert again.peer_id == first.peer_id
    assert again.name == first.name


async def test_workers_get_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        first = (await client.workers.list())[0]
        again = await client.workers.get(first.peer_id)
        with pytest.raises(WorkerNotFoundError):
            await client.workers.get(ABSENT_PEER)
    assert again.peer_id == first.peer_id


def test_tasks_run_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        result = client.tasks.run(worker_id=worker.peer_id, prompt="Say hello to the mesh")
    assert "Say hello to the mesh" in result.text
    assert "AGENTFM" not in result.text
    assert result.worker_id == worker.peer_id
    assert result.artifacts == []
    assert TASK_ID.match(result.task_id)


async def test_tasks_run_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        worker = (await client.workers.list(agent_name="translator"))[0]
        result = await client.tasks.run(worker_id=worker.peer_id, prompt="Bonjour")
    assert "Bonjour" in result.text
    assert result.worker_id == worker.peer_id


def test_tasks_stream_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        chunks = list(client.tasks.stream(worker_id=worker.peer_id, prompt="Stream this"))
    text = "".join(chunk.text for chunk in chunks if chunk.kind == "text")
    assert "Stream this" in text
    assert chunks[-1].kind == "marker"
    assert chunks[-1].marker == "NO_FILES"


async def test_tasks_stream_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        worker = (await client.workers.list(agent_name="translator"))[0]
        chunks = [
            chunk
            async for chunk in client.tasks.stream(
                worker_id=worker.peer_id, prompt="Stream async", task_id="cassette-stream-1"
            )
        ]
    assert "Stream async" in "".join(chunk.text for chunk in chunks if chunk.kind == "text")
    assert [chunk.marker for chunk in chunks if chunk.kind == "marker"] == ["NO_FILES"]


def test_tasks_submit_async_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        ack = client.tasks.submit_async(worker_id=worker.peer_id, prompt="Later, please")
    assert ack.status == "queued"
    assert ack.message == "Task dispatched to P2P mesh."
    assert TASK_ID.match(ack.task_id)


async def test_tasks_submit_async_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        worker = (await client.workers.list(agent_name="translator"))[0]
        ack = await client.tasks.submit_async(
            worker_id=worker.peer_id,
            prompt="Later, with a callback",
            webhook_url="https://hooks.example.com/agentfm",
        )
    assert ack.status == "queued"


def test_dispatch_to_an_absent_worker_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client, pytest.raises(WorkerNotFoundError) as raised:
        client.tasks.run(worker_id=ABSENT_PEER, prompt="anyone there?")
    assert raised.value.status == 404
    assert raised.value.code == "worker_not_found"


async def test_dispatch_to_an_absent_worker_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        with pytest.raises(WorkerNotFoundError):
            async for _ in client.tasks.stream(worker_id=ABSENT_PEER, prompt="anyone?"):
                pass


def test_a_wrong_key_is_an_authentication_error_sync(recorded_gateway: RecordedGateway) -> None:
    wrong = AgentFMClient(recorded_gateway.url, api_key="not-the-key-0123456789", retries=0)
    anonymous = AgentFMClient(recorded_gateway.url, api_key=None, retries=0)
    with pytest.raises(AuthenticationError) as invalid:
        wrong.workers.list()
    with pytest.raises(AuthenticationError) as missing:
        anonymous.workers.list()
    assert (invalid.value.code, invalid.value.status) == ("invalid_api_key", 401)
    assert (missing.value.code, missing.value.status) == ("unauthorized", 401)


async def test_a_wrong_key_is_an_authentication_error_async(
    recorded_gateway: RecordedGateway,
) -> None:
    async with AsyncAgentFMClient(recorded_gateway.url, api_key=None, retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.workers.list()


def test_the_low_level_client_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        listing = WorkersResponse.model_validate(
            list_workers.sync(client=client.gateway, include_offline=True)
        )
    assert listing.success is True
    assert listing.online_count == len([agent for agent in listing.agents if agent.online])


async def test_the_low_level_client_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        listing = WorkersResponse.model_validate(await list_workers.asyncio(client=client.gateway))
    assert listing.agents


def test_openai_models_list_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        models = client.openai.models.list()
        workers = client.workers.list()
    assert models.object == "list"
    assert {entry.id for entry in models.data} == {worker.peer_id for worker in workers}
    assert all(entry.object == "model" and entry.agentfm_engine for entry in models.data)


async def test_openai_models_list_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        models = await client.openai.models.list()
    assert models.data


def test_openai_chat_completion_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        response = client.openai.chat.completions.create(
            model=worker.peer_id,
            messages=[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "hi"}],
            temperature=0.2,
        )
    assert response.object == "chat.completion"
    assert response.model == worker.peer_id
    assert response.choices[0].finish_reason == "stop"
    content = response.choices[0].message.content or ""
    assert "system: Be brief\n\nuser: hi\n\nassistant:" in content
    assert "AGENTFM" not in content


async def test_openai_chat_completion_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        worker = (await client.workers.list(agent_name="translator"))[0]
        response = await client.openai.chat.completions.create(
            model=worker.peer_id, messages=[{"role": "user", "content": "hi async"}]
        )
    assert "user: hi async" in (response.choices[0].message.content or "")


def test_openai_chat_completion_stream_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        chunks = list(
            client.openai.chat.completions.create(
                model=worker.peer_id, messages=[{"role": "user", "content": "stream"}], stream=True
            )
        )
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert {chunk.agentfm_peer_id for chunk in chunks} == {worker.peer_id}
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert "user: stream" in text


async def test_openai_chat_completion_stream_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        worker = (await client.workers.list(agent_name="translator"))[0]
        stream = await client.openai.chat.completions.create(
            model=worker.peer_id,
            messages=[{"role": "user", "content": "stream async"}],
            stream=True,
        )
        pieces = [chunk.choices[0].delta.content or "" async for chunk in stream]
    assert "user: stream async" in "".join(pieces)


def test_openai_text_completion_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client:
        worker = client.workers.list(agent_name="translator")[0]
        response = client.openai.completions.create(model=worker.peer_id, prompt="Once upon")
        streamed = list(
            client.openai.completions.create(model=worker.peer_id, prompt="a time", stream=True)
        )
    assert response.object == "text_completion"
    assert "Once upon" in response.choices[0].text
    assert "a time" in "".join(chunk.choices[0].text for chunk in streamed)
    assert streamed[-1].choices[0].finish_reason == "stop"


async def test_openai_text_completion_async(recorded_gateway: RecordedGateway) -> None:
    async with _async_client(recorded_gateway) as client:
        response = await client.openai.completions.create(model="llama3.2", prompt="By engine")
        stream = await client.openai.completions.create(
            model="llama3.2", prompt="Streamed by engine", stream=True
        )
        streamed = [chunk async for chunk in stream]
    assert "By engine" in response.choices[0].text
    assert "Streamed by engine" in "".join(chunk.choices[0].text for chunk in streamed)


def test_openai_model_not_found_sync(recorded_gateway: RecordedGateway) -> None:
    with _client(recorded_gateway) as client, pytest.raises(ModelNotFoundError) as raised:
        client.openai.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert (raised.value.code, raised.value.status) == ("model_not_found", 404)
