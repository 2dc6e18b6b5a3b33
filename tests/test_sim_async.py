"""POST /api/execute/async: the 202, the signed webhook, silence on failure, SSRF guard, cap."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import socket
import time
from collections.abc import Callable

import httpx
import pytest
from conftest import WebhookReceiver

from agentfm.testing import MeshSimulator
from agentfm.testing._webhook import disallowed_address, ssrf_refusal

SECRET = "webhook-secret-for-tests"
FAST = {"name": "fast", "engine": "llama3.2", "delay_seconds": 0.0, "max_tasks": 8}
WRITER = {**FAST, "name": "writer", "files": {"out.txt": "done\n"}}
DROPPER = {**FAST, "name": "dropper", "fail_mode": "drop"}
GONE = {**FAST, "name": "gone", "fail_mode": "unreachable"}
REFUSER = {**FAST, "name": "refuser", "fail_mode": "refuse"}
SLOW = {"name": "slow", "engine": "llama3.2", "delay_seconds": 30.0, "max_tasks": 1}
TASK_ID = re.compile(r"^task_[0-9a-f]{24}$")


def _submit(mesh: MeshSimulator, body: dict[str, object]) -> httpx.Response:
    return httpx.post(mesh.url + "/api/execute/async", json=body)


def _wait_until_idle(mesh: MeshSimulator, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while mesh.boss.async_in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mesh.boss.async_in_flight == 0


@pytest.mark.agentfm_mesh(workers=[WRITER])
def test_202_body_is_exact(agentfm_mesh: MeshSimulator) -> None:
    writer = agentfm_mesh.workers[0].peer_id
    response = _submit(agentfm_mesh, {"worker_id": writer, "prompt": "x", "task_id": "mine"})
    assert response.status_code == 202
    assert response.headers["content-type"] == "application/json"
    task_id = response.json()["task_id"]
    assert TASK_ID.match(task_id)  # a task_id in the request is ignored
    assert response.content == (
        b'{"message":"Task dispatched to P2P mesh.","status":"queued","task_id":"'
        + task_id.encode()
        + b'"}\n'
    )


@pytest.mark.agentfm_mesh(workers=[FAST, {**FAST, "name": "liar", "is_equivocator": True}])
def test_validation_order(agentfm_mesh: MeshSimulator) -> None:
    fast, liar = (worker.peer_id for worker in agentfm_mesh.workers)
    stranger = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"
    url = agentfm_mesh.url + "/api/execute/async"
    cases: list[tuple[bytes, int, str]] = [
        (b"{", 400, "Invalid JSON payload"),
        (b"{}", 400, "worker_id is required"),
        (json.dumps({"worker_id": fast}).encode(), 400, "prompt is required"),
        (
            json.dumps({"worker_id": stranger, "prompt": "x"}).encode(),
            404,
            "Worker not found or offline",
        ),
        (
            json.dumps({"worker_id": liar, "prompt": "x"}).encode(),
            403,
            "dispatch refused: peer_is_equivocator",
        ),
    ]
    for body, status, text in cases:
        response = httpx.post(url, content=body)
        assert (response.status_code, response.text) == (status, text + "\n"), body
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    wrong = httpx.get(url)
    assert (wrong.status_code, wrong.text) == (405, "Method not allowed\n")


@pytest.mark.agentfm_mesh(workers=[WRITER], webhook_secret=SECRET, webhook_allow_private=True)
def test_signed_webhook_after_the_artifact(
    agentfm_mesh: MeshSimulator, webhook_receiver: WebhookReceiver
) -> None:
    writer = agentfm_mesh.workers[0].peer_id
    ack = _submit(
        agentfm_mesh, {"worker_id": writer, "prompt": "x", "webhook_url": webhook_receiver.url}
    )
    task_id = ack.json()["task_id"]
    [delivery] = webhook_receiver.wait_for(1, timeout=10)
    expected = (
        b'{"status":"completed","task_id":"'
        + task_id.encode()
        + b'","worker_id":"'
        + writer.encode()
        + b'"}'
    )
    assert delivery.method == "POST"
    assert delivery.path == "/hook"
    assert delivery.body == expected
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["user-agent"] == "Go-http-client/1.1"
    signature = hmac.new(SECRET.encode(), expected, hashlib.sha256).hexdigest()
    assert delivery.headers["x-agentfm-signature"] == signature
    # The zip was in place before the webhook went out.
    assert (agentfm_mesh.artifacts_dir / f"{task_id}.zip").exists()


@pytest.mark.agentfm_mesh(
    workers=[FAST, REFUSER], webhook_allow_private=True, async_artifact_wait_seconds=0.6
)
def test_unsigned_webhook_waits_for_the_artifact_timeout(
    agentfm_mesh: MeshSimulator, webhook_receiver: WebhookReceiver
) -> None:
    fast, refuser = (worker.peer_id for worker in agentfm_mesh.workers)
    started = time.monotonic()
    _submit(agentfm_mesh, {"worker_id": fast, "prompt": "x", "webhook_url": webhook_receiver.url})
    # A refusal closes the stream cleanly, so it is "completed" too.
    _submit(
        agentfm_mesh, {"worker_id": refuser, "prompt": "x", "webhook_url": webhook_receiver.url}
    )
    deliveries = webhook_receiver.wait_for(2, timeout=10)
    assert time.monotonic() - started >= 0.6  # no zip: the whole wait passes first
    assert len(deliveries) == 2
    assert {json.loads(delivery.body)["worker_id"] for delivery in deliveries} == {fast, refuser}
    assert all("x-agentfm-signature" not in delivery.headers for delivery in deliveries)
    assert all(json.loads(delivery.body)["status"] == "completed" for delivery in deliveries)


@pytest.mark.agentfm_mesh(workers=[WRITER], webhook_allow_private=True)
def test_webhook_redirects_are_not_followed(
    agentfm_mesh: MeshSimulator, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.status = 307
    webhook_receiver.location = webhook_receiver.url.replace("/hook", "/followed")
    writer = agentfm_mesh.workers[0].peer_id
    _submit(agentfm_mesh, {"worker_id": writer, "prompt": "x", "webhook_url": webhook_receiver.url})
    _wait_until_idle(agentfm_mesh)
    assert [delivery.path for delivery in webhook_receiver.received] == ["/hook"]


@pytest.mark.agentfm_mesh(
    workers=[DROPPER, GONE], webhook_allow_private=True, async_artifact_wait_seconds=0.2
)
def test_no_webhook_when_the_task_fails(
    agentfm_mesh: MeshSimulator, webhook_receiver: WebhookReceiver
) -> None:
    for worker in agentfm_mesh.workers:
        ack = _submit(
            agentfm_mesh,
            {"worker_id": worker.peer_id, "prompt": "x", "webhook_url": webhook_receiver.url},
        )
        assert ack.status_code == 202
    _wait_until_idle(agentfm_mesh)
    assert webhook_receiver.received == []


@pytest.mark.agentfm_mesh(workers=[WRITER])
def test_private_webhook_targets_are_refused_silently(
    agentfm_mesh: MeshSimulator, webhook_receiver: WebhookReceiver
) -> None:
    writer = agentfm_mesh.workers[0].peer_id
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    for url in (webhook_receiver.url, f"http://localhost:{port}/hook", "ftp://example.com/x", "::"):
        ack = _submit(agentfm_mesh, {"worker_id": writer, "prompt": "x", "webhook_url": url})
        assert ack.status_code == 202  # never validated at submission
    _wait_until_idle(agentfm_mesh)
    assert webhook_receiver.received == []


@pytest.mark.agentfm_mesh(workers=[SLOW], async_capacity=2)
def test_capacity_503_with_retry_after(agentfm_mesh: MeshSimulator) -> None:
    slow = agentfm_mesh.workers[0].peer_id
    assert _submit(agentfm_mesh, {"worker_id": slow, "prompt": "1"}).status_code == 202
    assert _submit(agentfm_mesh, {"worker_id": slow, "prompt": "2"}).status_code == 202
    full = _submit(agentfm_mesh, {"worker_id": slow, "prompt": "3"})
    assert full.status_code == 503
    assert full.headers["retry-after"] == "5"
    assert full.json() == {
        "error": {
            "message": "too many async tasks in flight; retry shortly",
            "type": "server_error",
            "code": "async_capacity_exhausted",
        }
    }


def test_ssrf_ranges() -> None:
    for address in (
        "127.0.0.1",
        "127.8.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "fd00::1",
        "169.254.169.254",
        "fe80::1",
        "224.0.0.5",
        "ff02::1",
        "0.0.0.0",
        "::",
        "::ffff:127.0.0.1",
    ):
        assert disallowed_address(address), address
    for address in ("8.8.8.8", "100.64.0.1", "172.32.0.1", "239.1.1.1", "2001:db8::1"):
        assert not disallowed_address(address), address


async def test_ssrf_guard_refuses_names_that_do_not_resolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    async def failing_lookup(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(loop, "getaddrinfo", failing_lookup)
    assert await ssrf_refusal("https://hooks.example.com/x") is not None
    assert await ssrf_refusal("http://93.184.216.34/x") is None  # public IP literal: no lookup
    assert await ssrf_refusal("gopher://93.184.216.34/x") is not None
    assert await ssrf_refusal("http:///nohost") is not None


async def test_localhost_resolves_to_loopback_and_is_refused() -> None:
    assert await ssrf_refusal("http://localhost:9/x") is not None


def test_stop_cancels_pending_async_jobs(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(workers=[SLOW])
    assert _submit(mesh, {"worker_id": mesh.workers[0].peer_id, "prompt": "x"}).status_code == 202
    started = time.monotonic()
    mesh.stop()
    assert time.monotonic() - started < 5
