"""POST /api/execute: validation, the streamed body and its chunks, faults, artifacts, feedback."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest import RawResponse

from agentfm.testing import MeshSimulator

NO_FILES = b"\n[AGENTFM: NO_FILES]\n"
FILES_INCOMING = b"\n[AGENTFM: FILES_INCOMING]\n"
FAST = {"name": "fast", "engine": "llama3.2", "delay_seconds": 0.0, "max_tasks": 4}
WRITER = {
    "name": "writer",
    "engine": "mistral",
    "description": "writes <files> & more",
    "delay_seconds": 0.05,
    "files": {"policy.md": "# Policy\n", "reports/summary.txt": "all good\n"},
}
SLOW = {"name": "slow", "engine": "llama3.2", "delay_seconds": 30.0, "max_tasks": 1}
STRANGER = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"


def _execute(
    mesh: MeshSimulator, raw_http: Callable[..., RawResponse], body: object
) -> RawResponse:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw_http(
        mesh.url,
        "POST",
        "/api/execute",
        headers=[("Content-Type", "application/json")],
        body=payload,
    )


def _plain(response: RawResponse, status: int, text: str) -> None:
    assert (response.status, response.body) == (status, (text + "\n").encode())
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    assert response.header("X-Content-Type-Options") == "nosniff"


def _metric(mesh: MeshSimulator, series: str) -> float:
    for line in httpx.get(mesh.url + "/metrics").text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    raise AssertionError(f"no series {series}")


@pytest.mark.agentfm_mesh(
    workers=[
        FAST,
        {**FAST, "name": "liar", "is_equivocator": True},
        {**FAST, "name": "low", "honesty_score": -0.75},
    ]
)
def test_validation_order_and_texts(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    fast, liar, low = (agentfm_mesh.worker(name).peer_id for name in ("fast", "liar", "low"))
    cases: list[tuple[object, int, str]] = [
        (b"", 400, "Invalid JSON payload"),
        (b"{", 400, "Invalid JSON payload"),
        (b"[1]", 400, "Invalid JSON payload"),
        ({"worker_id": fast, "prompt": 5}, 400, "Invalid JSON payload"),
        (b"null", 400, "worker_id is required"),
        ({"prompt": "x"}, 400, "worker_id is required"),
        ({"worker_id": None, "prompt": "x"}, 400, "worker_id is required"),
        ({"worker_id": STRANGER}, 400, "prompt is required"),
        ({"worker_id": STRANGER, "prompt": ""}, 400, "prompt is required"),
        ({"worker_id": STRANGER, "prompt": "x", "task_id": "_bad"}, 400, "Invalid task_id format"),
        (
            {"worker_id": STRANGER, "prompt": "x", "task_id": "a" * 129},
            400,
            "Invalid task_id format",
        ),
        ({"worker_id": STRANGER, "prompt": "x", "task_id": "ok\n"}, 400, "Invalid task_id format"),
        ({"worker_id": STRANGER, "prompt": "x"}, 404, "Worker not found or offline"),
        ({"worker_id": "not-a-peer", "prompt": "x"}, 404, "Worker not found or offline"),
        ({"worker_id": liar, "prompt": "x"}, 403, "dispatch refused: peer_is_equivocator"),
        ({"worker_id": low, "prompt": "x"}, 403, "dispatch refused: reputation_below_floor"),
    ]
    for body, status, text in cases:
        _plain(_execute(agentfm_mesh, raw_http, body), status, text)
    wrong_method = httpx.get(agentfm_mesh.url + "/api/execute")
    assert (wrong_method.status_code, wrong_method.text) == (405, "Method not allowed\n")


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_go_decoding_quirks_are_accepted(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    fast = agentfm_mesh.workers[0].peer_id
    # Keys match case-insensitively, unknown fields and trailing data are ignored, and the
    # prompt is not trimmed.
    body = json.dumps({"Worker_ID": fast, "PROMPT": " ", "extra": [1]}).encode() + b" trailing junk"
    response = _execute(agentfm_mesh, raw_http, body)
    assert response.status == 200
    assert response.body.endswith(NO_FILES)
    valid = _execute(
        agentfm_mesh, raw_http, {"worker_id": fast, "prompt": "x", "task_id": "A" * 128}
    )
    assert valid.status == 200


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_bodies_are_truncated_at_1_mib_not_refused(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    fast = agentfm_mesh.workers[0].peer_id
    too_long = {"worker_id": fast, "prompt": "x" * (1 << 20)}
    _plain(_execute(agentfm_mesh, raw_http, too_long), 400, "Invalid JSON payload")
    # Only the first JSON value matters, so what lies beyond the cap is never seen.
    padded = json.dumps({"worker_id": fast, "prompt": "short"}).encode() + b" " * (1 << 20)
    assert _execute(agentfm_mesh, raw_http, padded).status == 200


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_success_headers_and_body(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    fast = agentfm_mesh.workers[0].peer_id
    response = _execute(agentfm_mesh, raw_http, {"worker_id": fast, "prompt": "héllo <mesh>"})
    assert response.status == 200
    assert response.header("Content-Type") == "text/plain"  # no charset
    assert response.header("Cache-Control") == "no-cache"
    assert response.header("Transfer-Encoding") == "chunked"
    assert response.header("Content-Length") is None
    assert response.header("Access-Control-Allow-Origin") == "*"
    text = response.body.decode()
    assert text.startswith("fast (llama3.2) received: héllo <mesh>\n")
    assert response.body.endswith(NO_FILES)
    assert response.body.count(b"[AGENTFM:") == 1
    # On a keep-alive connection the handler's own Connection header shows.
    kept = httpx.post(agentfm_mesh.url + "/api/execute", json={"worker_id": fast, "prompt": "k"})
    assert kept.headers["connection"] == "keep-alive"


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_chunks_are_raw_reads_not_lines(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    fast = agentfm_mesh.workers[0].peer_id
    responses = [
        _execute(agentfm_mesh, raw_http, {"worker_id": fast, "prompt": f"prompt {index}"})
        for index in range(25)
    ]
    all_chunks = [response.chunks for response in responses]
    assert all(chunks is not None for chunks in all_chunks)
    chunk_lists = [chunks for chunks in all_chunks if chunks is not None]
    assert all(len(chunk) <= 1024 for chunks in chunk_lists for chunk in chunks)
    # A chunk boundary inside a line, inside a UTF-8 sequence, and inside the sentinel.
    assert any(not chunk.endswith(b"\n") for chunks in chunk_lists for chunk in chunks[:-1])

    def splits_utf8(chunks: list[bytes]) -> bool:
        try:
            [chunk.decode() for chunk in chunks]
        except UnicodeDecodeError:
            return True
        return False

    assert any(splits_utf8(chunks) for chunks in chunk_lists)
    assert any(NO_FILES not in chunks[-1] for chunks in chunk_lists)
    assert any(len(b"".join(chunks)) > 1024 for chunks in chunk_lists)
    for response in responses:
        assert response.body.endswith(NO_FILES)
        assert response.body.count(NO_FILES) == 1


@pytest.mark.agentfm_mesh(workers=[FAST], seed=11)
def test_output_is_deterministic_for_seed_and_prompt(
    agentfm_mesh: MeshSimulator,
    agentfm_mesh_factory: Callable[..., MeshSimulator],
    raw_http: Callable[..., RawResponse],
) -> None:
    twin = agentfm_mesh_factory(workers=[FAST], seed=11)
    first = _execute(
        agentfm_mesh, raw_http, {"worker_id": agentfm_mesh.workers[0].peer_id, "prompt": "same"}
    )
    second = _execute(twin, raw_http, {"worker_id": twin.workers[0].peer_id, "prompt": "same"})
    assert agentfm_mesh.workers[0].peer_id == twin.workers[0].peer_id
    assert first.chunks == second.chunks


@pytest.mark.agentfm_mesh(workers=[SLOW])
def test_capacity_refusal_is_a_200_line_without_sentinel(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    slow = agentfm_mesh.workers[0].peer_id
    body = json.dumps({"worker_id": slow, "prompt": "first"}).encode()
    request = (
        f"POST /api/execute HTTP/1.1\r\nHost: {agentfm_mesh.host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    # The first task holds the only slot; its answer (and its 200) starts with its first byte,
    # 30 s away (docs/reference/gateway-protocol.md §5.4), so it is sent on a raw socket and
    # left unread.
    with socket.create_connection((agentfm_mesh.host, agentfm_mesh.port)) as running:
        running.sendall(request)
        deadline = time.monotonic() + 10
        while agentfm_mesh.workers[0].current_tasks == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert agentfm_mesh.workers[0].current_tasks == 1
        refused = _execute(agentfm_mesh, raw_http, {"worker_id": slow, "prompt": "second"})
        assert refused.status == 200
        assert refused.header("Content-Type") == "text/plain"
        assert (
            refused.body
            == "❌ ERROR: Worker is at max capacity (1/1). Try another worker.\n".encode()
        )
        # The refusal stream ended cleanly: an ok task for the gateway (5.2).
        assert _metric(agentfm_mesh, 'agentfm_tasks_total{status="ok"}') == 1
        assert _metric(agentfm_mesh, 'agentfm_tasks_total{status="rejected"}') == 0
    # Leaving early releases the worker's slot.
    deadline = time.monotonic() + 5
    while agentfm_mesh.workers[0].current_tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    assert agentfm_mesh.workers[0].current_tasks == 0
    assert _metric(agentfm_mesh, 'agentfm_tasks_total{status="error"}') == 1


@pytest.mark.agentfm_mesh(workers=[{**FAST, "fail_mode": "drop"}, FAST])
def test_drop_ends_the_body_cleanly_without_sentinel(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    dropper = agentfm_mesh.workers[0]
    response = _execute(agentfm_mesh, raw_http, {"worker_id": dropper.peer_id, "prompt": "tell me"})
    assert response.status == 200
    assert response.chunks is not None  # a properly terminated chunked body
    assert b"[AGENTFM:" not in response.body
    assert response.body.startswith(b"fast (llama3.2) received: tell me\n")
    dropper.fail_mode = "none"
    full = _execute(agentfm_mesh, raw_http, {"worker_id": dropper.peer_id, "prompt": "tell me"})
    assert full.body.startswith(response.body)
    assert len(full.body) > len(response.body)
    assert _metric(agentfm_mesh, 'agentfm_tasks_total{status="error"}') == 1
    assert _metric(agentfm_mesh, 'agentfm_stream_errors_total{protocol="task",reason="reset"}') == 1


@pytest.mark.agentfm_mesh(
    workers=[
        {**FAST, "fail_mode": "refuse", "max_tasks": 3},
        {**FAST, "name": "gone", "fail_mode": "unreachable"},
    ]
)
def test_refuse_and_unreachable_modes(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    refuser, gone = agentfm_mesh.workers
    refused = _execute(agentfm_mesh, raw_http, {"worker_id": refuser.peer_id, "prompt": "x"})
    assert refused.status == 200
    assert (
        refused.body == "❌ ERROR: Worker is at max capacity (3/3). Try another worker.\n".encode()
    )
    unreachable = _execute(
        agentfm_mesh, raw_http, {"worker_id": gone.peer_id, "prompt": "x", "task_id": "t-gone"}
    )
    _plain(unreachable, 500, "Failed to connect to worker via DHT or Relay")
    # The sidecar is written at dispatch, so it exists even for a task that never ran (6).
    assert (agentfm_mesh.artifacts_dir / "t-gone.meta.json").exists()


def test_fail_rate_draws_are_seeded(
    agentfm_mesh_factory: Callable[..., MeshSimulator], raw_http: Callable[..., RawResponse]
) -> None:
    flaky = {**FAST, "fail_mode": "drop", "fail_rate": 0.5}

    def outcomes(mesh: MeshSimulator) -> list[bool]:
        peer = mesh.workers[0].peer_id
        return [
            _execute(mesh, raw_http, {"worker_id": peer, "prompt": "p"}).body.endswith(NO_FILES)
            for _ in range(16)
        ]

    first = outcomes(agentfm_mesh_factory(workers=[flaky], seed=5))
    assert first == outcomes(agentfm_mesh_factory(workers=[flaky], seed=5))
    assert True in first
    assert False in first


@pytest.mark.agentfm_mesh(workers=[WRITER])
def test_artifacts_part_rename_zip_layout_and_sidecar(
    agentfm_mesh: MeshSimulator,
    raw_http: Callable[..., RawResponse],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renames: list[tuple[str, str, bool]] = []
    real_replace = os.replace

    def recording_replace(source: str | Path, target: str | Path) -> None:
        renames.append((str(source), str(target), zipfile.is_zipfile(source)))
        real_replace(source, target)

    monkeypatch.setattr("agentfm.testing._boss.os.replace", recording_replace)
    writer = agentfm_mesh.workers[0]
    response = _execute(
        agentfm_mesh, raw_http, {"worker_id": writer.peer_id, "prompt": "write", "task_id": "job-7"}
    )
    assert response.status == 200
    assert response.body.endswith(FILES_INCOMING)
    artifacts = agentfm_mesh.artifacts_dir
    zip_path = artifacts / "job-7.zip"
    # The response ends only once the zip is in place.
    assert zip_path.exists()
    assert not (artifacts / "job-7.zip.part").exists()
    assert renames == [(str(artifacts / "job-7.zip.part"), str(zip_path), True)]
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == ["policy.md", "reports/", "reports/summary.txt"]
        assert archive.read("reports/summary.txt") == b"all good\n"
        assert archive.getinfo("policy.md").compress_type == zipfile.ZIP_DEFLATED
    sidecar = artifacts / "job-7.meta.json"
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    assert sidecar.read_bytes() == (
        b'{"agentName":"writer","agentDescription":"writes \\u003cfiles\\u003e \\u0026 more",'
        b'"agentPeerId":"' + writer.peer_id.encode() + b'"}'
    )
    # Only if absent: a second dispatch with the same id keeps the first sidecar.
    sidecar.write_bytes(b"{}")
    _execute(
        agentfm_mesh, raw_http, {"worker_id": writer.peer_id, "prompt": "again", "task_id": "job-7"}
    )
    assert sidecar.read_bytes() == b"{}"
    assert _metric(agentfm_mesh, "agentfm_artifacts_built_total") == 2


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_feedback_appends_a_comment_and_paired_rating(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    worker = agentfm_mesh.workers[0]
    _execute(
        agentfm_mesh,
        raw_http,
        {
            "worker_id": worker.peer_id,
            "prompt": "x",
            "feedback": "great job",
            "feedback_rating": 0.5,
        },
    )
    entries = agentfm_mesh.ledger.entries_about(worker.peer_id)
    kinds = sorted(entry.kind for entry in entries)
    assert kinds == ["Comment", "Rating"]
    comment = next(entry for entry in entries if entry.kind == "Comment")
    rating = next(entry for entry in entries if entry.kind == "Rating")
    assert comment.language == "en"
    assert comment.rater_peer_id == agentfm_mesh.boss_peer_id
    assert agentfm_mesh.ledger.comment_body(comment.text_cid) == "great job"
    assert (rating.dimension, rating.score, rating.context) == ("honesty", 0.5, "interactive")
    # Without a rating only the comment is added; a dropped stream adds nothing.
    _execute(agentfm_mesh, raw_http, {"worker_id": worker.peer_id, "prompt": "y", "feedback": "ok"})
    assert len(agentfm_mesh.ledger.entries_about(worker.peer_id)) == 3
    worker.fail_mode = "drop"
    _execute(agentfm_mesh, raw_http, {"worker_id": worker.peer_id, "prompt": "z", "feedback": "no"})
    assert len(agentfm_mesh.ledger.entries_about(worker.peer_id)) == 3


@pytest.mark.agentfm_mesh(workers=[FAST])
def test_taking_a_worker_offline_makes_it_404(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    worker = agentfm_mesh.workers[0]
    agentfm_mesh.take_offline(worker)
    _plain(
        _execute(agentfm_mesh, raw_http, {"worker_id": worker.peer_id, "prompt": "x"}),
        404,
        "Worker not found or offline",
    )
    agentfm_mesh.bring_online(worker)
    assert (
        _execute(agentfm_mesh, raw_http, {"worker_id": worker.peer_id, "prompt": "x"}).status == 200
    )


@pytest.mark.agentfm_mesh(workers=[{**FAST, "max_tasks": 40, "delay_seconds": 0.3}])
async def test_many_concurrent_streams(agentfm_mesh: MeshSimulator) -> None:
    peer = agentfm_mesh.workers[0].peer_id

    async def run(client: httpx.AsyncClient, index: int) -> bytes:
        response = await client.post(
            agentfm_mesh.url + "/api/execute", json={"worker_id": peer, "prompt": f"job {index}"}
        )
        return response.content

    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        bodies = await asyncio.gather(*(run(client, index) for index in range(40)))
    for index, body in enumerate(bodies):
        assert body.startswith(f"fast (llama3.2) received: job {index}\n".encode())
        assert body.endswith(NO_FILES)
    assert agentfm_mesh.workers[0].current_tasks == 0
