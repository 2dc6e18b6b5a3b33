"""A scatter run killed with SIGKILL mid-batch resumes from its checkpoint: nothing finished is
lost, and nothing finished is dispatched again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentfm.testing import MeshSimulator

# The batch, run in a child process so that it can be killed like a real one.
CHILD = """
import json, sys
from agentfm import AgentFMClient

url, checkpoint, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with AgentFMClient(url, api_key=None) as client:
    peer_ids = [worker.peer_id for worker in client.workers.list()]
    prompts = (f"prompt {i}" for i in range(count))
    results = client.tasks.scatter(
        prompts, peer_ids=peer_ids, max_concurrency=4, checkpoint=checkpoint
    )
with open(out, "w") as answer:
    json.dump([[r.prompt, r.status, r.text] for r in results], answer)
"""

PROMPTS = 200


def _run_child(url: str, checkpoint: Path, out: Path) -> subprocess.Popen[bytes]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AGENTFM_")
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(checkpoint), str(PROMPTS), str(out)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finished_indices(checkpoint: Path) -> list[int]:
    """Indices of the complete lines (a line torn by the kill is not a finished prompt)."""
    if not checkpoint.exists():
        return []
    indices = []
    # The first line is the checkpoint's header, not a prompt.
    for line in checkpoint.read_bytes().splitlines(keepends=True)[1:]:
        if not line.endswith(b"\n"):
            continue
        try:
            indices.append(json.loads(line)["index"])
        except ValueError:
            continue
    return indices


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


def test_a_killed_batch_resumes_without_losing_or_repeating_a_finished_prompt(
    agentfm_mesh_factory: Callable[..., MeshSimulator], tmp_path: Path
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[
            {"name": "w1", "engine": "m", "max_tasks": 2, "delay_seconds": 0.05},
            {"name": "w2", "engine": "m", "max_tasks": 2, "delay_seconds": 0.05},
        ]
    )
    dispatched: list[str] = []
    original = mesh.boss.dispatch

    def dispatch(worker: Any, prompt: str, task_id: str, *, counted: bool) -> Any:
        dispatched.append(prompt)
        return original(worker, prompt, task_id, counted=counted)

    mesh.boss.dispatch = dispatch  # type: ignore[method-assign]
    checkpoint = tmp_path / "results.jsonl"

    first = _run_child(mesh.url, checkpoint, tmp_path / "first.json")
    try:

        def some_lines_written() -> bool:
            if first.poll() is not None:
                raise AssertionError(f"the batch ended before the kill: {first.stderr!r}")
            return len(_finished_indices(checkpoint)) >= 10

        _wait_until(some_lines_written, "the checkpoint has some lines")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
        assert first.stderr is not None
        first.stderr.close()
    assert first.returncode == -signal.SIGKILL
    finished_before = set(_finished_indices(checkpoint))
    assert 10 <= len(finished_before) < PROMPTS
    # The killed run's tasks in flight run out on the workers before the re-run starts.
    _wait_until(lambda: all(w.current_tasks == 0 for w in mesh.workers), "the workers are idle")
    dispatched_before = len(dispatched)

    second = _run_child(mesh.url, checkpoint, tmp_path / "second.json")
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors.decode()

    results = json.loads((tmp_path / "second.json").read_text())
    assert [prompt for prompt, _, _ in results] == [f"prompt {i}" for i in range(PROMPTS)]
    assert {status for _, status, _ in results} == {"success"}
    assert all(f"received: {prompt}\n" in text for prompt, _, text in results)
    # Every prompt is answered exactly once in the checkpoint.
    assert Counter(_finished_indices(checkpoint)) == Counter(range(PROMPTS))
    # The re-run dispatched exactly the prompts that had not finished, none that had.
    resent = set(dispatched[dispatched_before:])
    assert resent.isdisjoint({f"prompt {i}" for i in finished_before})
    assert resent == {f"prompt {i}" for i in range(PROMPTS)} - {
        f"prompt {i}" for i in finished_before
    }
