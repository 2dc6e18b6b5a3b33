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
    # The tour shows a file coming back: the demo mesh's file-writing worker's policy.md.
    [artifact] = [line for line in out.splitlines() if line.strip().startswith("artifact: ")]
    assert artifact.endswith("policy.md (83 bytes)")
    assert "/extracted/task_" in artifact
    assert "Done." in out


def test_a_model_nothing_serves_is_a_clear_message_not_an_index_error(
    agentfm_mesh: MeshSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with AgentFMClient(agentfm_mesh.url) as client:
        assert hello_world(client, model="llama3") == 1
    out = capsys.readouterr().out
    assert "no worker serves model 'llama3'; the mesh offers: llama3.2, mistral" in out
    assert "== 3. Dispatch" not in out
