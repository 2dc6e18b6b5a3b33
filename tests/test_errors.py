"""Every gateway refusal and transport failure becomes the most specific `AgentFMError`."""

from __future__ import annotations

import json

import httpx
import pytest

import agentfm
from agentfm import exceptions
from agentfm._errors import error_from_response, error_from_transport

# gateway-protocol.md 3.3: the whole envelope catalogue, with the class each code must raise.
ENVELOPE_CODES: list[tuple[int, str, type[exceptions.AgentFMError]]] = [
    (401, "unauthorized", exceptions.AuthenticationError),
    (401, "invalid_api_key", exceptions.AuthenticationError),
    (429, "rate_limited", exceptions.RateLimitError),
    (503, "async_capacity_exhausted", exceptions.AsyncCapacityError),
    (405, "method_not_allowed", exceptions.InvalidRequestError),
    (400, "invalid_request_error", exceptions.InvalidRequestError),
    (400, "model_required", exceptions.InvalidRequestError),
    (400, "prompt_required", exceptions.InvalidRequestError),
    (400, "unsupported_prompt_type", exceptions.InvalidRequestError),
    (404, "model_not_found", exceptions.ModelNotFoundError),
    (503, "mesh_overloaded", exceptions.MeshOverloadedError),
    (500, "internal_error", exceptions.GatewayInternalError),
    (502, "worker_unreachable", exceptions.WorkerUnreachableError),
    (502, "worker_stream_failed", exceptions.WorkerStreamError),
    (404, "not_found", exceptions.InvalidRequestError),
    (400, "bad_request", exceptions.InvalidRequestError),
    (400, "bad_peer_id", exceptions.InvalidPeerIdError),
    (503, "ledger_unavailable", exceptions.LedgerUnavailableError),
    (503, "comments_unavailable", exceptions.LedgerUnavailableError),
    (503, "host_unavailable", exceptions.LedgerUnavailableError),
    (500, "ledger_error", exceptions.LedgerInternalError),
    (500, "gather_error", exceptions.LedgerInternalError),
    (404, "entry_not_found", exceptions.EntryNotFoundError),
    (500, "prove_error", exceptions.LedgerInternalError),
    (501, "not_implemented", exceptions.LedgerUnavailableError),
    (400, "read_body", exceptions.InvalidRequestError),
    (400, "bad_json", exceptions.InvalidRequestError),
    (400, "missing_field", exceptions.InvalidRequestError),
    (400, "body_too_large", exceptions.InvalidCommentError),
    (400, "bad_rating", exceptions.InvalidCommentError),
    (400, "store_body", exceptions.LedgerInternalError),
    (401, "bad_signature", exceptions.CommentSignatureError),
    (403, "non_self_submitter", exceptions.NonSelfSubmitterError),
    (500, "append_failed", exceptions.LedgerInternalError),
    (400, "bad_cid", exceptions.InvalidCidError),
    (404, "comment_not_found", exceptions.CommentNotFoundError),
    (500, "store_error", exceptions.LedgerInternalError),
]


def _envelope(code: str, message: str = "the gateway's words") -> bytes:
    kind = "invalid_request_error"
    return json.dumps({"error": {"message": message, "type": kind, "code": code}}).encode()


@pytest.mark.parametrize(("status", "code", "expected"), ENVELOPE_CODES)
def test_every_envelope_code_maps_to_its_own_class(
    status: int, code: str, expected: type[exceptions.AgentFMError]
) -> None:
    error = error_from_response(status, httpx.Headers(), _envelope(code))
    assert type(error) is expected
    assert error.code == code
    assert error.status == status
    assert error.message == "the gateway's words"


def test_a_bad_comment_signature_is_not_an_authentication_failure() -> None:
    error = error_from_response(401, httpx.Headers(), _envelope("bad_signature"))
    assert not isinstance(error, exceptions.AuthenticationError)


@pytest.mark.parametrize(
    ("status", "code", "retry_after"),
    [(429, "rate_limited", "60"), (503, "async_capacity_exhausted", "5")],
)
def test_throttling_errors_carry_retry_after(status: int, code: str, retry_after: str) -> None:
    headers = httpx.Headers({"Retry-After": retry_after})
    error = error_from_response(status, headers, _envelope(code))
    assert isinstance(error, (exceptions.RateLimitError, exceptions.AsyncCapacityError))
    assert error.retry_after == float(retry_after)


def test_rate_limiting_and_async_capacity_are_distinguishable() -> None:
    limited = error_from_response(429, httpx.Headers(), _envelope("rate_limited"))
    full = error_from_response(503, httpx.Headers(), _envelope("async_capacity_exhausted"))
    assert not isinstance(limited, exceptions.MeshOverloadedError)
    assert not isinstance(full, exceptions.RateLimitError)


# Sections 5.4, 5.5 and 2: the plain-text (Go http.Error) refusals, exact texts.
PLAIN_TEXT: list[tuple[int, str, type[exceptions.AgentFMError], str]] = [
    (400, "Invalid JSON payload\n", exceptions.InvalidRequestError, "invalid_json"),
    (400, "worker_id is required\n", exceptions.InvalidRequestError, "worker_id_required"),
    (400, "prompt is required\n", exceptions.InvalidRequestError, "prompt_required"),
    (400, "Invalid task_id format\n", exceptions.InvalidRequestError, "invalid_task_id"),
    (400, "Invalid Worker ID format\n", exceptions.InvalidPeerIdError, "invalid_worker_id"),
    (404, "Worker not found or offline\n", exceptions.WorkerNotFoundError, "worker_not_found"),
    (
        403,
        "dispatch refused: peer_is_equivocator\n",
        exceptions.DispatchRefusedError,
        "dispatch_refused",
    ),
    (
        403,
        "dispatch refused: reputation_below_floor\n",
        exceptions.DispatchRefusedError,
        "dispatch_refused",
    ),
    (403, "cross-origin request refused\n", exceptions.OriginRefusedError, "origin_refused"),
    (
        500,
        "Failed to connect to worker via DHT or Relay\n",
        exceptions.WorkerUnreachableError,
        "worker_unreachable",
    ),
    (500, "Failed to set write deadline\n", exceptions.WorkerStreamError, "worker_stream_failed"),
    (500, "Failed to send prompt\n", exceptions.WorkerStreamError, "worker_stream_failed"),
    (
        500,
        "Failed to half-close task stream\n",
        exceptions.WorkerStreamError,
        "worker_stream_failed",
    ),
    (405, "Method not allowed\n", exceptions.InvalidRequestError, "method_not_allowed"),
    (404, "404 page not found\n", exceptions.GatewayProtocolError, "route_not_found"),
    (503, "events disabled\n", exceptions.UnexpectedServerError, "http_503"),
]


@pytest.mark.parametrize(("status", "body", "expected", "code"), PLAIN_TEXT)
def test_every_plain_text_refusal_maps_to_its_class(
    status: int, body: str, expected: type[exceptions.AgentFMError], code: str
) -> None:
    headers = httpx.Headers({"Content-Type": "text/plain; charset=utf-8"})
    error = error_from_response(status, headers, body.encode())
    assert type(error) is expected
    assert error.code == code
    assert error.status == status


def test_the_trust_gate_reason_is_parsed() -> None:
    error = error_from_response(403, httpx.Headers(), b"dispatch refused: reputation_below_floor\n")
    assert isinstance(error, exceptions.DispatchRefusedError)
    assert error.reason == "reputation_below_floor"


def test_an_unknown_route_explains_the_likely_misconfiguration() -> None:
    error = error_from_response(404, httpx.Headers(), b"404 page not found\n")
    assert "gateway_url" in error.message


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (418, exceptions.InvalidRequestError),
        (404, exceptions.WorkerNotFoundError),
        (502, exceptions.GatewayInternalError),
        (401, exceptions.AuthenticationError),
        (429, exceptions.RateLimitError),
        (302, exceptions.GatewayProtocolError),
    ],
)
def test_unknown_answers_fall_back_by_status(
    status: int, expected: type[exceptions.AgentFMError]
) -> None:
    error = error_from_response(status, httpx.Headers(), b"<html>proxy error</html>")
    # The status's class, and also what 0.3.0 raised for any error without an envelope.
    assert isinstance(error, expected)
    assert isinstance(error, exceptions.GatewayProtocolError)
    assert isinstance(error, exceptions.UnexpectedStatusError)
    assert error.status == status


def test_an_unknown_envelope_code_falls_back_by_status_and_keeps_the_code() -> None:
    error = error_from_response(409, httpx.Headers(), _envelope("brand_new_code"))
    assert type(error) is exceptions.InvalidRequestError
    assert error.code == "brand_new_code"


SECRET_URL = "http://alice:hunter2@gateway.test:8080"


@pytest.mark.parametrize(
    ("failure", "expected", "code"),
    [
        (httpx.ConnectError("refused"), exceptions.GatewayConnectionError, "connection_error"),
        (httpx.ReadTimeout("slow"), exceptions.GatewayTimeoutError, "timeout"),
        (httpx.ConnectTimeout("slow"), exceptions.GatewayTimeoutError, "timeout"),
        (httpx.RemoteProtocolError("reset"), exceptions.GatewayConnectionError, "connection_lost"),
        (httpx.ReadError("reset"), exceptions.GatewayConnectionError, "connection_lost"),
        (httpx.DecodingError("bad gzip"), exceptions.GatewayProtocolError, "protocol_error"),
        (httpx.UnsupportedProtocol("ftp"), exceptions.InvalidRequestError, "invalid_gateway_url"),
    ],
)
def test_transport_failures_map_without_leaking_credentials(
    failure: httpx.HTTPError, expected: type[exceptions.AgentFMError], code: str
) -> None:
    error = error_from_transport(failure, SECRET_URL)
    assert type(error) is expected
    assert error.code == code
    assert error.status is None
    assert "hunter2" not in str(error)
    assert "gateway.test:8080" in str(error)


def test_every_exception_class_is_importable_from_agentfm_and_drawn_in_the_tree() -> None:
    tree = exceptions.__doc__ or ""
    classes = [name for name in exceptions.__all__ if name != "from_envelope"]
    for name in classes:
        assert getattr(agentfm, name) is getattr(exceptions, name)
        assert name in tree, f"{name} is missing from the tree in agentfm/exceptions.py"
        assert issubclass(getattr(exceptions, name), exceptions.AgentFMError)


def test_the_seed_readme_error_imports_work() -> None:
    from agentfm import (  # noqa: F401  (the exact import block of the 0.3.0 README)
        AgentFMError,
        AuthenticationError,
        GatewayConnectionError,
        InvalidRequestError,
        MeshOverloadedError,
        ModelNotFoundError,
        WorkerNotFoundError,
        WorkerStreamError,
        WorkerUnreachableError,
    )


def _proxy(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/workers":
        # A reverse proxy's login page where the spec documents the gateway's JSON envelope.
        return httpx.Response(401, headers={"Content-Type": "text/html"}, content=b"<h1>login</h1>")
    return httpx.Response(200, headers={"Content-Type": "application/json"}, content=b"[1, 2")


def test_an_undecodable_refusal_is_still_judged_by_its_status() -> None:
    client = agentfm.AgentFMClient(
        "http://gw.test",
        api_key=None,
        http_client=httpx.Client(transport=httpx.MockTransport(_proxy)),
    )
    with pytest.raises(exceptions.AuthenticationError) as refused:
        client.workers.list()
    assert refused.value.status == 401
    with pytest.raises(exceptions.GatewayProtocolError) as garbled:
        client.openai.models.list()
    assert garbled.value.code == "unexpected_body"


async def test_an_undecodable_refusal_is_judged_by_its_status_async() -> None:
    transport = httpx.MockTransport(_proxy)
    async with agentfm.AsyncAgentFMClient(
        "http://gw.test", api_key=None, http_client=httpx.AsyncClient(transport=transport)
    ) as client:
        with pytest.raises(exceptions.AuthenticationError):
            await client.workers.list()
        with pytest.raises(exceptions.GatewayProtocolError):
            await client.openai.models.list()
