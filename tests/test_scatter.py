"""`tasks.scatter`, `scatter_by_model`, `scatter_iter`, sync and async, end to end.

Against the simulator (whose dispatches are logged by wrapping its Boss) and, for arbitrary
chunk boundaries, against an `httpx.MockTransport` gateway.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    InvalidPeerIdError,
    InvalidRequestError,
    ScatterResult,
    WorkerNotFoundError,
)
from agentfm.testing import MeshSimulator

MeshFactory = Callable[..., MeshSimulator]

UNEVEN = [
    {"name": "fast", "engine": "m", "max_tasks": 2, "delay_seconds": 0.02},
    {"name": "slow", "engine": "m", "max_tasks": 1, "delay_seconds": 0.2},
    {
        "name": "flaky",
        "engine": "m",
        "max_tasks": 2,
        "delay_seconds": 0.02,
        "fail_mode": "drop",
        "fail_rate": 0.3,
    },
]


class DispatchLog:
    """Every task the simulated Boss hands to a worker: (worker name, prompt, how it ended)."""

    def __init__(self, mesh: MeshSimulator) -> None:
        self.entries: list[tuple[str, str, str]] = []
        original = mesh.boss.dispatch

        def dispatch(worker: Any, prompt: str, task_id: str, *, counted: bool) -> Any:
            run = original(worker, prompt, task_id, counted=counted)
            self.entries.append((worker.name, prompt, run.script.ending))
            return run

        mesh.boss.dispatch = dispatch  # type: ignore[method-assign]

    def workers_of_name(self, name: str) -> list[str]:
        return [prompt for worker, prompt, _ in self.entries if worker == name]

    def workers_of(self, prompt: str) -> list[str]:
        return [name for name, sent, _ in self.entries if sent == prompt]

    def endings(self) -> Counter[str]:
        return Counter(ending for _, _, ending in self.entries)


def names(mesh: MeshSimulator) -> dict[str, str]:
    return {worker.peer_id: worker.name for worker in mesh.workers}


def peers(mesh: MeshSimulator, *wanted: str) -> list[str]:
    return [w.peer_id for w in mesh.workers if not wanted or w.name in wanted]


def assert_answered_in_order(
    results: list[ScatterResult], prompts: list[str], mesh: MeshSimulator
) -> None:
    """Every prompt succeeded, in order, and its text is the answer of the worker it names."""
    assert [r.prompt for r in results] == prompts
    who = names(mesh)
    for result in results:
        assert result.status == "success", result
        assert result.worker_id in who
        # The simulated worker's answer starts by echoing the prompt (agentfm/testing/_output.py).
        assert result.text.startswith(f"{who[result.worker_id]} (m) received: {result.prompt}\n")
        assert result.attempts >= 1
        assert result.task_id is not None
        assert result.task_id.startswith("task_")


def test_an_uneven_mesh_answers_every_prompt_in_order(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN)
    log = DispatchLog(mesh)
    prompts = [f"summarise document #{i}" for i in range(40)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh), max_concurrency=5)
    assert_answered_in_order(results, prompts, mesh)
    # Capacity-aware: no worker was ever sent a task beyond its free slots.
    assert log.endings()["refused"] == 0
    # Each answer came from the last dispatch of its prompt, which completed.
    for result in results:
        assert log.workers_of(result.prompt)[-1] == names(mesh)[result.worker_id or ""]


async def test_the_async_client_answers_every_prompt_in_order(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN)
    log = DispatchLog(mesh)
    prompts = [f"translate paragraph {i}" for i in range(30)]
    async with AsyncAgentFMClient(mesh.url, api_key=None) as client:
        results = await client.tasks.scatter(prompts, peer_ids=peers(mesh), max_concurrency=5)
    assert_answered_in_order(results, prompts, mesh)
    assert log.endings()["refused"] == 0


def test_a_dropped_stream_is_retried_on_another_worker(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {
                "name": "broken",
                "engine": "m",
                "max_tasks": 2,
                "delay_seconds": 0.01,
                "fail_mode": "drop",
            },
            {"name": "good", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01},
        ]
    )
    log = DispatchLog(mesh)
    prompts = [f"p{i}" for i in range(12)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh), max_retries=1)
    assert_answered_in_order(results, prompts, mesh)
    assert log.endings()["dropped"] >= 1
    for result in results:
        sent_to = log.workers_of(result.prompt)
        assert sent_to.count("broken") <= 1  # never retried on the peer that failed it
        assert names(mesh)[result.worker_id or ""] == "good"
        assert result.attempts == len(sent_to)


def test_a_worker_that_refuses_every_task_is_moved_past(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "full", "engine": "m", "max_tasks": 2, "fail_mode": "refuse"},
            {"name": "good", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01},
        ]
    )
    prompts = [f"p{i}" for i in range(8)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        # max_retries=0: a capacity refusal is not a failure of the task, it never ran.
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh), max_retries=0)
    assert_answered_in_order(results, prompts, mesh)


def test_a_bad_prompt_fails_alone_and_nothing_raises(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    log = DispatchLog(mesh)
    prompts: list[Any] = ["first", "", "third", None]
    with AgentFMClient(mesh.url, api_key=None) as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh))
    assert [r.status for r in results] == ["success", "failed", "success", "failed"]
    assert results[1].error_code == results[3].error_code == "prompt_required"
    assert results[1].attempts == 0
    assert results[1].error
    assert results[3].prompt == "None"
    assert sorted(prompt for _, prompt, _ in log.entries) == ["first", "third"]


def test_trust_options_keep_prompts_off_refused_workers(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "shady", "engine": "m", "max_tasks": 2, "honesty_score": -0.3},
            {"name": "liar", "engine": "m", "max_tasks": 2, "is_equivocator": True},
            {"name": "good", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01},
        ]
    )
    log = DispatchLog(mesh)
    prompts = [f"p{i}" for i in range(6)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        results = client.tasks.scatter(
            prompts, peer_ids=peers(mesh), min_honesty=0.0, skip_equivocators=True
        )
        assert_answered_in_order(results, prompts, mesh)
        assert {name for name, _, _ in log.entries} == {"good"}

        every_one_refused = client.tasks.scatter(prompts, peer_ids=peers(mesh), min_honesty=0.9)
    assert {r.status for r in every_one_refused} == {"failed"}
    assert {r.error_code for r in every_one_refused} == {"no_usable_peer"}
    assert {r.attempts for r in every_one_refused} == {0}
    assert "honesty_below_minimum" in (every_one_refused[0].error or "")
    assert len(log.entries) == len(prompts)  # the second batch sent nothing


def test_the_gateway_trust_gate_drops_a_peer_after_one_refusal(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "liar", "engine": "m", "max_tasks": 2, "is_equivocator": True},
            {"name": "good", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01},
        ]
    )
    liar = peers(mesh, "liar")[0]
    sent_to: list[str] = []

    def record(request: httpx.Request) -> None:
        if request.url.path == "/api/execute":
            sent_to.append(json.loads(request.content)["worker_id"])

    prompts = [f"p{i}" for i in range(10)]
    with (
        httpx.Client(event_hooks={"request": [record]}) as http,
        AgentFMClient(mesh.url, api_key=None, http_client=http) as client,
    ):
        # max_retries=0: the 403 is the peer's refusal, not the prompt's failure.
        results = client.tasks.scatter(
            prompts, peer_ids=[liar, *peers(mesh, "good")], max_retries=0
        )
    assert_answered_in_order(results, prompts, mesh)
    assert 1 <= sent_to.count(liar) <= 2  # at most the first wave (max_tasks) hits the 403


def test_scatter_by_model_uses_pick_and_max_workers(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "w1", "engine": "llama3.2", "max_tasks": 2, "delay_seconds": 0.01},
            {"name": "w2", "engine": "llama3.2", "max_tasks": 2, "delay_seconds": 0.01},
            {"name": "w3", "engine": "llama3.2", "max_tasks": 2, "delay_seconds": 0.01},
            {"name": "other", "engine": "mistral", "max_tasks": 2, "delay_seconds": 0.01},
        ]
    )
    log = DispatchLog(mesh)
    offered: list[list[str]] = []

    def pick(workers: list[Any]) -> list[Any]:
        offered.append(sorted(w.name for w in workers))
        return sorted(workers, key=lambda w: w.name, reverse=True)[:2]

    prompts = [f"p{i}" for i in range(10)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        picked = client.tasks.scatter_by_model(prompts, model="LLAMA3.2", pick=pick)
        assert offered == [["w1", "w2", "w3"]]
        assert {r.status for r in picked} == {"success"}
        assert {name for name, _, _ in log.entries} <= {"w3", "w2"}

        capped = client.tasks.scatter_by_model(prompts, model="llama3.2", max_workers=1)
        assert {r.status for r in capped} == {"success"}
        assert len({r.worker_id for r in capped}) == 1

        # As in 0.3.0: no worker to run the batch on is an error of the call.
        with pytest.raises(WorkerNotFoundError) as nobody:
            client.tasks.scatter_by_model(prompts, model="gpt-5")
    assert "gpt-5" in nobody.value.message


def test_scatter_iter_hands_results_over_before_the_batch_ends(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    log = DispatchLog(mesh)
    progress: list[tuple[int, int, int | None]] = []

    def prompts() -> Iterator[str]:
        yield from (f"line {i}" for i in range(20))

    with AgentFMClient(mesh.url, api_key=None) as client:
        pairs = client.tasks.scatter_iter(
            prompts(),
            peer_ids=peers(mesh),
            max_concurrency=2,
            progress=lambda *counts: progress.append(counts),
        )
        first_index, first = next(pairs)
        assert len(log.entries) < 20  # the batch is still running
        assert first.status == "success"
        assert first.prompt == f"line {first_index}"
        rest = list(pairs)
    assert sorted([first_index] + [index for index, _ in rest]) == list(range(20))
    assert progress == [(done, 0, None) for done in range(1, 21)]


def test_leaving_scatter_iter_early_dispatches_nothing_more(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    log = DispatchLog(mesh)
    with AgentFMClient(mesh.url, api_key=None) as client:
        pairs = client.tasks.scatter_iter(
            [f"p{i}" for i in range(100)], peer_ids=peers(mesh), max_concurrency=2
        )
        for count, _ in enumerate(pairs, start=1):
            if count == 3:
                break
        pairs.close()
        # Closed: the tasks in flight were waited for, and no thread is left to send more.
        assert all(worker.current_tasks == 0 for worker in mesh.workers)
        sent = len(log.entries)
        assert 3 <= sent <= 3 + 2
        assert client.tasks.scatter(["after"], peer_ids=peers(mesh))[0].status == "success"
    assert len(log.entries) == sent + 1


async def test_leaving_the_async_scatter_iter_early_cancels_the_tasks_in_flight(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[{"name": "w", "engine": "m", "max_tasks": 4, "delay_seconds": 0.05}]
    )
    log = DispatchLog(mesh)
    async with AsyncAgentFMClient(mesh.url, api_key=None) as client:
        pairs = client.tasks.scatter_iter(
            [f"p{i}" for i in range(100)], peer_ids=peers(mesh), max_concurrency=4
        )
        seen = []
        async with contextlib.aclosing(pairs):
            async for index, result in pairs:
                seen.append((index, result.status))
                if len(seen) == 2:
                    break
        follow_up = await client.tasks.scatter(["after"], peer_ids=peers(mesh))
    assert follow_up[0].status == "success"
    assert log.workers_of("after") == ["w"]
    # Requests already on the wire when the iterator closed may still reach the gateway (a sent
    # request cannot be unsent), but nothing new is dispatched: at most the two answered, the
    # four in flight and the four that replaced them before the close.
    batch = [entry for entry in log.entries if entry[1] != "after"]
    assert len(batch) <= 2 + 4 + 4
    assert [status for _, status in seen] == ["success", "success"]


def test_a_checkpoint_resumes_without_dispatching_answered_prompts(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:2])
    log = DispatchLog(mesh)
    checkpoint = tmp_path / "results.jsonl"
    prompts = [f"p{i}" for i in range(12)]
    with AgentFMClient(mesh.url, api_key=None) as client:
        first = client.tasks.scatter(prompts, peer_ids=peers(mesh), checkpoint=checkpoint)
        assert_answered_in_order(first, prompts, mesh)
        sent = len(log.entries)
        progress: list[tuple[int, int, int | None]] = []
        again = client.tasks.scatter(
            iter(prompts),
            peer_ids=peers(mesh),
            checkpoint=str(checkpoint),
            progress=lambda *counts: progress.append(counts),
        )
        assert again == first
        assert len(log.entries) == sent
        assert progress[-1] == (12, 0, None)

        with pytest.raises(InvalidRequestError) as caught:
            client.tasks.scatter(
                [f"other {i}" for i in range(12)], peer_ids=peers(mesh), checkpoint=checkpoint
            )
    assert caught.value.code == "checkpoint_mismatch"
    assert len(log.entries) == sent
    indices = [json.loads(line)["index"] for line in checkpoint.read_text().splitlines()[1:]]
    assert sorted(indices) == list(range(12))


async def test_failed_prompts_are_dispatched_again_on_a_rerun(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "w", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01, "fail_mode": "drop"}
        ]
    )
    log = DispatchLog(mesh)
    checkpoint = tmp_path / "results.jsonl"
    prompts = [f"p{i}" for i in range(4)]
    async with AsyncAgentFMClient(mesh.url, api_key=None) as client:
        broken = await client.tasks.scatter(
            prompts, peer_ids=peers(mesh), max_retries=0, checkpoint=checkpoint
        )
        assert {r.error_code for r in broken} == {"stream_incomplete"}
        mesh.worker("w").fail_mode = "none"
        fixed = await client.tasks.scatter(
            prompts, peer_ids=peers(mesh), max_retries=0, checkpoint=checkpoint
        )
    assert_answered_in_order(fixed, prompts, mesh)
    assert Counter(prompt for _, prompt, _ in log.entries) == {p: 2 for p in prompts}
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()[1:]]
    assert [line["status"] for line in lines] == ["failed"] * 4 + ["success"] * 4


def test_a_checkpoint_in_use_is_refused(agentfm_mesh_factory: MeshFactory, tmp_path: Path) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    checkpoint = tmp_path / "results.jsonl"
    with AgentFMClient(mesh.url, api_key=None) as client:
        running = client.tasks.scatter_iter(
            ["a", "b", "c"], peer_ids=peers(mesh), checkpoint=checkpoint
        )
        next(running)
        with pytest.raises(InvalidRequestError) as caught:
            client.tasks.scatter(["a", "b", "c"], peer_ids=peers(mesh), checkpoint=checkpoint)
        assert caught.value.code == "checkpoint_locked"
        running.close()
        finished = client.tasks.scatter(
            ["a", "b", "c"], peer_ids=peers(mesh), checkpoint=checkpoint
        )
    assert {r.status for r in finished} == {"success"}


def test_bad_arguments_raise_before_anything_is_sent(agentfm_mesh_factory: MeshFactory) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    log = DispatchLog(mesh)
    good = peers(mesh)
    with AgentFMClient(mesh.url, api_key=None) as client:
        tasks = client.tasks
        with pytest.raises(InvalidRequestError):
            tasks.scatter("one prompt, not a list", peer_ids=good)
        with pytest.raises(InvalidPeerIdError):
            tasks.scatter(["p"], peer_ids=[""])
        with pytest.raises(InvalidRequestError):
            tasks.scatter(["p"], peer_ids=good, max_concurrency=0)
        with pytest.raises(InvalidRequestError):
            tasks.scatter(["p"], peer_ids=good, max_retries=-1)
        with pytest.raises(InvalidRequestError):
            tasks.scatter(["p"], peer_ids=good, min_honesty=2.0)
        with pytest.raises(InvalidRequestError):
            tasks.scatter_iter(["p"], peer_ids=good, model="m")
        with pytest.raises(InvalidRequestError):
            tasks.scatter_by_model(["p"], model="m", max_workers=0)
    assert log.entries == []


def test_failures_reaching_the_gateway_are_results_not_exceptions(
    agentfm_mesh_factory: MeshFactory,
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1], api_keys=["the-right-key-0123456789"])
    prompts = ["a", "b", "c"]
    with AgentFMClient(mesh.url, api_key="a-wrong-key-0123456789") as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh))
    assert [r.prompt for r in results] == prompts
    assert {(r.status, r.error_code, r.attempts) for r in results} == {
        ("failed", "invalid_api_key", 0)
    }
    assert "a-wrong-key" not in repr(results)

    mesh.stop()  # nothing listens there any more
    with AgentFMClient(mesh.url, api_key=None, retries=0) as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh))
    assert {(r.status, r.error_code) for r in results} == {("failed", "connection_error")}


# --- arbitrary chunk boundaries: a gateway played by httpx.MockTransport --------------------

TRUNCATING = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
COMPLETING = "12D3KooWHgSBL3HToZZzuV1CiJ9t3gNpwdNzbk4vvxAKupvZRidy"
ANSWER = "héllo → wörld ✓\n"


def _worker(peer_id: str) -> dict[str, Any]:
    return {
        "peer_id": peer_id,
        "author": "a",
        "name": peer_id[-4:],
        "status": "AVAILABLE",
        "hardware": "m (CPU: 8 Cores)",
        "description": "",
        "cpu_usage_pct": 1.0,
        "ram_free_gb": 8.0,
        "current_tasks": 0,
        "max_tasks": 1,
        "has_gpu": False,
        "gpu_used_gb": 0.0,
        "gpu_total_gb": 0.0,
        "gpu_usage_pct": 0.0,
        "honesty_score": 0.0,
        "is_equivocator": False,
        "dispatch_allowed": True,
        "online": True,
    }


def _listing() -> httpx.Response:
    agents = [_worker(TRUNCATING), _worker(COMPLETING)]
    return httpx.Response(
        200, json={"agents": agents, "offline_count": 0, "online_count": 2, "success": True}
    )


def _body(worker_id: str) -> bytes:
    # One worker's stream ends after part of its answer; the other ends with the sentinel.
    if worker_id == TRUNCATING:
        return ANSWER.encode()[:9]
    return (ANSWER + "\n[AGENTFM: NO_FILES]\n").encode()


def _one_byte_chunks(data: bytes) -> Iterator[bytes]:
    for offset in range(len(data)):
        yield data[offset : offset + 1]


async def _one_byte_chunks_async(data: bytes) -> AsyncIterator[bytes]:
    for offset in range(len(data)):
        yield data[offset : offset + 1]


def _gateway(streamer: Callable[[bytes], Any], sent_to: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/workers":
            return _listing()
        worker_id = json.loads(request.content)["worker_id"]
        sent_to.append(worker_id)
        return httpx.Response(
            200, headers={"Content-Type": "text/plain"}, content=streamer(_body(worker_id))
        )

    return httpx.MockTransport(handle)


def test_a_truncated_stream_in_any_chunking_is_retried_elsewhere() -> None:
    sent_to: list[str] = []
    transport = _gateway(_one_byte_chunks, sent_to)
    with (
        httpx.Client(transport=transport) as http,
        AgentFMClient("http://gateway.test", api_key=None, http_client=http) as client,
    ):
        (result,) = client.tasks.scatter(["hi"], peer_ids=[TRUNCATING, COMPLETING])
    assert sent_to == [TRUNCATING, COMPLETING]
    assert (result.status, result.text, result.worker_id) == ("success", ANSWER, COMPLETING)
    assert result.attempts == 2


async def test_a_truncated_stream_in_any_chunking_is_retried_elsewhere_async() -> None:
    sent_to: list[str] = []
    transport = _gateway(_one_byte_chunks_async, sent_to)
    async with (
        httpx.AsyncClient(transport=transport) as http,
        AsyncAgentFMClient("http://gateway.test", api_key=None, http_client=http) as client,
    ):
        (result,) = await client.tasks.scatter(["hi"], peer_ids=[TRUNCATING, COMPLETING])
    assert sent_to == [TRUNCATING, COMPLETING]
    assert (result.status, result.text, result.worker_id) == ("success", ANSWER, COMPLETING)
    assert result.attempts == 2


def test_a_raising_progress_callback_stops_the_batch_and_loses_nothing_finished(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path
) -> None:
    mesh = agentfm_mesh_factory(workers=UNEVEN[:1])
    log = DispatchLog(mesh)
    checkpoint = tmp_path / "results.jsonl"
    prompts = [f"p{i}" for i in range(30)]

    def progress(done: int, failed: int, total: int | None) -> None:
        if done == 3:
            raise KeyboardInterrupt  # e.g. Ctrl-C inside the caller's progress bar

    with AgentFMClient(mesh.url, api_key=None) as client:
        with pytest.raises(KeyboardInterrupt):
            client.tasks.scatter(
                prompts, peer_ids=peers(mesh), checkpoint=checkpoint, progress=progress
            )
        recorded = {
            json.loads(line)["prompt_sha256"] for line in checkpoint.read_text().splitlines()[1:]
        }
        sent = len(log.entries)
        assert 3 <= len(recorded) == sent < len(prompts)  # tasks in flight were kept, not lost
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh), checkpoint=checkpoint)
    assert_answered_in_order(results, prompts, mesh)
    assert len(log.entries) == len(prompts)  # nothing answered was sent twice


def test_files_that_never_arrive_fail_fast_and_keep_each_answer(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {
                "name": "writer",
                "engine": "m",
                "max_tasks": 2,
                "delay_seconds": 0.01,
                "files": {"report.md": "# report\n"},
            }
        ]
    )
    prompts = ["write a", "write b"]
    # The client looks for zips where the gateway does not write them.
    with AgentFMClient(mesh.url, api_key=None, artifacts_dir=tmp_path / "elsewhere") as client:
        results = client.tasks.scatter(prompts, peer_ids=peers(mesh), artifact_timeout=0.2)
    for prompt, result in zip(prompts, results, strict=True):
        assert result.status == "failed"
        assert result.error_code == "artifact_timeout"
        assert result.text.startswith(f"writer (m) received: {prompt}\n")
        assert result.task_id is not None
        assert (mesh.artifacts_dir / f"{result.task_id}.zip").exists()


@contextlib.contextmanager
def stalling_after(mesh: MeshSimulator, name: str, answered: int) -> Iterator[DispatchLog]:
    """After `answered` tasks, worker `name` reads each task and sends nothing for 10 minutes
    (the request is read, the answer never starts): scatter's first-byte bound must move on."""
    log = DispatchLog(mesh)
    logged_dispatch = mesh.boss.dispatch
    worker = mesh.worker(name)

    def dispatch(target: Any, prompt: str, task_id: str, *, counted: bool) -> Any:
        if target is worker and len(log.workers_of_name(name)) >= answered:
            worker.delay_seconds = 600.0
        return logged_dispatch(target, prompt, task_id, counted=counted)

    mesh.boss.dispatch = dispatch  # type: ignore[method-assign]
    yield log


def _wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


STALLING = [
    {"name": "steady", "engine": "m", "max_tasks": 2, "delay_seconds": 0.02},
    {"name": "stalls", "engine": "m", "max_tasks": 2, "delay_seconds": 0.02},
]


def _check_stall_handled(
    results: list[ScatterResult],
    prompts: list[str],
    mesh: MeshSimulator,
    log: DispatchLog,
    checkpoint: Path,
) -> None:
    assert_answered_in_order(results, prompts, mesh)
    stalled = [p for name, p, _ in log.entries if name == "stalls"][3:]
    assert stalled, "the stalling worker was never tried again"
    # Each abandoned prompt was answered elsewhere, and recorded exactly once.
    assert {names(mesh)[r.worker_id or ""] for r in results if r.prompt in stalled} == {"steady"}
    indices = [json.loads(line)["index"] for line in checkpoint.read_text().splitlines()[1:]]
    assert sorted(indices) == list(range(len(prompts)))
    # The abandoned attempts' connections were closed: the worker's slots came back.
    assert _wait_until(lambda: mesh.worker("stalls").current_tasks == 0)


def test_an_attempt_with_no_first_byte_in_time_is_abandoned_and_answered_elsewhere(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentfm import _scatter_scheduler

    monkeypatch.setattr(_scatter_scheduler, "FIRST_BYTE_FLOOR_SECONDS", 0.3)
    mesh = agentfm_mesh_factory(workers=STALLING)
    prompts = [f"p{i}" for i in range(30)]
    checkpoint = tmp_path / "results.jsonl"
    with stalling_after(mesh, "stalls", 3) as log, AgentFMClient(mesh.url, api_key=None) as client:
        results = client.tasks.scatter(
            prompts, peer_ids=peers(mesh), max_concurrency=4, checkpoint=checkpoint
        )
    _check_stall_handled(results, prompts, mesh, log, checkpoint)


async def test_an_attempt_with_no_first_byte_in_time_is_abandoned_async(
    agentfm_mesh_factory: MeshFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentfm import _scatter_scheduler

    monkeypatch.setattr(_scatter_scheduler, "FIRST_BYTE_FLOOR_SECONDS", 0.3)
    mesh = agentfm_mesh_factory(workers=STALLING)
    prompts = [f"p{i}" for i in range(30)]
    checkpoint = tmp_path / "results.jsonl"
    with stalling_after(mesh, "stalls", 3) as log:
        async with AsyncAgentFMClient(mesh.url, api_key=None) as client:
            results = await client.tasks.scatter(
                prompts, peer_ids=peers(mesh), max_concurrency=4, checkpoint=checkpoint
            )
    _check_stall_handled(results, prompts, mesh, log, checkpoint)
