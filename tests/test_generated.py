"""The generated low-level client imports, round-trips, streams unbuffered and stays current."""

from __future__ import annotations

import datetime
import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import agentfm_gateway
import httpx
import pytest
from agentfm_gateway import Client
from agentfm_gateway.api.events import stream_events
from agentfm_gateway.api.tasks import execute_task
from agentfm_gateway.api.workers import list_workers
from agentfm_gateway.models import ExecuteRequest
from agentfm_gateway.payloads import WorkerOnlineEvent
from agentfm_gateway.records import WebhookPayload, WorkersResponse

ROOT = Path(__file__).resolve().parent.parent
TOOLS_PYTHON = ROOT / ".tools" / "codegen" / "bin" / "python"

WORKER = {
    "peer_id": "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs",
    "author": "Anonymous",
    "name": "drafter",
    "status": "AVAILABLE",
    "hardware": "llama3.2 (CPU: 8 Cores)",
    "description": "writes drafts",
    "cpu_usage_pct": 12.5,
    "ram_free_gb": 7,
    "current_tasks": 0,
    "max_tasks": 2,
    "has_gpu": False,
    "gpu_used_gb": 0,
    "gpu_total_gb": 0,
    "gpu_usage_pct": 0,
    "honesty_score": 0,
    "is_equivocator": False,
    "dispatch_allowed": True,
    "online": True,
    "last_seen": "2026-06-20T15:50:00.123456789+02:00",
    "agent_capability_new_field": "kept",
}


def test_every_generated_module_imports() -> None:
    names = [
        module.name
        for module in pkgutil.walk_packages(agentfm_gateway.__path__, prefix="agentfm_gateway.")
    ]
    assert "agentfm_gateway.api.tasks.execute_task" in names
    for name in names:
        importlib.import_module(name)


def test_a_worker_list_round_trips_through_the_low_level_client() -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"agents": [WORKER], "offline_count": 0, "online_count": 1, "success": True}
        return httpx.Response(200, json=body)

    client = Client(base_url="http://gateway.test")
    client.set_httpx_client(
        httpx.Client(base_url="http://gateway.test", transport=httpx.MockTransport(gateway))
    )
    # Answers the SDK reads into records come back as decoded JSON; the record reads them.
    parsed = WorkersResponse.model_validate(list_workers.sync(client=client, include_offline=True))

    assert seen[0].url.path == "/api/workers"
    assert seen[0].url.params["include_offline"] == "true"
    worker = parsed.agents[0]
    assert worker.peer_id == WORKER["peer_id"]
    assert worker.hardware == "llama3.2 (CPU: 8 Cores)"
    assert worker.last_seen is not None
    assert worker.last_seen.isoformat() == "2026-06-20T15:50:00.123456+02:00"
    # Fields newer than the spec survive a round trip instead of being dropped.
    assert worker.model_dump()["agent_capability_new_field"] == "kept"
    assert parsed.model_dump()["agents"][0]["peer_id"] == WORKER["peer_id"]


def test_the_generated_client_has_a_finite_default_timeout() -> None:
    timeout = Client(base_url="http://gateway.test").get_httpx_client().timeout
    assert timeout.read is not None
    assert timeout.connect is not None


def test_task_output_streams_chunk_by_chunk_without_buffering() -> None:
    # The second chunk is only produced after the caller has received the first: a client
    # that buffered the body would wait forever (the test's timeout would fail it).
    first_chunk_received = threading.Event()

    def body() -> Iterator[bytes]:
        yield b"hello from the worker, "
        assert first_chunk_received.wait(timeout=10), "the first chunk was never handed over"
        yield b"still working\n\n[AGENTFM: NO_FILES]\n"

    def gateway(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content) == {"worker_id": WORKER["peer_id"], "prompt": "hi"}
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=body())

    client = Client(base_url="http://gateway.test")
    client.set_httpx_client(
        httpx.Client(base_url="http://gateway.test", transport=httpx.MockTransport(gateway))
    )
    request = ExecuteRequest(worker_id=WORKER["peer_id"], prompt="hi")
    chunks: list[bytes] = []
    with execute_task.sync_stream(client=client, body=request) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            chunks.append(chunk)
            first_chunk_received.set()
    assert chunks == [b"hello from the worker, ", b"still working\n\n[AGENTFM: NO_FILES]\n"]


async def test_event_stream_is_only_offered_as_a_stream() -> None:
    # A buffered read of /v1/events would never return, so the module offers no such function.
    assert not hasattr(stream_events, "sync_detailed")
    assert not hasattr(stream_events, "asyncio")

    async def body() -> object:
        yield b":ready\n\n"
        yield b"event: worker_online\n"
        yield b'data: {"agent_name":"a","honesty_score":0.5,"peer_id":"p"}\n\n'

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=body())

    client = Client(base_url="http://gateway.test")
    client.set_async_httpx_client(
        httpx.AsyncClient(base_url="http://gateway.test", transport=httpx.MockTransport(gateway))
    )
    lines = []
    async with stream_events.asyncio_stream(client=client) as response:
        async for line in response.aiter_lines():
            lines.append(line)
    data = next(line for line in lines if line.startswith("data: "))
    event = WorkerOnlineEvent.from_json(data.removeprefix("data: "))
    assert event == WorkerOnlineEvent(agent_name="a", honesty_score=0.5, peer_id="p")


def test_the_webhook_payload_type_parses_the_exact_callback_body_the_gateway_signs() -> None:
    # Compact, alphabetical, no trailing newline (gateway-protocol.md 5.5).
    body = (
        b'{"status":"completed","task_id":"task_0123456789abcdef01234567","worker_id":"12D3KooWx"}'
    )
    payload = WebhookPayload.from_json(body)

    assert payload.status == "completed"
    assert payload.task_id == "task_0123456789abcdef01234567"
    assert payload.worker_id == "12D3KooWx"


@pytest.mark.parametrize(
    "body",
    [
        b'{"task_id":"t","worker_id":"w"}',
        b'{"status":"completed","task_id":7,"worker_id":"w"}',
        b'["status"]',
        b"not json",
    ],
)
def test_the_webhook_payload_type_refuses_a_malformed_body(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"WebhookPayload|Expecting|expected"):
        WebhookPayload.from_json(body)


def _check_generated(tmp_path: Path, *, spec: Path | None = None, tree: Path | None = None) -> int:
    assert TOOLS_PYTHON.exists(), "run `make setup` first: the pinned generator tools are missing"
    command = [str(TOOLS_PYTHON), str(ROOT / "codegen" / "render.py")]
    command += ["--check", str(tree or ROOT / "generated")]
    if spec is not None:
        command += ["--spec", str(spec)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    return completed.returncode


@pytest.mark.timeout(300)
def test_check_generated_refuses_a_hand_edit_and_a_stale_spec(tmp_path: Path) -> None:
    assert _check_generated(tmp_path) == 0

    edited = tmp_path / "edited"
    shutil.copytree(ROOT / "generated", edited, ignore=shutil.ignore_patterns("__pycache__"))
    module = edited / "agentfm_gateway" / "api" / "tasks" / "execute_task.py"
    source = module.read_bytes()
    module.write_bytes(source.replace(b"/api/execute", b"/api/execUte", 1))
    assert _check_generated(tmp_path, tree=edited) == 1

    spec = tmp_path / "openapi.yaml"
    text = (ROOT / "schema" / "openapi.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("operationId: get_about", "operationId: read_about"), "utf-8")
    assert _check_generated(tmp_path, spec=spec) == 1


class _Python310Datetime:
    """`datetime.datetime` with Python 3.10's stricter `fromisoformat`: no `Z`, and a fraction of
    exactly three or six digits. Lets this test guard 3.10 support on any interpreter."""

    _ACCEPTED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?([+-]\d\d:\d\d)?")

    @classmethod
    def fromisoformat(cls, text: str) -> datetime.datetime:
        if not cls._ACCEPTED.fullmatch(text):
            raise ValueError(f"Invalid isoformat string: {text!r}")
        return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize("digits", range(10))
def test_go_timestamps_parse_with_any_fraction_even_on_python_310(
    digits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Go trims trailing zeros, so a timestamp carries anywhere from 0 to 9 fractional digits.
    import agentfm_gateway.types as generated_types

    monkeypatch.setattr(generated_types, "datetime", SimpleNamespace(datetime=_Python310Datetime))
    fraction = "." + "123456789"[:digits] if digits else ""
    for zone, offset in (("Z", datetime.timedelta(0)), ("+02:00", datetime.timedelta(hours=2))):
        parsed = generated_types.parse_datetime(f"2026-06-20T15:50:00{fraction}{zone}")
        assert parsed.utcoffset() == offset
        assert parsed.microsecond == int(("123456789"[:digits] + "000000")[:6])
