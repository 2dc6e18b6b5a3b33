"""The OpenAI-compatible routes, through the SDK and through the official `openai` package.

The gateway flattens chat messages into one prompt (`user: <text>\\n\\nassistant:`) and re-emits
every output line with a `\\n`, keeping the blank line before the worker's sentinel
(gateway-protocol.md 5.10), so `live-echo`'s answer is known exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import openai
import pytest
from conftest import require
from gateway import CONVENTION_ENGINE, LiveGateway

from agentfm import AgentFMClient

MESSAGES = [{"role": "user", "content": "hello"}]
ECHO_CHAT = "echo: user: hello\n\nassistant:\n\n"
FILER_CHAT = "wrote result.txt\n\n"


@pytest.fixture(autouse=True)
def _openai_routes(gateway: LiveGateway) -> None:
    require(
        gateway, gateway.has_openai, "the OpenAI routes (/v1/models, /v1/*completions)", "1.2.0"
    )


@pytest.fixture
def official(gateway: LiveGateway) -> Iterator[openai.OpenAI]:
    """The official client as its docs say: base URL `<gateway>/v1`, the key (any when none)."""
    with openai.OpenAI(
        base_url=f"{gateway.url}/v1", api_key=gateway.api_key or "no-key", max_retries=0
    ) as sdk:
        yield sdk


def routed(gateway: LiveGateway, by: str) -> tuple[str, set[str]]:
    """(`model` to send, acceptable answers) for routing by peer id, agent name or engine."""
    if by == "peer id":
        return gateway.echo_peer_id, {ECHO_CHAT}
    if by == "agent name":
        return "live-echo", {ECHO_CHAT}
    # Both convention workers run the engine: either may be picked.
    return CONVENTION_ENGINE, {ECHO_CHAT, FILER_CHAT}


ROUTES = ["peer id", "agent name", "engine"]


def test_models_list_has_the_convention_workers(
    gateway: LiveGateway, client: AgentFMClient
) -> None:
    entries = {entry.id: entry for entry in client.openai.models.list().data}
    assert entries[gateway.echo_peer_id].agentfm_name == "live-echo"
    assert entries[gateway.filer_peer_id].agentfm_engine == CONVENTION_ENGINE


@pytest.mark.parametrize("by", ROUTES)
def test_chat(gateway: LiveGateway, client: AgentFMClient, by: str) -> None:
    model, answers = routed(gateway, by)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the routing warning for names is covered elsewhere
        completion = client.openai.chat.completions.create(model=model, messages=MESSAGES)
    assert completion.model == model
    assert completion.choices[0].message.content in answers
    assert completion.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("by", ROUTES)
def test_chat_streamed(gateway: LiveGateway, client: AgentFMClient, by: str) -> None:
    model, answers = routed(gateway, by)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chunks = list(
            client.openai.chat.completions.create(model=model, messages=MESSAGES, stream=True)
        )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) in answers
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_text_completion(gateway: LiveGateway, client: AgentFMClient, stream: bool) -> None:
    prompt = "complete me"
    if stream:
        pieces = client.openai.completions.create(
            model=gateway.echo_peer_id, prompt=prompt, stream=True
        )
        text = "".join(chunk.choices[0].text for chunk in pieces)
    else:
        answer = client.openai.completions.create(model=gateway.echo_peer_id, prompt=prompt)
        text = answer.choices[0].text
    assert text == f"echo: {prompt}\n\n"


def test_official_openai_models(gateway: LiveGateway, official: openai.OpenAI) -> None:
    ids = {model.id for model in official.models.list()}
    assert {gateway.echo_peer_id, gateway.filer_peer_id} <= ids


@pytest.mark.parametrize("by", ROUTES)
def test_official_openai_chat(gateway: LiveGateway, official: openai.OpenAI, by: str) -> None:
    model, answers = routed(gateway, by)
    completion = official.chat.completions.create(model=model, messages=MESSAGES)  # type: ignore[arg-type]
    assert completion.choices[0].message.content in answers


def test_official_openai_chat_streamed(gateway: LiveGateway, official: openai.OpenAI) -> None:
    stream = official.chat.completions.create(
        model=gateway.echo_peer_id,
        messages=MESSAGES,  # type: ignore[arg-type]
        stream=True,
    )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == ECHO_CHAT


def test_official_openai_completion(gateway: LiveGateway, official: openai.OpenAI) -> None:
    answer = official.completions.create(model=gateway.echo_peer_id, prompt="plain")
    assert answer.choices[0].text == "echo: plain\n\n"
