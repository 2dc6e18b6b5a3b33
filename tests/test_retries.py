"""Retries: idempotent requests recover; a task is never dispatched twice."""

from __future__ import annotations

import json

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    GatewayConnectionError,
    GatewayInternalError,
    WorkerStreamError,
)
from agentfm._retry import RetryPolicy, parse_retry_after
from agentfm._transport import AsyncRetryingTransport, RetryingTransport

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"


def _policy(retries: int = 2) -> RetryPolicy:
    # The jitter returns its ceiling, so the waits are the exact exponential schedule.
    return RetryPolicy(max_retries=retries, jitter=lambda ceiling: ceiling)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_get_is_retried_after_a_retryable_status(status: int) -> None:
    assert _policy().after_response("GET", status, httpx.Headers(), 0) == 0.5
    assert _policy().after_response("GET", status, httpx.Headers(), 1) == 1.0
    assert _policy().after_response("GET", status, httpx.Headers(), 2) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 501])
def test_a_get_is_not_retried_after_a_final_status(status: int) -> None:
    assert _policy().after_response("GET", status, httpx.Headers(), 0) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_a_post_is_never_resent_after_an_answer(status: int) -> None:
    assert _policy().after_response("POST", status, httpx.Headers(), 0) is None


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadError("reset"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
def test_a_post_is_not_resent_when_the_gateway_may_have_received_it(
    failure: httpx.TransportError,
) -> None:
    assert _policy().after_exception("POST", failure, 0) is None
    assert _policy().after_exception("GET", failure, 0) == 0.5


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_a_post_is_resent_when_it_never_reached_the_gateway(failure: httpx.TransportError) -> None:
    assert _policy().after_exception("POST", failure, 0) == 0.5


def test_retry_after_is_honoured_up_to_the_cap_and_never_waited_out_beyond_it() -> None:
    policy = _policy()
    assert policy.after_response("GET", 503, httpx.Headers({"Retry-After": "3"}), 0) == 3.0
    assert policy.after_response("GET", 429, httpx.Headers({"Retry-After": "60"}), 0) is None


def test_retry_after_accepts_an_http_date() -> None:
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:05 GMT"})
    assert parse_retry_after(headers, now=1445412480.0) == 5.0
    assert parse_retry_after(httpx.Headers({"Retry-After": "soon"})) is None


def test_backoff_is_exponential_with_full_jitter_under_a_ceiling() -> None:
    ceilings: list[float] = []
    policy = RetryPolicy(max_retries=10, jitter=lambda c: ceilings.append(c) or 0.0)
    for retry in range(8):
        policy.backoff(retry)
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    default = RetryPolicy()
    assert all(0.0 <= default.backoff(3) <= 4.0 for _ in range(100))


class Gateway:
    """A MockTransport handler: answers in turn, counts what reached it."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        answer = self.answers.pop(0)
        if isinstance(answer, httpx.ConnectError):
            raise answer  # refused before the gateway saw anything
        self.received.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_the_transport_resends_a_get_until_it_succeeds_waiting_the_schedule() -> None:
    gateway = Gateway(
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"ok": True}),
    )
    waits: list[float] = []
    transport = RetryingTransport(httpx.MockTransport(gateway), _policy(), sleep=waits.append)
    with httpx.Client(transport=transport, base_url="http://gw.test") as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert waits == [0.5, 1.0]


def test_the_transport_gives_the_last_answer_back_when_retries_run_out() -> None:
    gateway = Gateway(httpx.Response(503), httpx.Response(503), httpx.Response(502))
    transport = RetryingTransport(httpx.MockTransport(gateway), _policy(), sleep=lambda s: None)
    with httpx.Client(transport=transport, base_url="http://gw.test") as client:
        assert client.get("/api/workers").status_code == 502
    assert len(gateway.received) == 3


async def test_the_async_transport_follows_the_same_policy() -> None:
    gateway = Gateway(httpx.Response(504), httpx.Response(200))
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    transport = AsyncRetryingTransport(httpx.MockTransport(gateway), _policy(), sleep=record)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
        assert (await client.get("/health")).status_code == 200
    assert waits == [0.5]


def _task_answer() -> httpx.Response:
    return httpx.Response(
        200, headers={"Content-Type": "text/plain"}, content=b"done\n\n[AGENTFM: NO_FILES]\n"
    )


def test_a_task_refused_at_connect_is_dispatched_exactly_once() -> None:
    gateway = Gateway(httpx.ConnectError("refused"), _task_answer())
    client = AgentFMClient(
        "http://gw.test",
        api_key=None,
        http_client=httpx.Client(transport=httpx.MockTransport(gateway)),
    )
    assert client.tasks.run(worker_id=PEER, prompt="once").text == "done\n"
    assert len(gateway.received) == 1
    assert json.loads(gateway.received[0].content)["prompt"] == "once"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(500, text="Failed to send prompt\n"), WorkerStreamError),
        (httpx.Response(503, text="upstream busy"), GatewayInternalError),
    ],
)
def test_a_task_that_may_have_reached_the_gateway_is_never_resent(
    answer: httpx.Response, expected: type[Exception]
) -> None:
    gateway = Gateway(answer, _task_answer(), _task_answer())
    client = AgentFMClient(
        "http://gw.test",
        api_key=None,
        http_client=httpx.Client(transport=httpx.MockTransport(gateway)),
    )
    with pytest.raises(expected):
        client.tasks.run(worker_id=PEER, prompt="once")
    assert len(gateway.received) == 1


async def test_an_async_task_read_failure_is_not_resent() -> None:
    gateway = Gateway(httpx.ReadError("reset"), _task_answer())
    client = AsyncAgentFMClient(
        "http://gw.test",
        api_key=None,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(gateway)),
    )
    with pytest.raises(GatewayConnectionError, match="connection to the gateway"):
        await client.tasks.run(worker_id=PEER, prompt="once")
    assert len(gateway.received) == 1
