"""The model layer reads what every gateway generation sends (gateway-versions.md §7, §8, §11, §15).

Each route is fed the field set of 1.1.0/1.2.0 (the 14 worker keys, 17 model-entry keys, chunks
without `agentfm_*` ids) and of 1.3.0; a missing field takes 0.3.0's default, an unknown one is
kept, and a wrong type is a `GatewayProtocolError` naming the field, raised where the answer is
read. Then the pydantic-style API the 0.3.0 models had, and the peer ids the task routes accept.
The bodies are built from the facts sheet's field lists: these are unit tests of the reader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    GatewayProtocolError,
    InvalidPeerIdError,
    WorkerNotFoundError,
)
from agentfm.models import (
    About,
    AsyncTaskAck,
    Health,
    PeerSummary,
    ScatterResult,
    TaskChunk,
    TaskResult,
    WorkerProfile,
    WorkersResponse,
    read_answer,
)
from agentfm.openai.models import (
    ChatChoice,
    ChatChoiceDelta,
    ChatChunkChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    CompletionChoice,
    ModelEntry,
    ModelsList,
    TextCompletion,
    TextCompletionChunk,
    TextCompletionChunkChoice,
    Usage,
    coerce_messages,
)
from agentfm.webhook import WebhookPayload

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
PEER_2 = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"

# --- The field sets of each generation (gateway-versions.md) ------------------------------------


def worker_v12(peer_id: str = PEER, **changes: Any) -> dict[str, Any]:
    """The 14 keys every generation sends for a worker (1.1.0 and 1.2.0 send nothing else)."""
    worker = {
        "peer_id": peer_id,
        "author": "alice",
        "name": "drafter",
        "status": "AVAILABLE",
        "hardware": "llama3.2 (CPU: 8 Cores)",
        "description": "writes drafts",
        "cpu_usage_pct": 12.5,
        "ram_free_gb": 7,
        "current_tasks": 1,
        "max_tasks": 4,
        "has_gpu": False,
        "gpu_used_gb": 0,
        "gpu_total_gb": 0,
        "gpu_usage_pct": 0,
    }
    return {**worker, **changes}


def worker_v13(peer_id: str = PEER, **changes: Any) -> dict[str, Any]:
    """The 14 keys plus what 1.3.0 adds (trust, liveness, image; ? keys omitted when empty)."""
    return worker_v12(
        peer_id,
        **{
            "agent_image_ref": "ghcr.io/alice/drafter:1",
            "honesty_score": 0.4,
            "is_equivocator": False,
            "dispatch_allowed": True,
            "online": True,
            "last_seen": "2026-07-01T10:00:00.123456789+02:00",
            **changes,
        },
    )


def listing_v12(*workers: dict[str, Any]) -> dict[str, Any]:
    return {"agents": list(workers), "success": True}


def listing_v13(*workers: dict[str, Any]) -> dict[str, Any]:
    return {
        "agents": list(workers),
        "offline_count": 0,
        "online_count": len(workers),
        "success": True,
    }


def model_entry_v12(**changes: Any) -> dict[str, Any]:
    """The 17 keys of a 1.2.0 `/v1/models` entry (the ? keys present)."""
    entry = {
        "id": PEER,
        "object": "model",
        "created": 1767225600,
        "owned_by": "alice",
        "description": "drafter · llama3.2 — writes drafts",
        "agentfm_name": "drafter",
        "agentfm_engine": "llama3.2",
        "agentfm_status": "AVAILABLE",
        "agentfm_hardware": "llama3.2 (CPU: 8 Cores)",
        "agentfm_current_tasks": 0,
        "agentfm_max_tasks": 4,
        "agentfm_cpu_usage_pct": 3.5,
        "agentfm_ram_free_gb": 7.0,
        "agentfm_has_gpu": False,
        "agentfm_gpu_used_gb": 0,
        "agentfm_gpu_total_gb": 0,
        "agentfm_gpu_usage_pct": 0,
    }
    return {**entry, **changes}


def chat_chunk_v12(
    content: str, role: str = "", finish_reason: str | None = None
) -> dict[str, Any]:
    """A 1.2.0 chat chunk: `id`, `object`, `created`, `model`, `choices` only."""
    return {
        "id": "chatcmpl-0123456789abcdef01234567",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "drafter",
        "choices": [
            {
                "index": 0,
                "delta": {"role": role, "content": content},
                "finish_reason": finish_reason,
            }
        ],
    }


def sse(*chunks: dict[str, Any]) -> bytes:
    frames = [f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n" for chunk in chunks]
    return ("".join(frames) + "data: [DONE]\n\n").encode()


# --- A gateway double -------------------------------------------------------------------------


class Gateway:
    """Answers each request with `answer(request)` and records the requests."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def client(self) -> AgentFMClient:
        transport = httpx.MockTransport(self)
        return AgentFMClient(
            "http://gw.test", api_key=None, retries=0, http_client=httpx.Client(transport=transport)
        )

    def async_client(self) -> AsyncAgentFMClient:
        transport = httpx.MockTransport(self)
        return AsyncAgentFMClient(
            "http://gw.test",
            api_key=None,
            retries=0,
            http_client=httpx.AsyncClient(transport=transport),
        )


def json_gateway(body: Any, status: int = 200) -> Gateway:
    return Gateway(lambda _: httpx.Response(status, json=body))


# --- /api/workers ------------------------------------------------------------------------------


def test_a_1_2_worker_list_reads_with_0_3_0_defaults_for_what_it_lacks() -> None:
    with json_gateway(
        listing_v12(worker_v12(), worker_v12(PEER_2, hardware="mistral (CPU: 2 Cores)"))
    ).client() as client:
        workers = client.workers.list()
        llama = client.workers.list(model="llama3.2", available_only=True)
        got = client.workers.get(PEER_2)
    first = workers[0]
    assert (first.peer_id, first.name, first.author, first.model) == (
        PEER,
        "drafter",
        "alice",
        "llama3.2",
    )
    assert first.ram_free_gb == 7.0
    assert isinstance(first.ram_free_gb, float)
    # 1.3.0's fields, absent here: 0.3.0's defaults (trust neutral, online, dispatchable).
    assert (first.online, first.dispatch_allowed, first.is_equivocator) == (True, True, False)
    assert first.honesty_score == 0.0
    assert (first.last_seen, first.agent_image_ref, first.dispatch_refuse_reason) == (
        None,
        None,
        None,
    )
    assert first.is_available
    assert first.load_ratio == 0.25
    assert [worker.peer_id for worker in llama] == [PEER]
    assert got.model == "mistral"


def test_a_1_2_listing_has_zero_counts_and_a_1_3_listing_its_own() -> None:
    old = read_answer(WorkersResponse, listing_v12(worker_v12()))
    new = read_answer(WorkersResponse, listing_v13(worker_v13(), worker_v13(PEER_2, online=False)))
    assert (old.success, old.online_count, old.offline_count) == (True, 0, 0)
    assert (new.online_count, new.offline_count) == (2, 0)
    current = new.agents[0]
    assert current.honesty_score == 0.4
    assert current.agent_image_ref == "ghcr.io/alice/drafter:1"
    assert current.last_seen is not None
    assert current.last_seen.microsecond == 123456
    assert not new.agents[1].online
    assert not new.agents[1].is_available


def test_a_1_1_worker_list_with_only_peer_ids_still_lists() -> None:
    # The leanest answer a test double sends: every other key takes its default.
    listing = read_answer(WorkersResponse, {"agents": [{"peer_id": "worker-a"}]})
    (worker,) = listing.agents
    assert (worker.author, worker.status, worker.hardware, worker.model) == (
        "Anonymous",
        "UNKNOWN",
        "",
        "",
    )
    assert (worker.current_tasks, worker.max_tasks, worker.load_ratio) == (0, 0, 0.0)
    assert not worker.is_available  # status UNKNOWN
    assert read_answer(WorkersResponse, {}).agents == []


def test_unknown_worker_keys_are_kept_on_the_model() -> None:
    body = listing_v13(worker_v13(agent_capability_v2="summarize", nested={"a": [1]}))
    listing = read_answer(WorkersResponse, {**body, "region": "eu"})
    worker = listing.agents[0]
    assert worker.model_extra == {"agent_capability_v2": "summarize", "nested": {"a": [1]}}
    assert worker.agent_capability_v2 == "summarize"  # type: ignore[attr-defined]
    assert worker.model_dump()["nested"] == {"a": [1]}
    assert worker.raw["agent_capability_v2"] == "summarize"
    assert listing.model_extra == {"region": "eu"}
    with pytest.raises(AttributeError):
        _ = worker.not_sent  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("worker", "field"),
    [
        (worker_v12(hardware=7), "hardware"),
        (worker_v12(peer_id=5), "peer_id"),
        (worker_v12(current_tasks="1"), "current_tasks"),
        (worker_v12(has_gpu="no"), "has_gpu"),
        (worker_v13(online=1), "online"),
        (worker_v13(last_seen="yesterday"), "last_seen"),
        ({k: v for k, v in worker_v12().items() if k != "peer_id"}, "peer_id"),
    ],
)
def test_a_wrong_typed_or_missing_essential_worker_field_is_a_protocol_error_naming_it(
    worker: dict[str, Any], field: str
) -> None:
    with json_gateway(listing_v12(worker)).client() as client:
        with pytest.raises(GatewayProtocolError, match=rf"agents\[0\]\.{field}") as raised:
            client.workers.list(model="llama3.2")
        assert raised.value.code == "unexpected_body"
        with pytest.raises(GatewayProtocolError, match=field):
            client.workers.get(PEER)


def test_a_wrong_typed_peer_id_fails_scatter_by_model_as_a_protocol_error() -> None:
    # Never a TypeError from deep inside the scheduler: the listing is refused where it is
    # read, and the batch reports that refusal (as an exception or as failed results).
    with json_gateway(listing_v12(worker_v12(peer_id=5))).client() as client:
        outcome: list[ScatterResult] | GatewayProtocolError
        try:
            outcome = client.tasks.scatter_by_model(["p"], model="llama3.2")
        except GatewayProtocolError as error:
            outcome = error
    if isinstance(outcome, GatewayProtocolError):
        assert "agents[0].peer_id" in outcome.message
    else:
        assert [result.error_code for result in outcome] == ["unexpected_body"]
        assert "agents[0].peer_id" in (outcome[0].error or "")


@pytest.mark.parametrize(
    "body", [{"agents": {"peer_id": PEER}}, {"agents": [7]}, [worker_v12()], "ok"]
)
def test_a_listing_of_the_wrong_shape_is_a_protocol_error(body: Any) -> None:
    with json_gateway(body).client() as client, pytest.raises(GatewayProtocolError):
        client.workers.list()


def test_workers_get_of_an_unlisted_id_is_worker_not_found() -> None:
    gateway = json_gateway(listing_v12(worker_v12()))
    with gateway.client() as client:
        for wanted in ("llama3.2", "12D3KooWnot-listed", PEER_2):
            with pytest.raises(WorkerNotFoundError):
                client.workers.get(wanted)
    assert len(gateway.requests) == 3  # each asked the gateway: no local refusal


async def test_the_async_client_reads_1_2_listings_too() -> None:
    async with json_gateway(listing_v12(worker_v12(PEER_2))).async_client() as client:
        (worker,) = await client.workers.list(model="LLAMA3.2")
        assert (await client.workers.get(PEER_2)).peer_id == PEER_2
    assert worker.online
    assert worker.dispatch_allowed


# --- /v1/models --------------------------------------------------------------------------------


def test_a_1_2_models_list_reads_with_trust_defaults() -> None:
    body = {"object": "list", "data": [model_entry_v12(), {"id": PEER_2, "created": 1}]}
    with json_gateway(body).client() as client:
        models = client.openai.models.list()
    full, lean = models
    assert full.agentfm_engine == "llama3.2"
    assert full.agentfm_ram_free_gb == 7.0
    assert (full.agentfm_honesty_score, full.agentfm_is_equivocator) == (0.0, False)
    assert (full.agentfm_dispatch_allowed, full.agentfm_online) == (True, True)
    assert (full.agentfm_image_ref, full.agentfm_dispatch_refuse_reason) == (None, None)
    assert (lean.object, lean.owned_by, lean.agentfm_name, lean.agentfm_max_tasks) == (
        "model",
        "agentfm",
        None,
        0,
    )


def test_a_1_3_model_entry_keeps_its_trust_fields_and_unknown_keys() -> None:
    entry = model_entry_v12(
        agentfm_honesty_score=-1.0,
        agentfm_is_equivocator=True,
        agentfm_dispatch_allowed=False,
        agentfm_dispatch_refuse_reason="peer_is_equivocator",
        agentfm_online=True,
        agentfm_last_seen="2026-07-01T10:00:00Z",
    )
    read = read_answer(ModelsList, {"object": "list", "data": [entry]}).data[0]
    assert (read.agentfm_honesty_score, read.agentfm_dispatch_allowed) == (-1.0, False)
    assert read.agentfm_dispatch_refuse_reason == "peer_is_equivocator"
    assert read.model_extra == {"agentfm_last_seen": "2026-07-01T10:00:00Z"}


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (model_entry_v12(agentfm_max_tasks="4"), "agentfm_max_tasks"),
        (model_entry_v12(id=None), "id"),
        ({k: v for k, v in model_entry_v12().items() if k != "id"}, "id"),
        (model_entry_v12(agentfm_online="yes"), "agentfm_online"),
    ],
)
def test_a_bad_model_entry_is_a_protocol_error_naming_the_field(
    entry: dict[str, Any], field: str
) -> None:
    with (
        json_gateway({"object": "list", "data": [entry]}).client() as client,
        pytest.raises(GatewayProtocolError, match=rf"data\[0\]\.{field}"),
    ):
        client.openai.models.list()


# --- chat and text completions -------------------------------------------------------------------


def test_a_1_2_chat_stream_without_agentfm_ids_streams() -> None:
    body = sse(
        chat_chunk_v12("", role="assistant"),
        chat_chunk_v12("hello\n"),
        chat_chunk_v12("", finish_reason="stop"),
    )
    gateway = Gateway(
        lambda _: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )
    with gateway.client() as client:
        chunks = list(
            client.openai.chat.completions.create(
                model=PEER, messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "hello\n"
    assert {(chunk.agentfm_peer_id, chunk.agentfm_task_id) for chunk in chunks} == {(None, None)}
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_chunks_with_missing_delta_keys_read_them_as_none() -> None:
    chunk = read_answer(ChatCompletionChunk, {"choices": [{"delta": {"content": "x"}}]})
    delta = chunk.choices[0].delta
    assert (delta.role, delta.content) == (None, "x")
    assert (chunk.id, chunk.object, chunk.created) == ("", "chat.completion.chunk", 0)
    bare = read_answer(ChatCompletionChunk, {"choices": [{}]}).choices[0]
    assert (bare.index, bare.delta.role, bare.delta.content, bare.finish_reason) == (
        0,
        None,
        None,
        None,
    )
    text = read_answer(TextCompletionChunk, {"id": "cmpl-1", "choices": [{"text": "a"}]})
    assert (text.object, text.choices[0].finish_reason) == ("text_completion", None)


def test_1_3_chat_chunks_carry_their_ids() -> None:
    chunk = read_answer(
        ChatCompletionChunk,
        {**chat_chunk_v12("x"), "agentfm_peer_id": PEER, "agentfm_task_id": "task_1"},
    )
    assert (chunk.agentfm_peer_id, chunk.agentfm_task_id) == (PEER, "task_1")


@pytest.mark.parametrize("model", [ChatCompletion, TextCompletion])
def test_a_completion_without_usage_reads_zeros(
    model: type[ChatCompletion] | type[TextCompletion],
) -> None:
    lean = read_answer(model, {"id": "x", "created": 1, "model": "m", "choices": []})
    assert lean.usage == Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0)


def test_a_non_streamed_chat_body_with_a_bad_field_is_a_protocol_error() -> None:
    body = {
        "id": "x",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": ["parts"]}}],
    }
    with (
        json_gateway(body).client() as client,
        pytest.raises(GatewayProtocolError, match=r"choices\[0\]\.message\.content"),
    ):
        client.openai.chat.completions.create(
            model=PEER, messages=[{"role": "user", "content": "hi"}]
        )


# --- async acks, /health, /v1/about, peers --------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202])
def test_an_ack_of_any_2xx_with_only_a_task_id_is_read(status: int) -> None:
    with json_gateway({"task_id": "task_1"}, status).client() as client:
        ack = client.tasks.submit_async(worker_id=PEER, prompt="hi")
    assert (ack.task_id, ack.status, ack.message) == ("task_1", "queued", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "queued"}, "task_id"),
        ({"task_id": 7}, "task_id"),
        ({"task_id": "t", "status": 1}, "status"),
    ],
)
def test_an_ack_without_a_usable_task_id_is_a_protocol_error(
    body: dict[str, Any], field: str
) -> None:
    with (
        json_gateway(body, 202).client() as client,
        pytest.raises(GatewayProtocolError, match=field),
    ):
        client.tasks.submit_async(worker_id=PEER, prompt="hi")


def test_a_non_json_2xx_ack_is_a_protocol_error() -> None:
    with Gateway(lambda _: httpx.Response(202, text="queued")).client() as client:
        with pytest.raises(GatewayProtocolError) as raised:
            client.tasks.submit_async(worker_id=PEER, prompt="hi")
        assert raised.value.code == "unexpected_body"


def test_health_and_about_read_what_they_get() -> None:
    with json_gateway({"status": "ok"}).client() as client:
        assert client.ping()
    with json_gateway({"status": "ok", "online_workers": "3"}).client() as client:
        assert not client.ping()  # a malformed answer is not a healthy gateway
    assert read_answer(Health, {"status": "ok"}).online_workers == 0
    about = read_answer(About, {"version": "1.3.0", "future": True})
    assert (about.version, about.reputation_floor, about.boss_peer_id) == ("1.3.0", 0.0, "")
    with pytest.raises(GatewayProtocolError, match=r"About\.reputation_floor"):
        read_answer(About, {"reputation_floor": "-0.5"})


def test_a_peer_card_reads_leniently_and_refuses_wrong_types() -> None:
    with json_gateway({"peer_id": PEER, "online": False, "extra": 1}).client() as client:
        card = client.peers.get(PEER)
    assert isinstance(card, PeerSummary)
    assert (card.online, card.honesty_score, card.entries_count, card.author) == (
        False,
        0.0,
        0,
        None,
    )
    assert card.rater_summary.verified_raters_count == 0
    assert card.model_extra == {"extra": 1}
    wrong = {"peer_id": PEER, "rater_summary": {"verified_raters_count": "2"}}
    expected = r"rater_summary\.verified_raters_count"
    with (
        json_gateway(wrong).client() as client,
        pytest.raises(GatewayProtocolError, match=expected),
    ):
        client.peers.get(PEER)


def test_the_peers_routes_keep_their_check_for_a_real_peer_id() -> None:
    # /v1/peers/{id} decodes the id (400 bad_peer_id), so a non-id is refused before sending.
    gateway = json_gateway({})
    with gateway.client() as client, pytest.raises(InvalidPeerIdError):
        client.peers.get("not-a-peer")
    assert gateway.requests == []


# --- the 0.3.0 pydantic-style API and constructor defaults ---------------------------------------


def test_constructors_take_0_3_0_keyword_arguments_with_their_defaults(tmp_path: Path) -> None:
    worker = WorkerProfile(peer_id="fake-peer")
    assert (worker.author, worker.status, worker.current_tasks, worker.model) == (
        "Anonymous",
        "UNKNOWN",
        0,
        "",
    )
    assert WorkerProfile(peer_id="p", name="n").agent_name == "n"
    result = TaskResult(text="done")
    assert (result.worker_id, result.artifacts, result.duration_seconds) == ("", [], 0.0)
    assert TaskResult(text="x", worker_id="w", artifacts=[tmp_path]).artifacts == [tmp_path]
    assert (TaskChunk(text="a").kind, TaskChunk(text="a").marker) == ("text", None)
    assert WorkersResponse().model_dump() == {
        "agents": [],
        "offline_count": 0,
        "online_count": 0,
        "success": True,
    }
    assert AsyncTaskAck(task_id="t") == AsyncTaskAck(task_id="t", status="queued", message="")
    scatter = ScatterResult(prompt="p", worker_id="w", status="failed", error="boom")
    assert (scatter.text, scatter.artifacts) == ("", [])
    assert WebhookPayload(status="completed", task_id="t", worker_id="w").task_id == "t"
    assert ChatMessage("user", "hi") == ChatMessage(role="user", content="hi")
    assert ChatCompletion(id="x", created=1, model="m").object == "chat.completion"
    assert ModelEntry(id=PEER).owned_by == "agentfm"
    with pytest.raises(TypeError):
        WorkerProfile()  # type: ignore[call-arg]  # the one field a worker cannot lack


def test_model_dump_validate_copy_and_fields_behave_as_in_0_3_0(tmp_path: Path) -> None:
    worker = WorkerProfile.model_validate(worker_v13())
    assert WorkerProfile.model_validate(worker) is worker
    dumped = worker.model_dump()
    assert dumped["peer_id"] == PEER
    assert dumped["ram_free_gb"] == 7.0
    assert WorkerProfile.model_validate(dumped) == worker
    as_json = json.loads(worker.model_dump_json())
    assert as_json["last_seen"].startswith("2026-07-01T10:00:00.123456")
    assert "agent_image_digest" not in worker.model_dump(exclude_none=True)
    assert worker.model_dump(include={"peer_id", "name"}) == {"peer_id": PEER, "name": "drafter"}
    copy = worker.model_copy(update={"status": "BUSY"})
    assert (copy.status, worker.status, copy.peer_id) == ("BUSY", "AVAILABLE", PEER)
    assert not copy.is_available
    fields = WorkerProfile.model_fields
    assert {"peer_id", "hardware", "honesty_score", "online"} <= set(fields)
    assert fields["peer_id"].is_required()
    assert not fields["online"].is_required()
    assert fields["online"].default is True
    result = TaskResult(text="t", worker_id="w", artifacts=[tmp_path / "a.txt"])
    assert json.loads(result.model_dump_json())["artifacts"] == [str(tmp_path / "a.txt")]
    assert TaskResult.model_validate(result.model_dump(mode="json")) == result
    with pytest.raises(ValueError, match=r"WorkerProfile\.current_tasks"):
        WorkerProfile.model_validate({"peer_id": "p", "current_tasks": "many"})


def test_the_0_3_0_openai_names_and_coerce_messages() -> None:
    chat = read_answer(
        ChatCompletion,
        {
            "id": "x",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "hi"},
                    "finish_reason": "stop",
                }
            ],
        },
    )
    assert isinstance(chat.choices[0], ChatChoice)
    assert chat.choices[0].message.content == "hi"
    assert isinstance(
        read_answer(ChatCompletionChunk, chat_chunk_v12("x")).choices[0], ChatChunkChoice
    )
    assert ChatChoiceDelta().role is None
    assert CompletionChoice(text="a").finish_reason is None
    assert TextCompletionChunkChoice().text == ""
    message = ChatMessage.model_validate({"role": "user", "content": "hi", "name": "bob"})
    assert coerce_messages([message, {"role": "system", "content": "be brief"}]) == [
        {"role": "user", "content": "hi", "name": "bob"},
        {"role": "system", "content": "be brief"},
    ]
    assert coerce_messages([ChatMessage(role="assistant", content=None)]) == [{"role": "assistant"}]
    with pytest.raises(TypeError, match="int"):
        coerce_messages([7])  # type: ignore[list-item]


def test_a_message_with_extra_keys_is_sent_with_them() -> None:
    gateway = json_gateway({"id": "x", "created": 1, "model": "m", "choices": []})
    message = ChatMessage.model_validate({"role": "user", "content": "hi", "name": "bob"})
    with gateway.client() as client:
        client.openai.chat.completions.create(model=PEER, messages=[message])
    sent = json.loads(gateway.requests[0].content)
    assert sent["messages"] == [{"role": "user", "content": "hi", "name": "bob"}]


# --- peer ids on the task routes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "peer",
    [
        "12D3KooWfake",
        "worker-1",
        PEER_2,
        "bafzbeigai3eoy2ccc7ybwjfz5r3rdxqrinwi4rwytly24tdbh6yk7zslrm",
    ],
)
def test_any_non_empty_peer_id_reaches_the_gateway(peer: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/workers":
            return httpx.Response(200, json=listing_v12(worker_v12(peer)))
        if request.url.path == "/api/execute/async":
            return httpx.Response(202, json={"task_id": "task_1"})
        return httpx.Response(200, content=b"ok\n\n[AGENTFM: NO_FILES]\n")

    gateway = Gateway(answer)
    with gateway.client() as client:
        assert client.workers.get(peer).peer_id == peer
        assert client.tasks.run(worker_id=peer, prompt="hi").text.startswith("ok")
        assert "".join(
            chunk.text for chunk in client.tasks.stream(worker_id=peer, prompt="hi")
        ).startswith("ok")
        client.tasks.submit_async(worker_id=peer, prompt="hi")
    sent = [
        json.loads(request.content)["worker_id"] for request in gateway.requests if request.content
    ]
    assert sent == [peer, peer, peer]


# --- a new gateway field is one spec edit -------------------------------------------------------


@pytest.mark.timeout(300)
def test_a_property_added_to_the_spec_becomes_a_defaulted_model_field(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    tools_python = root / ".tools" / "codegen" / "bin" / "python"
    assert tools_python.exists(), "run `make setup` first: the pinned generator tools are missing"
    spec = (root / "schema" / "openapi.yaml").read_text(encoding="utf-8")
    anchor = (
        "        peer_id:\n          type: string\n          description: The worker's peer id;"
    )
    assert spec.count(anchor) == 1
    added = "        gpu_temp_c:\n          type: number\n          x-agentfm-since: '1.4.0'\n"
    (tmp_path / "openapi.yaml").write_text(spec.replace(anchor, added + anchor), "utf-8")
    render = [str(tools_python), str(root / "codegen" / "render.py")]
    render += ["--write", str(tmp_path), "--spec", str(tmp_path / "openapi.yaml")]
    subprocess.run(render, check=True, capture_output=True, timeout=300)
    probe = (
        "from agentfm_gateway.records import WorkerProfile as W\n"
        "print(W.model_fields['gpu_temp_c'].default, W.model_validate({'peer_id': 'p'}).gpu_temp_c,"
        " W.model_validate({'peer_id': 'p', 'gpu_temp_c': 61}).gpu_temp_c)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert completed.stdout.split() == ["None", "None", "61.0"]
