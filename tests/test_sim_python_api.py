"""`MeshSimulator` and the pytest plugin as Python users drive them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from agentfm.testing import MeshConfigError, MeshSimulator, WorkerSpec


def test_start_returns_ready_and_stop_is_idempotent() -> None:
    mesh = MeshSimulator()
    before = threading.active_count()
    mesh.start()
    try:
        assert mesh.url == f"http://127.0.0.1:{mesh.port}"
        # Ready means ready: the first request after start() is answered.
        assert httpx.get(mesh.url + "/health").json() == {"online_workers": 3, "status": "ok"}
        workdir = mesh.workdir
        assert mesh.artifacts_dir == workdir / "agentfm_artifacts"
    finally:
        mesh.stop()
    mesh.stop()
    assert not workdir.exists()  # the temporary working directory is removed
    assert threading.active_count() <= before
    with pytest.raises(httpx.TransportError):
        httpx.get(mesh.url + "/health", timeout=2)
    with pytest.raises(RuntimeError):
        mesh.start()


def test_mesh_inputs(tmp_path: Path, agentfm_mesh_factory: Callable[..., MeshSimulator]) -> None:
    path = tmp_path / "mesh.json"
    path.write_text(json.dumps({"seed": 2, "workers": [{"name": "from-file", "engine": "e1"}]}))
    from_file = agentfm_mesh_factory(mesh=path)
    assert [worker.name for worker in from_file.workers] == ["from-file"]
    from_objects = agentfm_mesh_factory(mesh=[WorkerSpec(name="obj", engine="e2")], seed=2)
    from_dict = agentfm_mesh_factory(mesh={"seed": 2, "workers": [{"name": "obj", "engine": "e2"}]})
    # Same seed and position: same derived peer id, whatever the input form.
    assert from_objects.workers[0].peer_id == from_dict.workers[0].peer_id
    assert from_file.workers[0].peer_id == from_dict.workers[0].peer_id
    with pytest.raises(MeshConfigError):
        MeshSimulator(mesh=[{"name": "x"}])


def test_run_time_knobs_are_validated(agentfm_mesh: MeshSimulator) -> None:
    worker = agentfm_mesh.worker("summarizer")
    with pytest.raises(MeshConfigError):
        worker.fail_mode = "sometimes"  # type: ignore[assignment]
    with pytest.raises(MeshConfigError):
        worker.max_tasks = 0
    with pytest.raises(MeshConfigError):
        worker.configure(name="renamed")
    worker.configure(fail_mode="refuse", delay_seconds=0.0)
    assert worker.fail_mode == "refuse"
    response = httpx.post(
        agentfm_mesh.url + "/api/execute", json={"worker_id": worker.peer_id, "prompt": "x"}
    )
    assert response.text.startswith("❌ ERROR: Worker is at max capacity")
    with pytest.raises(KeyError):
        agentfm_mesh.worker("nobody")


def test_added_worker_can_be_dispatched_to(agentfm_mesh: MeshSimulator) -> None:
    added = agentfm_mesh.add_worker({"name": "late", "engine": "phi3", "delay_seconds": 0})
    response = httpx.post(
        agentfm_mesh.url + "/api/execute", json={"worker_id": added.peer_id, "prompt": "hi"}
    )
    assert response.text.startswith("late (phi3) received: hi\n")
    with pytest.raises(MeshConfigError, match="already in use"):
        agentfm_mesh.add_worker(name="twin", engine="phi3", peer_id=added.peer_id)


def test_ledger_path_persists_across_restarts(
    tmp_path: Path, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    ledger_file = tmp_path / "ledger.jsonl"
    first = agentfm_mesh_factory(workdir=tmp_path, ledger_path=ledger_file)
    subject = first.workers[0].peer_id
    response = httpx.post(
        f"{first.url}/v1/peers/{subject}/comments/self", json={"text": "kept", "rating": 0.5}
    )
    assert response.status_code == 201
    first.stop()
    second = agentfm_mesh_factory(workdir=tmp_path, ledger_path=ledger_file)
    assert httpx.get(second.url + "/v1/about").json()["ledger_tree_size"] == 2
    # Without a ledger path nothing is written: the ledger lives in memory.
    third = agentfm_mesh_factory(workdir=tmp_path / "other")
    assert httpx.get(third.url + "/v1/about").json()["ledger_tree_size"] == 0
    assert sorted(path.name for path in (tmp_path / "other").iterdir()) == [
        ".agentfm_api_identity.key"
    ]


@pytest.mark.agentfm_mesh(workers=[{"name": "only", "engine": "e"}], api_keys=["k" * 16])
def test_marker_configures_the_fixture(agentfm_mesh: MeshSimulator) -> None:
    assert [worker.name for worker in agentfm_mesh.workers] == ["only"]
    assert httpx.get(agentfm_mesh.url + "/api/workers").status_code == 401


def test_plugin_marker_is_registered(pytestconfig: pytest.Config) -> None:
    markers = pytestconfig.getini("markers")
    assert any(line.startswith("agentfm_mesh(") for line in markers)
