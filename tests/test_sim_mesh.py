"""The simulator's mesh description and its workers' deterministic output (no server)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentfm._identifiers import ED25519_PEER_ID_PATTERN
from agentfm.testing import DEFAULT_MESH, MeshConfigError, WorkerSpec, load_mesh_file, parse_mesh
from agentfm.testing._mesh import derived_peer_id, kebab_case
from agentfm.testing._output import (
    FILES_INCOMING,
    NO_FILES,
    READ_SIZE,
    capacity_refusal,
    task_script,
)


def test_default_mesh_has_two_engines_and_a_file_producing_worker() -> None:
    mesh = parse_mesh(DEFAULT_MESH)
    engines = {worker.engine for worker in mesh.workers}
    assert "llama3.2" in engines
    assert len(engines) == 2
    assert any("policy.md" in worker.files for worker in mesh.workers)


def test_worker_defaults_follow_the_brief() -> None:
    worker = parse_mesh({"workers": [{"name": "w", "engine": "e"}]}).workers[0]
    assert worker.author == "Anonymous"
    assert worker.description == ""
    assert worker.max_tasks == 1
    assert worker.delay_seconds == 0.2
    assert worker.has_gpu is False
    assert worker.cpu_cores == 8
    assert worker.files == {}
    assert worker.fail_mode == "none"
    assert worker.honesty_score == 0.0
    assert worker.is_equivocator is False


@pytest.mark.parametrize(
    ("mesh", "fragment"),
    [
        ({"workers": [{"engine": "e"}]}, "'name' is required"),
        ({"workers": [{"name": "w"}]}, "'engine' is required"),
        ({"workers": [{"name": "w", "engine": "e", "fail_mode": "explode"}]}, "fail_mode"),
        ({"workers": [{"name": "w", "engine": "e", "max_tasks": "2"}]}, "'max_tasks' must be"),
        ({"workers": [{"name": "w", "engine": "e", "has_gpu": 1}]}, "'has_gpu' must be"),
        ({"workers": [{"name": "w", "engine": "e", "fail-mode": "drop"}]}, "unknown key"),
        ({"workers": [{"name": "w", "engine": "e", "files": ["a"]}]}, "'files'"),
        ({"workers": [{"name": "w", "engine": "e", "files": {"../x": "t"}}]}, "relative path"),
        ({"workers": [{"name": "w", "engine": "e", "fail_rate": 2}]}, "'fail_rate'"),
        ({"workers": [{"name": "w", "engine": "e", "peer_id": "nope"}]}, "'peer_id'"),
        ({"workers": "all"}, "'workers' must be an array"),
        ({"seed": "x", "workers": []}, "'seed' must be an integer"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_mesh_descriptions_are_refused_with_one_line(mesh: object, fragment: str) -> None:
    with pytest.raises(MeshConfigError) as caught:
        parse_mesh(mesh)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_mesh_file_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "mesh.json"
    broken.write_text("{not json")
    with pytest.raises(MeshConfigError, match=r"mesh\.json: invalid JSON"):
        load_mesh_file(broken)
    with pytest.raises(MeshConfigError, match="mesh file"):
        load_mesh_file(tmp_path / "missing.json")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"seed": 3, "workers": [{"name": "a", "engine": "b"}]}))
    assert load_mesh_file(good).seed == 3


def test_worker_spec_objects_are_validated_too() -> None:
    with pytest.raises(MeshConfigError, match="fail_mode"):
        WorkerSpec(name="w", engine="e", fail_mode="sometimes")  # type: ignore[arg-type]


def test_derived_peer_ids_are_valid_stable_and_distinct() -> None:
    first = derived_peer_id(7, 0)
    assert ED25519_PEER_ID_PATTERN.match(first)
    assert derived_peer_id(7, 0) == first
    assert derived_peer_id(7, 1) != first
    assert derived_peer_id(8, 0) != first


def test_capability_default_is_kebab_case_of_the_name() -> None:
    assert kebab_case("Policy Writer") == "policy-writer"
    assert kebab_case("SummarizerBot") == "summarizer-bot"


def _script(prompt: str, *, files: dict[str, str] | None = None, ending: str = "sentinel"):
    return task_script(
        seed=7,
        peer_id="12D3KooWpeer",
        name="writer",
        engine="llama3.2",
        prompt=prompt,
        files=files or {},
        ending=ending,  # type: ignore[arg-type]
    )


def test_output_contains_the_prompt_and_is_deterministic() -> None:
    first = _script("Summarise: the mesh is up")
    again = _script("Summarise: the mesh is up")
    assert first.reads == again.reads
    text = first.data.decode()
    assert text.startswith("writer (llama3.2) received: Summarise: the mesh is up\n")
    assert _script("another prompt").data != first.data


def test_sentinels_end_the_stream_exactly_once() -> None:
    plain = _script("no files").data
    assert plain.endswith(NO_FILES)
    assert plain.count(b"[AGENTFM:") == 1
    with_files = _script("files", files={"policy.md": "x"}).data
    assert with_files.endswith(FILES_INCOMING)
    assert with_files.count(b"[AGENTFM:") == 1


def test_reads_are_at_most_1024_bytes_and_exercise_awkward_boundaries() -> None:
    scripts = [_script(f"prompt number {index}") for index in range(40)]
    assert all(len(read) <= READ_SIZE for script in scripts for read in script.reads)
    # Over many prompts the seeded plan splits lines, UTF-8 sequences and the sentinel,
    # and some outputs need more than one 1024-byte read.
    assert any(not read.endswith(b"\n") for script in scripts for read in script.reads[:-1])

    def splits_utf8(reads: tuple[bytes, ...]) -> bool:
        for read in reads:
            try:
                read.decode("utf-8")
            except UnicodeDecodeError:
                return True
        return False

    assert any(splits_utf8(script.reads) for script in scripts)
    assert any(NO_FILES not in script.reads[-1] for script in scripts)
    assert any(len(script.data) > READ_SIZE for script in scripts)


def test_dropped_and_refused_streams_have_no_sentinel() -> None:
    dropped = _script("drop me", ending="dropped")
    full = _script("drop me").data
    assert b"[AGENTFM:" not in dropped.data
    assert full.startswith(dropped.data)
    assert 0 < len(dropped.data) < len(full)
    refusal = capacity_refusal(2, 2)
    refused = task_script(
        seed=7,
        peer_id="p",
        name="w",
        engine="e",
        prompt="x",
        files={},
        ending="refused",
        refusal=refusal,
    )
    assert (
        refused.data == "❌ ERROR: Worker is at max capacity (2/2). Try another worker.\n".encode()
    )
    assert re.fullmatch(rb"[^\n]*\n", refused.data)
