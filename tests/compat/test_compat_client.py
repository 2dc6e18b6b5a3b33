"""0.3.0's client names and behaviours, exercised as a 0.3.0 user's test suite would: respx
mocks of the gateway, the seed README's calls."""

from __future__ import annotations

import asyncio
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import respx

import agentfm
from agentfm import AgentFMClient, ArtifactManager, AsyncAgentFMClient, WorkerStreamError
from agentfm.testing import task_body

from ._doubles import GW, PEER_A


def test_the_0_3_0_module_paths_import() -> None:
    from agentfm.async_client import DEFAULT_GATEWAY as ASYNC_DEFAULT
    from agentfm.async_client import AsyncAgentFMClient as AsyncFromModule
    from agentfm.client import DEFAULT_GATEWAY
    from agentfm.client import AgentFMClient as FromModule
    from agentfm.openai import AsyncOpenAINamespace, OpenAINamespace
    from agentfm.webhook import WebhookCallback, WebhookPayload

    assert DEFAULT_GATEWAY == ASYNC_DEFAULT == GW
    assert FromModule is AgentFMClient
    assert AsyncFromModule is AsyncAgentFMClient
    with AgentFMClient() as client:
        assert client.gateway_url == DEFAULT_GATEWAY
        assert isinstance(client.openai, OpenAINamespace)
    assert isinstance(AsyncAgentFMClient().openai, AsyncOpenAINamespace)  # no connection opened

    received: list[WebhookPayload] = []
    callback: WebhookCallback = received.append
    callback(WebhookPayload(status="completed", task_id="task_1", worker_id=PEER_A))
    assert received[0].task_id == "task_1"


@respx.mock(base_url=GW)
def test_seed_readme_run_and_stream_against_a_respx_gateway(respx_mock: respx.MockRouter) -> None:
    execute = respx_mock.post("/api/execute").respond(200, text=task_body("hello\nworld"))
    with AgentFMClient() as client:
        result = client.tasks.run(worker_id=PEER_A, prompt="hi")
        text = "".join(
            chunk.text
            for chunk in client.tasks.stream(worker_id=PEER_A, prompt="hi")
            if chunk.kind == "text"
        )
    assert result.text == text == "hello\nworld"
    assert result.artifacts == []
    assert execute.call_count == 2


@respx.mock(base_url=GW)
def test_a_mock_without_the_sentinel_is_a_worker_stream_error_naming_the_helper(
    respx_mock: respx.MockRouter,
) -> None:
    # Kept on purpose (README, "Migrating from 0.3.0"): 0.3.0 returned "hello" here.
    respx_mock.post("/api/execute").respond(200, text="hello")
    with AgentFMClient() as client, pytest.raises(WorkerStreamError) as raised:
        client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert raised.value.partial_text == "hello"
    assert "agentfm.testing.task_body" in str(raised.value)


def test_task_body_imports_without_the_simulator_stack() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from agentfm.testing import task_body; task_body('x'); "
        "print(any(m.split('.')[0] in ('starlette', 'uvicorn', 'cryptography') "
        "for m in sys.modules))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "False"
    assert task_body("out", files_incoming=True) == "out\n[AGENTFM: FILES_INCOMING]\n"


def test_a_non_http_gateway_url_fails_at_construction() -> None:
    # Kept on purpose: 0.3.0 raised InvalidRequestError only at the first request.
    with pytest.raises(agentfm.InvalidRequestError) as raised:
        AgentFMClient("ftp://gateway:21")
    assert raised.value.code == "invalid_gateway_url"


def test_retries_is_writable_and_takes_effect() -> None:
    with respx.mock(base_url=GW) as mock:
        health = mock.get("/health").respond(503, headers={"Retry-After": "0"})
        with AgentFMClient(retries=2) as client:
            client.retries = 0
            assert client.retries == 0
            assert client.ping() is False
            assert health.call_count == 1
            client.retries = 1
            assert client.ping() is False
            assert health.call_count == 3
            with pytest.raises(agentfm.InvalidRequestError):
                client.retries = -1
            assert client.retries == 1


def test_gateway_url_is_writable_and_moves_the_requests() -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.get("http://elsewhere.test:9000/health").respond(
            200, json={"status": "ok", "online_workers": 0}
        )
        with AgentFMClient() as client:
            client.gateway_url = "http://elsewhere.test:9000/"
            assert client.gateway_url == "http://elsewhere.test:9000"
            assert client.ping() is True
            assert client.with_options(retries=0).gateway_url == "http://elsewhere.test:9000"


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_without_artifacts_dir_nothing_is_harvested_and_run_returns_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agentfm_artifacts").mkdir()
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").respond(200, text=task_body("made files", files_incoming=True))
        with AgentFMClient() as client:
            assert client.artifacts is None
            started = time.monotonic()
            result = client.tasks.run(worker_id=PEER_A, prompt="hi")
    assert time.monotonic() - started < 5  # not the 120 s artifact_timeout
    assert result.text == "made files"
    assert result.artifacts == []


def test_artifacts_dir_gives_client_artifacts_and_with_options_none_switches_it_off(
    tmp_path: Path,
) -> None:
    watch = tmp_path / "agentfm_artifacts"
    watch.mkdir()

    def gateway(request: httpx.Request) -> httpx.Response:
        # The gateway writes the zip named after the task id the SDK sent.
        task_id = __import__("json").loads(request.content)["task_id"]
        (watch / f"{task_id}.zip").write_bytes(_zip_bytes({"policy.md": b"# Leave"}))
        return httpx.Response(200, text=task_body("done", files_incoming=True))

    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").mock(side_effect=gateway)
        with AgentFMClient(artifacts_dir=watch) as client:
            assert isinstance(client.artifacts, ArtifactManager)
            assert client.artifacts.watch_dir == watch
            result = client.tasks.run(worker_id=PEER_A, prompt="write policy.md")
            assert [p.name for p in result.artifacts] == ["policy.md"]
            assert result.artifacts[0].read_bytes() == b"# Leave"

            without = client.with_options(artifacts_dir=None)
            assert without.artifacts is None
            assert without.tasks.run(worker_id=PEER_A, prompt="again").artifacts == []
            without.close()


async def test_the_async_client_harvests_nothing_without_artifacts_dir() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.post("/api/execute").respond(200, text=task_body("async", files_incoming=True))
        async with AsyncAgentFMClient() as client:
            assert client.artifacts is None
            result = await asyncio.wait_for(
                client.tasks.run(worker_id=PEER_A, prompt="hi"), timeout=10
            )
            client.retries = 0
            assert client.retries == 0
    assert (result.text, result.artifacts) == ("async", [])


def test_streaming_module_filters_sentinels_and_parses_sse() -> None:
    from agentfm.streaming import (
        ARTIFACT_INCOMING,
        ARTIFACT_NONE,
        SENTINEL_PREFIX,
        SSE_DONE,
        SentinelFilter,
        classify_sse_line,
        filter_iter,
        parse_sse_lines,
    )

    assert ARTIFACT_INCOMING.startswith(SENTINEL_PREFIX)
    assert ARTIFACT_NONE.startswith(SENTINEL_PREFIX)
    sentinel_filter = SentinelFilter()
    out = list(sentinel_filter.feed("line one\nline t"))
    out += list(sentinel_filter.feed("wo\n[AGENTFM: FILES_INC"))
    out += list(sentinel_filter.feed("OMING]\ntail"))
    assert out == ["line one\n", "line two\n"]
    assert sentinel_filter.finalize() == "tail"
    assert sentinel_filter.artifacts_incoming
    assert not sentinel_filter.artifacts_complete
    assert list(filter_iter(["a\n", "  [AGENTFM: NO_FILES]\n"])) == ["a\n"]

    lines = [": comment", "event: x", 'data: {"a": 1}', "", "data:  [DONE]", 'data: {"b": 2}']
    assert list(parse_sse_lines(lines)) == ['{"a": 1}']
    assert classify_sse_line("data: [DONE]\r\n") is SSE_DONE
    assert classify_sse_line("") is None


def test_a_line_without_newline_is_not_held_without_bound() -> None:
    from agentfm.streaming import SentinelFilter

    sentinel_filter = SentinelFilter()
    emitted = "".join(sentinel_filter.feed("x" * 200_000))
    assert emitted == "x" * 200_000
    assert sentinel_filter.finalize() == ""


@respx.mock(base_url=GW)
def test_short_fake_peer_ids_of_0_3_0_test_suites(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/api/execute").respond(200, text=task_body("hi"))
    with AgentFMClient() as client:
        assert client.tasks.run(worker_id="peer-a", prompt="hi").text == "hi"


@pytest.mark.parametrize("workers_status", [200, 401])
def test_ping_falls_back_to_api_workers_on_a_1_1_0_gateway(workers_status: int) -> None:
    # 1.1.0 has no /health (404 text); 0.3.0's ping read /api/workers, which it does have.
    with respx.mock(base_url=GW) as mock:
        mock.get("/health").respond(404, text="404 page not found\n")
        mock.get("/api/workers").respond(workers_status, json={"success": True, "agents": []})
        with AgentFMClient() as client:
            assert client.ping() is (workers_status == 200)


async def test_async_ping_falls_back_too() -> None:
    with respx.mock(base_url=GW) as mock:
        mock.get("/health").respond(404, text="404 page not found\n")
        mock.get("/api/workers").respond(200, json={"success": True, "agents": []})
        async with AsyncAgentFMClient() as client:
            assert await client.ping() is True
