"""`make demo` (python -m agentfm.demo): the README's whole tour, artifacts included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agentfm import AgentFMClient
from agentfm.demo import hello_world
from agentfm.testing import MeshSimulator


def test_the_demo_tour_shows_an_artifact_and_ends_cleanly() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "agentfm.demo"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    for section in ("1. Discover", "2. Pick", "3. Dispatch", "4. Stream", "5. OpenAI"):
        assert f"== {section}" in out
    # The default mesh's first llama3.2 worker writes a file, so the tour shows one.
    [artifact] = [line for line in out.splitlines() if line.strip().startswith("artifact: ")]
    assert "/extracted/task_" in artifact
    assert "<marker FILES_INCOMING>" in out
    assert "Done." in out


def test_the_first_llama_worker_of_the_default_mesh_writes_a_file(
    agentfm_mesh: MeshSimulator,
) -> None:
    client = AgentFMClient(agentfm_mesh.url, artifacts_dir=agentfm_mesh.artifacts_dir)
    worker = client.workers.list(model="llama3.2")[0]
    result = client.tasks.run(worker_id=worker.peer_id, prompt="hello world")
    assert [path.name for path in result.artifacts] == ["translation.md"]


def test_a_model_nothing_serves_is_a_clear_message_not_an_index_error(
    agentfm_mesh: MeshSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with AgentFMClient(agentfm_mesh.url) as client:
        assert hello_world(client, model="llama3") == 1
    out = capsys.readouterr().out
    assert "no worker serves model 'llama3'; the mesh offers: llama3.2, mistral" in out
    assert "== 3. Dispatch" not in out
