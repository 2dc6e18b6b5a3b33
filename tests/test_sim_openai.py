"""The OpenAI-compatible routes: models, chat and text completions, matcher tiers, SSE."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from conftest import SimProcess

from agentfm.testing import MeshSimulator
from agentfm.testing._output import TaskScript

FAST = {"name": "fast", "engine": "llama3.2", "delay_seconds": 0.0, "max_tasks": 4}
WRITER = {
    "name": "writer",
    "engine": "mistral",
    "delay_seconds": 0.0,
    "description": "writes files",
    "author": "wendy",
    "files": {"out.md": "# out\n"},
}
SLOW = {"name": "slow", "engine": "llama3.2", "delay_seconds": 30.0, "max_tasks": 1}
ID_PATTERN = {
    "chat": re.compile(r"^chatcmpl-[0-9a-f]{24}$"),
    "text": re.compile(r"^cmpl-[0-9a-f]{24}$"),
}
SSE_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
}


def _envelope(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == ("server_error" if status >= 500 else "invalid_request_error")
    message: str = error["message"]
    return message


def _filtered(raw: bytes) -> str:
    """What the OpenAI routes make of a raw task stream (5.10), written independently."""
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    kept = [line.removesuffix(b"\r") for line in lines]
    return "".join(
        line.decode() + "\n" for line in kept if not line.lstrip(b" \t").startswith(b"[AGENTFM:")
    )


def _raw_output(mesh: MeshSimulator, worker: str, prompt: str) -> bytes:
    response = httpx.post(mesh.url + "/api/execute", json={"worker_id": worker, "prompt": prompt})
    return response.content


def _chat(mesh: MeshSimulator, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(mesh.url + "/v1/chat/completions", json=body)


def _frames(response: httpx.Response) -> list[str]:
    text = response.text
    assert text.endswith("\n\n")
    frames = text[:-2].split("\n\n")
    assert all(frame.startswith("data: ") for frame in frames)
    return [frame[len("data: ") :] for frame in frames]


# --- /v1/models -----------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(
    workers=[
        WRITER,
        {
            "name": "gpu",
            "engine": "llama3.2",
            "has_gpu": True,
            "gpu_total_gb": 16,
            "gpu_used_gb": 4,
        },
        {"name": "liar", "engine": "llama3.2", "is_equivocator": True, "author": ""},
    ]
)
def test_models_list(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["object", "data"]
    assert body["object"] == "list"
    entries = {entry["agentfm_name"]: entry for entry in body["data"]}
    assert set(entries) == {"writer", "gpu", "liar"}  # not trust-filtered
    writer, gpu, liar = entries["writer"], entries["gpu"], entries["liar"]
    assert list(writer)[:4] == ["id", "object", "created", "owned_by"]
    assert len({entry["created"] for entry in body["data"]}) == 1
    assert writer["object"] == "model"
    assert writer["owned_by"] == "wendy"
    assert liar["owned_by"] == "agentfm"
    assert writer["description"] == "writer · mistral — writes files"
    assert gpu["description"] == "gpu · llama3.2"
    assert writer["agentfm_engine"] == "mistral"
    assert writer["agentfm_status"] == "AVAILABLE"
    assert writer["agentfm_hardware"] == "mistral (CPU: 8 Cores)"
    assert gpu["agentfm_hardware"] == "llama3.2 (GPU VRAM: 4.0/16.0 GB)"
    assert gpu["agentfm_has_gpu"] is True
    assert writer["agentfm_online"] is True
    assert "agentfm_last_seen" not in writer
    assert writer["agentfm_dispatch_allowed"] is True
    assert "agentfm_dispatch_refuse_reason" not in writer
    assert liar["agentfm_dispatch_allowed"] is False
    assert liar["agentfm_dispatch_refuse_reason"] == "peer_is_equivocator"
    assert liar["agentfm_honesty_score"] == -1
    assert writer["id"] == agentfm_mesh.worker("writer").peer_id
    wrong = httpx.post(agentfm_mesh.url + "/v1/models")
    assert _envelope(wrong, 405, "method_not_allowed") == "GET only"


# --- chat, non-streaming -------------------------------------------------------------------


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_chat_completion_body(agentfm_mesh: MeshSimulator) -> None:
    peer = agentfm_mesh.workers[0].peer_id
    messages = [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "Hi"},
        {"role": "", "content": "x"},
        {"role": "user", "content": None},
        {"role": "tool", "content": ""},
    ]
    response = _chat(agentfm_mesh, {"model": f" {peer} ", "messages": messages, "temperature": 2})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert ID_PATTERN["chat"].match(body["id"])
    assert body["object"] == "chat.completion"
    assert body["model"] == f" {peer} "  # echoed exactly as sent
    assert body["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    [choice] = body["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    prompt = "system: Be brief\n\nuser: Hi\n\nuser: x\n\nassistant:"
    content = choice["message"]["content"]
    assert content == _filtered(_raw_output(agentfm_mesh, peer, prompt))
    assert content.startswith(f"fast (llama3.2) received: {prompt}\n")
    assert content.endswith("\n\n")  # the blank line before the sentinel survives
    assert "[AGENTFM:" not in content


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_chat_validation(agentfm_mesh: MeshSimulator) -> None:
    url = agentfm_mesh.url + "/v1/chat/completions"
    ok_messages = [{"role": "user", "content": "hi"}]
    cases: list[tuple[bytes, int, str, str]] = [
        (b"{", 400, "invalid_request_error", "invalid JSON payload"),
        (
            json.dumps(
                {"model": "fast", "messages": [{"role": "user", "content": [{"type": "text"}]}]}
            ).encode(),
            400,
            "invalid_request_error",
            "invalid JSON payload",
        ),
        (
            json.dumps({"model": "fast", "messages": ok_messages, "stream": "yes"}).encode(),
            400,
            "invalid_request_error",
            "invalid JSON payload",
        ),
        (
            json.dumps({"messages": ok_messages}).encode(),
            400,
            "model_required",
            "field 'model' is required",
        ),
        (
            json.dumps({"model": "  ", "messages": ok_messages}).encode(),
            400,
            "model_required",
            "field 'model' is required",
        ),
        (
            json.dumps({"model": "fast", "messages": []}).encode(),
            400,
            "prompt_required",
            "field 'messages' must contain at least one message",
        ),
    ]
    for body, status, code, message in cases:
        assert _envelope(httpx.post(url, content=body), status, code) == message, body
    assert _envelope(httpx.get(url), 405, "method_not_allowed") == "POST only"
    empty = _chat(agentfm_mesh, {"model": "fast", "messages": [{"role": "user", "content": ""}]})
    content = empty.json()["choices"][0]["message"]["content"]
    assert content.startswith("fast (llama3.2) received: assistant:\n")


# --- the matcher ------------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(
    workers=[
        {**FAST, "name": "Llama3.2", "engine": "other", "max_tasks": 1},
        {**FAST, "name": "a", "cpu_usage_pct": 40.0},
        {**FAST, "name": "b", "cpu_usage_pct": 10.0},
        {**FAST, "name": "liar", "engine": "trusty", "is_equivocator": True},
        {**FAST, "name": "low", "engine": "trusty", "honesty_score": -0.9},
    ]
)
def test_matcher_tiers(agentfm_mesh: MeshSimulator) -> None:
    def served_by(model: str) -> str:
        content = _chat(agentfm_mesh, {"model": model, "messages": [{"content": "q"}]}).json()
        return str(content["choices"][0]["message"]["content"].split(" ", 1)[0])

    a, b = agentfm_mesh.worker("a"), agentfm_mesh.worker("b")
    assert served_by(a.peer_id) == "a"  # tier 1: exact peer id
    assert served_by("A") == "a"  # tier 2: agent name, case-insensitive
    assert served_by(b.peer_id) == "b"
    assert served_by("OTHER") == "Llama3.2"  # tier 3: engine, case-insensitive
    # "llama3.2" names the busy worker in tier 2; the engine tier (a, b) is never consulted.
    busy = agentfm_mesh.worker("Llama3.2")
    assert served_by("llama3.2") == "Llama3.2"
    busy.delay_seconds = 30.0
    with httpx.stream(
        "POST",
        agentfm_mesh.url + "/api/execute",
        json={"worker_id": busy.peer_id, "prompt": "hold"},
    ) as holding:
        assert holding.status_code == 200
        overloaded = _chat(agentfm_mesh, {"model": "llama3.2", "messages": [{"content": "q"}]})
        message = _envelope(overloaded, 503, "mesh_overloaded")
        assert message == "all workers matching model 'llama3.2' are at capacity"
    # Refused peers are invisible to routing: 404, not 403.
    for model in ("trusty", agentfm_mesh.worker("liar").peer_id, "nothing-like-this"):
        missing = _chat(agentfm_mesh, {"model": model, "messages": [{"content": "q"}]})
        assert _envelope(missing, 404, "model_not_found").startswith(
            f"model '{model}' not available on this mesh."
        )


@pytest.mark.agentfm_mesh(
    workers=[
        {**FAST, "name": "a", "cpu_usage_pct": 5.0, "max_tasks": 2, "delay_seconds": 30.0},
        {**FAST, "name": "b", "cpu_usage_pct": 50.0, "max_tasks": 2, "delay_seconds": 30.0},
    ]
)
def test_matcher_prefers_the_least_loaded_then_the_lower_cpu(agentfm_mesh: MeshSimulator) -> None:
    a, b = agentfm_mesh.worker("a"), agentfm_mesh.worker("b")
    with (
        httpx.Client(timeout=30) as client,
        client.stream(
            "POST",
            agentfm_mesh.url + "/v1/chat/completions",
            json={"model": "llama3.2", "messages": [{"content": "1"}], "stream": True},
        ) as first,
    ):
        # Keep the line iterators referenced: dropping one closes its connection.
        first_lines = first.iter_lines()
        first_chunk = json.loads(next(first_lines)[len("data: ") :])
        assert first_chunk["agentfm_peer_id"] == a.peer_id  # equal load: lower CPU
        with client.stream(
            "POST",
            agentfm_mesh.url + "/v1/chat/completions",
            json={"model": "llama3.2", "messages": [{"content": "2"}], "stream": True},
        ) as second:
            second_lines = second.iter_lines()
            second_chunk = json.loads(next(second_lines)[len("data: ") :])
            assert second_chunk["agentfm_peer_id"] == b.peer_id  # a is now more loaded


@pytest.mark.agentfm_mesh(
    workers=[
        {**FAST, "name": "gone", "fail_mode": "unreachable"},
        {**FAST, "name": "drop", "fail_mode": "drop"},
    ]
)
def test_dial_and_stream_failures(agentfm_mesh: MeshSimulator) -> None:
    gone = _chat(agentfm_mesh, {"model": "gone", "messages": [{"content": "q"}]})
    assert _envelope(gone, 502, "worker_unreachable").startswith("failed to reach worker: ")
    dropped = _chat(agentfm_mesh, {"model": "drop", "messages": [{"content": "q"}]})
    assert (
        _envelope(dropped, 502, "worker_stream_failed") == "worker stream read failed: stream reset"
    )
    text = httpx.post(agentfm_mesh.url + "/v1/completions", json={"model": "gone", "prompt": "q"})
    assert _envelope(text, 502, "worker_unreachable").startswith("failed to reach worker: ")


# --- chat, streaming ---------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(workers=[WRITER])
def test_chat_stream_sequence_and_artifacts(agentfm_mesh: MeshSimulator) -> None:
    peer = agentfm_mesh.workers[0].peer_id
    response = _chat(
        agentfm_mesh,
        {"model": "writer", "messages": [{"role": "user", "content": "go"}], "stream": True},
    )
    assert response.status_code == 200
    for key, value in SSE_HEADERS.items():
        assert response.headers[key] == value
    frames = _frames(response)
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(frame) for frame in frames[:-1]]
    assert len({(chunk["id"], chunk["created"]) for chunk in chunks}) == 1
    assert ID_PATTERN["chat"].match(chunks[0]["id"])
    task_id = chunks[0]["agentfm_task_id"]
    assert re.fullmatch(r"task_[0-9a-f]{24}", task_id)
    for chunk in chunks:
        assert list(chunk) == [
            "id",
            "object",
            "created",
            "model",
            "choices",
            "agentfm_peer_id",
            "agentfm_task_id",
        ]
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == "writer"
        assert (chunk["agentfm_peer_id"], chunk["agentfm_task_id"]) == (peer, task_id)
        [choice] = chunk["choices"]
        assert list(choice) == ["index", "delta", "finish_reason"]
        assert list(choice["delta"]) == ["role", "content"]
    deltas = [chunk["choices"][0] for chunk in chunks]
    assert deltas[0] == {
        "index": 0,
        "delta": {"role": "assistant", "content": ""},
        "finish_reason": None,
    }
    assert deltas[-1] == {"index": 0, "delta": {"role": "", "content": ""}, "finish_reason": "stop"}
    middle = deltas[1:-1]
    assert all(item["delta"]["role"] == "" and item["finish_reason"] is None for item in middle)
    assert all(item["delta"]["content"].endswith("\n") for item in middle)
    streamed = "".join(item["delta"]["content"] for item in middle)
    assert streamed == _filtered(_raw_output(agentfm_mesh, peer, "user: go\n\nassistant:"))
    # The task id names the artifact and its sidecar.
    assert (agentfm_mesh.artifacts_dir / f"{task_id}.zip").exists()
    assert (agentfm_mesh.artifacts_dir / f"{task_id}.meta.json").exists()


@pytest.mark.agentfm_mesh(workers=[{**FAST, "fail_mode": "drop"}])
def test_chat_stream_error_chunk(agentfm_mesh: MeshSimulator) -> None:
    response = _chat(
        agentfm_mesh, {"model": "fast", "messages": [{"content": "q"}], "stream": True}
    )
    frames = _frames(response)
    assert frames[-1] == "[DONE]"
    last = json.loads(frames[-2])["choices"][0]
    assert last == {
        "index": 0,
        "delta": {"role": "", "content": "\n[stream error: stream reset]\n"},
        "finish_reason": "stop",
    }
    contents = [json.loads(frame)["choices"][0]["delta"]["content"] for frame in frames[:-2]]
    assert "" not in contents[1:]  # no empty stop chunk before the error chunk
    # Everything the worker wrote before the break arrives first, its unfinished last line
    # included (bufio.Scanner hands it out before it reports the error).
    prompt = "user: q\n\nassistant:"
    raw = _raw_output(agentfm_mesh, agentfm_mesh.workers[0].peer_id, prompt)
    assert not raw.endswith(b"\n")  # the break fell inside a line
    assert "".join(contents[1:]) == _filtered(raw)
    assert contents[-1] == raw.rsplit(b"\n", 1)[1].decode() + "\n"


def _scripted(monkeypatch: pytest.MonkeyPatch, reads: list[bytes], ending: str) -> None:
    """Every task of the mesh relays exactly `reads`, then ends as `ending`."""

    def script(**_: object) -> TaskScript:
        return TaskScript(tuple(reads), ending)  # type: ignore[arg-type]

    monkeypatch.setattr("agentfm.testing._boss.task_script", script)


def _streamed_text(mesh: MeshSimulator, route: str) -> list[str]:
    if route == "chat":
        body: dict[str, Any] = {"model": "fast", "messages": [{"content": "q"}], "stream": True}
        frames = _frames(_chat(mesh, body))
        return [json.loads(frame)["choices"][0]["delta"]["content"] for frame in frames[1:-1]]
    body = {"model": "fast", "prompt": "q", "stream": True}
    frames = _frames(httpx.post(mesh.url + "/v1/completions", json=body))
    return [json.loads(frame)["choices"][0]["text"] for frame in frames[:-1]]


@pytest.mark.agentfm_mesh(workers=[FAST])
@pytest.mark.parametrize("route", ["chat", "text"])
def test_lines_lose_their_trailing_carriage_returns(
    agentfm_mesh: MeshSimulator, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    # The gateway drops every trailing `\r` of a line (`a\r\r\n` arrives as `a\n`), also at the
    # end of an unterminated last line; a `\r` inside a line stays.
    reads = [b"a\r\r", b"\nb\r\nc\rd\n\r\n\n  [AGENTFM: x]\r\n", b"\n[AGENTFM: NO_FILES]\ne\r"]
    _scripted(monkeypatch, reads, "sentinel")
    assert _streamed_text(agentfm_mesh, route) == [
        "a\n",
        "b\n",
        "c\rd\n",
        "\n",
        "\n",
        "\n",
        "e\n",
        "",
    ]


@pytest.mark.agentfm_mesh(workers=[FAST])
@pytest.mark.parametrize("route", ["chat", "text"])
def test_a_broken_stream_first_delivers_its_unfinished_line(
    agentfm_mesh: MeshSimulator, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    # The break cuts a 3-byte character after 2 bytes: Go writes one U+FFFD per invalid byte.
    _scripted(monkeypatch, [b"done\r\n", "caf\u00e9 \u65e5".encode()[:-1] + b"\r"], "dropped")
    texts = _streamed_text(agentfm_mesh, route)
    assert texts == [
        "done\n",
        "caf\u00e9 \ufffd\ufffd\n",
        "\n[stream error: stream reset]\n",
    ]


@pytest.mark.agentfm_mesh(workers=[SLOW])
def test_errors_name_the_model_exactly_as_sent(agentfm_mesh: MeshSimulator) -> None:
    url = agentfm_mesh.url
    for model in ("  nothing-like-this\t", "\x1c", "\u00a0no\u3000"):
        for response in (
            _chat(agentfm_mesh, {"model": model, "messages": [{"content": "q"}]}),
            httpx.post(url + "/v1/completions", json={"model": model, "prompt": "q"}),
        ):
            message = _envelope(response, 404, "model_not_found")
            assert message.startswith(f"model '{model}' not available on this mesh."), model
    slow = agentfm_mesh.workers[0]
    with httpx.stream(
        "POST", url + "/api/execute", json={"worker_id": slow.peer_id, "prompt": "hold"}
    ) as holding:
        assert holding.status_code == 200
        for model in (" slow ", "\tLLAMA3.2\u2003"):  # matched after trimming, named untrimmed
            overloaded = _chat(agentfm_mesh, {"model": model, "messages": [{"content": "q"}]})
            message = _envelope(overloaded, 503, "mesh_overloaded")
            assert message == f"all workers matching model '{model}' are at capacity"


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_blank_checks_use_go_whitespace(agentfm_mesh: MeshSimulator) -> None:
    url = agentfm_mesh.url
    go_blank = " \t\n\v\f\r\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
    separators = "\x1c\x1d\x1e\x1f"  # whitespace to Python's str.strip(), not to Go
    for route, body in (
        ("/v1/chat/completions", {"model": go_blank, "messages": [{"content": "q"}]}),
        ("/v1/completions", {"model": go_blank, "prompt": "q"}),
    ):
        assert _envelope(httpx.post(url + route, json=body), 400, "model_required") == (
            "field 'model' is required"
        )
    refused = httpx.post(url + "/v1/completions", json={"model": "fast", "prompt": go_blank})
    assert _envelope(refused, 400, "prompt_required") == "field 'prompt' must not be empty"
    # A model made of separators is a model name (no worker has it); a prompt made of them is
    # dispatched.
    for route, body in (
        ("/v1/chat/completions", {"model": separators, "messages": [{"content": "q"}]}),
        ("/v1/completions", {"model": separators, "prompt": "q"}),
    ):
        _envelope(httpx.post(url + route, json=body), 404, "model_not_found")
    sent = httpx.post(url + "/v1/completions", json={"model": " fast\u3000", "prompt": separators})
    assert sent.status_code == 200, sent.text
    assert f"received: {separators}" in sent.json()["choices"][0]["text"]


# --- text completions ------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_text_completion_validation(agentfm_mesh: MeshSimulator) -> None:
    url = agentfm_mesh.url + "/v1/completions"
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"prompt": "x"}, 400, "model_required", "field 'model' is required"),
        ({"model": "fast"}, 400, "prompt_required", "field 'prompt' is required"),
        ({"model": "fast", "prompt": None}, 400, "prompt_required", "field 'prompt' is required"),
        (
            {"model": "fast", "prompt": " \n"},
            400,
            "prompt_required",
            "field 'prompt' must not be empty",
        ),
        (
            {"model": "fast", "prompt": ["a"]},
            400,
            "unsupported_prompt_type",
            "array form of 'prompt' is not supported in this build; pass a single string",
        ),
        (
            {"model": "fast", "prompt": 3},
            400,
            "unsupported_prompt_type",
            "field 'prompt' must be a string",
        ),
        (
            {"model": "fast", "prompt": {"a": 1}},
            400,
            "unsupported_prompt_type",
            "field 'prompt' must be a string",
        ),
    ]
    for body, status, code, message in cases:
        assert _envelope(httpx.post(url, json=body), status, code) == message, body
    assert (
        _envelope(httpx.post(url, content=b"nope"), 400, "invalid_request_error")
        == "invalid JSON payload"
    )


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_text_completion_bodies_and_stream(agentfm_mesh: MeshSimulator) -> None:
    peer = agentfm_mesh.workers[0].peer_id
    url = agentfm_mesh.url + "/v1/completions"
    expected = _filtered(_raw_output(agentfm_mesh, peer, "Once upon"))
    body = httpx.post(url, json={"model": "LLAMA3.2", "prompt": "Once upon"}).json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert ID_PATTERN["text"].match(body["id"])
    assert body["object"] == "text_completion"
    assert body["model"] == "LLAMA3.2"
    assert body["choices"] == [{"index": 0, "text": expected, "finish_reason": "stop"}]
    assert body["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    streamed = httpx.post(url, json={"model": "fast", "prompt": "Once upon", "stream": True})
    for key, value in SSE_HEADERS.items():
        assert streamed.headers[key] == value
    frames = _frames(streamed)
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(frame) for frame in frames[:-1]]
    for chunk in chunks:
        assert list(chunk) == ["id", "object", "created", "model", "choices"]  # no agentfm_*
        assert chunk["object"] == "text_completion"
        assert list(chunk["choices"][0]) == ["index", "text", "finish_reason"]
    assert chunks[-1]["choices"][0] == {"index": 0, "text": "", "finish_reason": "stop"}
    assert chunks[0]["choices"][0]["text"] != ""  # no role chunk first
    assert "".join(chunk["choices"][0]["text"] for chunk in chunks) == expected


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_chat_is_counted_in_metrics_and_text_completion_is_not(agentfm_mesh: MeshSimulator) -> None:
    _chat(agentfm_mesh, {"model": "fast", "messages": [{"content": "q"}]})
    httpx.post(agentfm_mesh.url + "/v1/completions", json={"model": "fast", "prompt": "q"})
    lines = httpx.get(agentfm_mesh.url + "/metrics").text.splitlines()
    assert 'agentfm_tasks_total{status="ok"} 1' in lines


# --- the official openai package against an agentfm-sim process -----------------------------


def test_official_openai_client(sim_process: Callable[..., SimProcess]) -> None:
    process = sim_process()
    client = openai.OpenAI(base_url=process.url + "/v1", api_key="unused", max_retries=0)
    try:
        models = client.models.list()
        engines = {model.model_extra["agentfm_engine"] for model in models.data}  # type: ignore[index]
        assert engines == {"llama3.2", "mistral"}
        completion = client.chat.completions.create(
            model="summarizer", messages=[{"role": "user", "content": "Hello mesh"}]
        )
        assert completion.choices[0].message.content.startswith(
            "summarizer (llama3.2) received: user: Hello mesh\n\nassistant:\n"
        )
        assert completion.choices[0].finish_reason == "stop"
        stream = client.chat.completions.create(
            model="llama3.2", messages=[{"role": "user", "content": "stream please"}], stream=True
        )
        pieces = [chunk.choices[0].delta.content or "" for chunk in stream]
        assert "received: user: stream please" in "".join(pieces)
        text = client.completions.create(model="mistral", prompt="Write a policy")
        assert text.choices[0].text.startswith("policy-writer (mistral) received: Write a policy\n")
    finally:
        client.close()
        status, _, _ = process.stop()
    assert status == 0
