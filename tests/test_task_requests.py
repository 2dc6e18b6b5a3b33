"""What `tasks.run` / `stream` / `submit_async` refuse before sending, and what they send."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from agentfm import AgentFMClient, AsyncAgentFMClient, InvalidPeerIdError, InvalidRequestError

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
DONE = b"ok\n\n[AGENTFM: NO_FILES]\n"


class Gateway:
    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        if request.url.path == "/api/execute/async":
            ack = {"message": "Task dispatched to P2P mesh.", "status": "queued", "task_id": "t1"}
            return httpx.Response(202, json=ack)
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=DONE)


@pytest.fixture
def gateway() -> Gateway:
    return Gateway()


@pytest.fixture
def client(gateway: Gateway) -> AgentFMClient:
    transport = httpx.MockTransport(gateway)
    return AgentFMClient(
        "http://gw.test", api_key=None, http_client=httpx.Client(transport=transport)
    )


@pytest.mark.parametrize("worker_id", ["", None, 7])
def test_an_empty_or_non_string_worker_id_is_refused_before_sending(
    client: AgentFMClient, gateway: Gateway, worker_id: Any
) -> None:
    with pytest.raises(InvalidPeerIdError):
        client.tasks.run(worker_id=worker_id, prompt="hi")
    with pytest.raises(InvalidPeerIdError):
        client.tasks.stream(worker_id=worker_id, prompt="hi")
    with pytest.raises(InvalidPeerIdError):
        client.tasks.submit_async(worker_id=worker_id, prompt="hi")
    assert gateway.bodies == []


@pytest.mark.parametrize("worker_id", ["llama3.2", "12D3KooWshort", "peer-1", " " + PEER])
def test_any_non_empty_worker_id_is_sent_verbatim_for_the_gateway_to_judge(
    client: AgentFMClient, gateway: Gateway, worker_id: str
) -> None:
    # The gateway compares worker ids as strings (gateway-protocol.md 2.1): a test double's
    # short id, or an id of a future form, is the gateway's to accept or 404.
    client.tasks.run(worker_id=worker_id, prompt="hi")
    list(client.tasks.stream(worker_id=worker_id, prompt="hi"))
    client.tasks.submit_async(worker_id=worker_id, prompt="hi")
    assert [body["worker_id"] for body in gateway.bodies] == [worker_id] * 3


def test_every_libp2p_peer_id_form_is_accepted(client: AgentFMClient, gateway: Gateway) -> None:
    for peer in (PEER, "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"):
        client.tasks.run(worker_id=peer, prompt="hi")
    assert [body["worker_id"] for body in gateway.bodies] == [
        PEER,
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
    ]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"prompt": ""}, "prompt_required"),
        ({"prompt": "hi", "task_id": "-starts-badly"}, "invalid_task_id"),
        ({"prompt": "hi", "task_id": "x" * 129}, "invalid_task_id"),
        ({"prompt": "hi", "task_id": "has space"}, "invalid_task_id"),
        ({"prompt": "hi", "task_id": "trailing-newline\n"}, "invalid_task_id"),
    ],
)
def test_what_the_gateway_would_refuse_is_refused_locally(
    client: AgentFMClient, gateway: Gateway, arguments: dict[str, str], code: str
) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        list(client.tasks.stream(worker_id=PEER, **arguments))
    assert raised.value.code == code
    assert gateway.bodies == []


def test_a_caller_task_id_is_sent_and_run_mints_the_gateways_format(
    client: AgentFMClient, gateway: Gateway
) -> None:
    list(client.tasks.stream(worker_id=PEER, prompt="hi", task_id="batch-7.part_2"))
    result = client.tasks.run(worker_id=PEER, prompt="hi")
    assert gateway.bodies[0]["task_id"] == "batch-7.part_2"
    assert gateway.bodies[1]["task_id"] == result.task_id
    assert result.task_id.startswith("task_")
    assert len(result.task_id) == len("task_") + 24


def test_the_one_mebibyte_body_limit_counts_utf8_bytes_as_sent(
    client: AgentFMClient, gateway: Gateway
) -> None:
    # 3 bytes per character in UTF-8, 6 when escaped as \\uXXXX: only the former is what goes out.
    fits = "語" * 300_000
    too_big = "語" * 360_000
    client.tasks.run(worker_id=PEER, prompt=fits)
    with pytest.raises(InvalidRequestError) as raised:
        client.tasks.run(worker_id=PEER, prompt=too_big)
    assert raised.value.code == "prompt_too_large"
    assert len(gateway.bodies) == 1


@pytest.mark.parametrize("url", ["not a url", "ftp://host/cb", "/relative/cb", "http:///cb"])
def test_a_malformed_webhook_url_is_refused(
    client: AgentFMClient, gateway: Gateway, url: str
) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        client.tasks.submit_async(worker_id=PEER, prompt="hi", webhook_url=url)
    assert raised.value.code == "invalid_webhook_url"
    assert gateway.bodies == []


async def test_submit_async_sends_the_webhook_url_and_returns_the_ack(gateway: Gateway) -> None:
    transport = httpx.MockTransport(gateway)
    async with AsyncAgentFMClient(
        "http://gw.test", api_key=None, http_client=httpx.AsyncClient(transport=transport)
    ) as client:
        ack = await client.tasks.submit_async(
            worker_id=PEER, prompt="later", webhook_url="https://hooks.example.com/cb"
        )
    assert (ack.task_id, ack.status) == ("t1", "queued")
    assert gateway.bodies == [
        {"worker_id": PEER, "prompt": "later", "webhook_url": "https://hooks.example.com/cb"}
    ]
