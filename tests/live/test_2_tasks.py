"""Tasks: `run` and `stream` give exactly what the agent printed; artifacts; scatter."""

from __future__ import annotations

import secrets

import pytest
from gateway import LiveGateway

from agentfm import AgentFMClient


def fresh_prompt(label: str) -> str:
    return f"{label} {secrets.token_hex(4)}"


def test_run_text_is_what_the_agent_printed(gateway: LiveGateway, client: AgentFMClient) -> None:
    prompt = fresh_prompt("run")
    result = client.tasks.run(worker_id=gateway.echo_peer_id, prompt=prompt)
    # Completion was detected (no WorkerStreamError) and the sentinel is not in the text.
    assert result.text == f"echo: {prompt}\n"
    assert result.worker_id == gateway.echo_peer_id
    assert result.artifacts == []  # no artifacts_dir: nothing is harvested


def test_stream_text_is_what_the_agent_printed(gateway: LiveGateway, client: AgentFMClient) -> None:
    prompt = fresh_prompt("stream")
    chunks = list(client.tasks.stream(worker_id=gateway.echo_peer_id, prompt=prompt))
    text = "".join(chunk.text for chunk in chunks if chunk.kind == "text")
    assert text == f"echo: {prompt}\n"
    assert "[AGENTFM" not in text
    # Completion: the stream ends with the worker's no-files sentinel, as a marker.
    assert [chunk.marker for chunk in chunks if chunk.kind == "marker"] == ["NO_FILES"]
    assert chunks[-1].kind == "marker"


def test_stream_announces_files_of_a_filer(gateway: LiveGateway, client: AgentFMClient) -> None:
    chunks = list(client.tasks.stream(worker_id=gateway.filer_peer_id, prompt=fresh_prompt("f")))
    assert "".join(chunk.text for chunk in chunks if chunk.kind == "text") == "wrote result.txt\n"
    assert [chunk.marker for chunk in chunks if chunk.kind == "marker"] == ["FILES_INCOMING"]


def test_artifacts_are_extracted_from_artifacts_dir(
    gateway: LiveGateway, client: AgentFMClient
) -> None:
    if gateway.artifacts_dir is None:
        pytest.skip("ARTIFACTS_DIR not given: the gateway's agentfm_artifacts folder is not known")
    prompt = fresh_prompt("artifact")
    harvesting = client.with_options(artifacts_dir=gateway.artifacts_dir)
    result = harvesting.tasks.run(worker_id=gateway.filer_peer_id, prompt=prompt)
    assert result.text == "wrote result.txt\n"
    assert [(path.name, path.read_text()) for path in result.artifacts] == [("result.txt", prompt)]


def test_scatter_answers_every_prompt_in_order(gateway: LiveGateway, client: AgentFMClient) -> None:
    prompts = [fresh_prompt(f"scatter {index}") for index in range(4)]
    results = client.tasks.scatter(prompts, peer_ids=[gateway.echo_peer_id])
    assert [(result.status, result.text) for result in results] == [
        ("success", f"echo: {prompt}\n") for prompt in prompts
    ]
