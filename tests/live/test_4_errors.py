"""Typed errors: unknown worker, bad body, unknown model, wrong or missing key."""

from __future__ import annotations

import httpx
import pytest
from conftest import require
from gateway import LiveGateway
from test_1_discovery import unknown_peer_id

from agentfm import (
    AgentFMClient,
    AuthenticationError,
    InvalidRequestError,
    ModelNotFoundError,
    WorkerNotFoundError,
)


def test_run_on_an_unknown_worker_is_worker_not_found(client: AgentFMClient) -> None:
    with pytest.raises(WorkerNotFoundError):
        client.tasks.run(worker_id=unknown_peer_id(), prompt="anyone there?")


def test_a_body_that_is_not_json_is_a_plain_400(raw: httpx.Client) -> None:
    response = raw.post(
        "/api/execute", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.text) == (400, "Invalid JSON payload\n")


def test_a_blank_prompt_is_an_invalid_request(gateway: LiveGateway, client: AgentFMClient) -> None:
    require(gateway, gateway.has_openai, "the OpenAI routes", "1.2.0")
    with pytest.raises(InvalidRequestError):
        client.openai.completions.create(model=gateway.echo_peer_id, prompt="   ")


def test_an_unknown_model_is_model_not_found(gateway: LiveGateway, client: AgentFMClient) -> None:
    require(gateway, gateway.has_openai, "the OpenAI routes", "1.2.0")
    with pytest.raises(ModelNotFoundError):
        client.openai.chat.completions.create(
            model=unknown_peer_id(), messages=[{"role": "user", "content": "hi"}]
        )


@pytest.mark.parametrize("key", ["wrong", "missing"])
def test_a_bad_key_is_an_authentication_error(
    gateway: LiveGateway, client: AgentFMClient, key: str
) -> None:
    require(gateway, gateway.has_auth, "bearer auth", "1.2.0")
    if not gateway.keyed:
        pytest.skip("the gateway runs without AGENTFM_API_KEYS: there is no key to get wrong")
    unkeyed = client.with_options(api_key="not-the-key-0123456789" if key == "wrong" else None)
    with pytest.raises(AuthenticationError):
        unkeyed.workers.list()
