"""Turn a gateway refusal or a transport failure into the most specific `AgentFMError`.

The gateway answers errors in two formats (docs/reference/gateway-protocol.md §3): the JSON envelope
`{"error": {"message", "type", "code"}}` on auth failures, the OpenAI routes, the async 503 and the
`/v1/peers/*` family; and Go's plain-text `http.Error` on the `/api/*` routes and a few others.
Envelopes are mapped by `code` (docs/reference/gateway-protocol.md §3.3), plain text by status and
message (docs/reference/gateway-protocol.md §5.4-§5.8). Pure functions: the clients hand in what
they received.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from agentfm._json import loads_gateway_json
from agentfm._retry import parse_retry_after
from agentfm.exceptions import (
    AgentFMError,
    AsyncCapacityError,
    AuthenticationError,
    CommentNotFoundError,
    CommentSignatureError,
    DispatchRefusedError,
    EntryNotFoundError,
    GatewayConnectionError,
    GatewayInternalError,
    GatewayProtocolError,
    GatewayTimeoutError,
    InvalidCidError,
    InvalidCommentError,
    InvalidPeerIdError,
    InvalidRequestError,
    LedgerInternalError,
    LedgerUnavailableError,
    MeshOverloadedError,
    ModelNotFoundError,
    NonSelfSubmitterError,
    OriginRefusedError,
    RateLimitError,
    TaskStreamBrokenError,
    TaskStreamTimeoutError,
    UnexpectedAuthError,
    UnexpectedClientError,
    UnexpectedNotFoundError,
    UnexpectedRateLimitError,
    UnexpectedServerError,
    UnexpectedStatusError,
    WorkerNotFoundError,
    WorkerStreamError,
    WorkerUnreachableError,
)

__all__ = [
    "error_from_envelope",
    "error_from_response",
    "error_from_transport",
    "redact_url",
    "task_stream_error",
]

# docs/reference/gateway-protocol.md §3.3: every envelope code the gateway sends, to the class that
# means it.
_ENVELOPE_CODES: dict[str, type[AgentFMError]] = {
    "unauthorized": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "rate_limited": RateLimitError,
    "async_capacity_exhausted": AsyncCapacityError,
    "method_not_allowed": InvalidRequestError,
    "invalid_request_error": InvalidRequestError,
    "model_required": InvalidRequestError,
    "prompt_required": InvalidRequestError,
    "unsupported_prompt_type": InvalidRequestError,
    "model_not_found": ModelNotFoundError,
    "mesh_overloaded": MeshOverloadedError,
    "internal_error": GatewayInternalError,
    "worker_unreachable": WorkerUnreachableError,
    "worker_stream_failed": WorkerStreamError,
    "not_found": InvalidRequestError,
    "bad_request": InvalidRequestError,
    "bad_peer_id": InvalidPeerIdError,
    "ledger_unavailable": LedgerUnavailableError,
    "comments_unavailable": LedgerUnavailableError,
    "host_unavailable": LedgerUnavailableError,
    "not_implemented": LedgerUnavailableError,
    "ledger_error": LedgerInternalError,
    "gather_error": LedgerInternalError,
    "prove_error": LedgerInternalError,
    "append_failed": LedgerInternalError,
    "store_error": LedgerInternalError,
    "store_body": LedgerInternalError,
    "entry_not_found": EntryNotFoundError,
    "read_body": InvalidRequestError,
    "bad_json": InvalidRequestError,
    "missing_field": InvalidRequestError,
    "body_too_large": InvalidCommentError,
    "bad_rating": InvalidCommentError,
    "bad_signature": CommentSignatureError,
    "non_self_submitter": NonSelfSubmitterError,
    "bad_cid": InvalidCidError,
    "comment_not_found": CommentNotFoundError,
}

# Plain-text refusals: (status, message prefix, class, the SDK's code for it).
_PLAIN_TEXT_REFUSALS: tuple[tuple[int, str, type[AgentFMError], str], ...] = (
    (400, "Invalid JSON payload", InvalidRequestError, "invalid_json"),
    (400, "worker_id is required", InvalidRequestError, "worker_id_required"),
    (400, "prompt is required", InvalidRequestError, "prompt_required"),
    (400, "Invalid task_id format", InvalidRequestError, "invalid_task_id"),
    (400, "Invalid Worker ID format", InvalidPeerIdError, "invalid_worker_id"),
    (403, "dispatch refused:", DispatchRefusedError, "dispatch_refused"),
    (403, "cross-origin request refused", OriginRefusedError, "origin_refused"),
    (404, "Worker not found or offline", WorkerNotFoundError, "worker_not_found"),
    (404, "404 page not found", GatewayProtocolError, "route_not_found"),
    (405, "", InvalidRequestError, "method_not_allowed"),
    (500, "Failed to connect to worker", WorkerUnreachableError, "worker_unreachable"),
    (500, "Failed to set write deadline", WorkerStreamError, "worker_stream_failed"),
    (500, "Failed to send prompt", WorkerStreamError, "worker_stream_failed"),
    (500, "Failed to half-close task stream", WorkerStreamError, "worker_stream_failed"),
)

_MAX_MESSAGE_CHARS = 500


def _envelope(body: bytes) -> tuple[str, str] | None:
    """(code, message) when `body` is the gateway's JSON error envelope."""
    try:
        document = loads_gateway_json(body, what="the error body")
    except GatewayProtocolError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("error"), dict):
        return None
    detail = document["error"]
    code, message = detail.get("code"), detail.get("message")
    if not isinstance(code, str) or not isinstance(message, str):
        return None
    return code, message


def _fallback_class(status: int) -> type[AgentFMError]:
    """The class of an envelope whose code is not in the catalogue: judged by its status."""
    if status in (401, 407):
        return AuthenticationError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return GatewayInternalError
    if 400 <= status < 500:
        return InvalidRequestError
    return GatewayProtocolError


def _unexpected_class(status: int) -> type[AgentFMError]:
    """The class of a plain-text refusal the catalogue does not know: the status's class, and
    also a `GatewayProtocolError` (what agentfm 0.3.0 raised for any non-envelope error)."""
    if status in (401, 407):
        return UnexpectedAuthError
    if status == 429:
        return UnexpectedRateLimitError
    if status == 404:
        return UnexpectedNotFoundError
    if status >= 500:
        return UnexpectedServerError
    if 400 <= status < 500:
        return UnexpectedClientError
    return UnexpectedStatusError


def _build(
    cls: type[AgentFMError], message: str, code: str, status: int, headers: Mapping[str, str]
) -> AgentFMError:
    if issubclass(cls, RateLimitError):
        return cls(message, code=code, status=status, retry_after=parse_retry_after(headers))
    if cls is AsyncCapacityError:
        return AsyncCapacityError(
            message, code=code, status=status, retry_after=parse_retry_after(headers)
        )
    if cls is DispatchRefusedError:
        reason = message.partition(":")[2].strip()
        return DispatchRefusedError(message, code=code, status=status, reason=reason)
    if cls is GatewayProtocolError and code == "route_not_found":
        message = (
            "the gateway has no such route (404 page not found): is gateway_url the gateway's "
            "root URL, e.g. http://127.0.0.1:8080, and is it an AgentFM gateway?"
        )
    return cls(message, code=code, status=status)


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> AgentFMError:
    """The error a non-success answer means. `headers` must be case-insensitive (httpx.Headers)."""
    envelope = _envelope(body)
    if envelope is not None:
        code, message = envelope
        return _build(
            _ENVELOPE_CODES.get(code) or _fallback_class(status), message, code, status, headers
        )
    text = body.decode("utf-8", "replace").strip()[:_MAX_MESSAGE_CHARS]
    for refusal_status, prefix, cls, code in _PLAIN_TEXT_REFUSALS:
        if status == refusal_status and text.startswith(prefix):
            return _build(cls, text or f"HTTP {status}", code, status, headers)
    fallback = _unexpected_class(status)
    message = text or f"the gateway answered HTTP {status} with an empty body"
    return _build(fallback, message, f"http_{status}", status, headers)


def error_from_envelope(status: int, envelope: object) -> AgentFMError:
    """The error a decoded JSON error envelope means; a `GatewayProtocolError` when `envelope`
    is not one. Never raises (it backs the 0.3.0 `exceptions.from_envelope`)."""
    if not isinstance(status, int) or isinstance(status, bool):
        status = 0
    detail = envelope.get("error") if isinstance(envelope, Mapping) else None
    if not isinstance(detail, Mapping):
        return GatewayProtocolError(
            f"the gateway answered HTTP {status} without a JSON error envelope",
            code="unparseable_envelope",
            status=status,
        )
    code = detail.get("code")
    message = detail.get("message")
    code = code if isinstance(code, str) and code else f"http_{status}"
    message = message[:_MAX_MESSAGE_CHARS] if isinstance(message, str) else "unknown error"
    cls = _ENVELOPE_CODES.get(code) or _fallback_class(status)
    return _build(cls, message, code, status, httpx.Headers())


def redact_url(url: httpx.URL | str) -> str:
    """The URL without user info or query, safe to show in an error or a log line."""
    parsed = httpx.URL(str(url))
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


def task_stream_error(error: GatewayConnectionError, partial_text: str) -> AgentFMError:
    """The error for a transport failure while a task's answer streams: also a
    `WorkerStreamError`, as agentfm 0.3.0 raised, unless the gateway was never reached."""
    if error.code == "connection_error" or isinstance(error, TaskStreamBrokenError):
        error.partial_text = partial_text
        return error
    cls = (
        TaskStreamTimeoutError if isinstance(error, GatewayTimeoutError) else TaskStreamBrokenError
    )
    return cls(
        f"{error.message}; the task's answer was cut off after {len(partial_text)} characters",
        code=error.code,
        status=error.status,
        partial_text=partial_text,
    )


def error_from_transport(error: httpx.HTTPError, gateway_url: str) -> AgentFMError:
    """The error a failed exchange with the gateway means (no HTTP answer, or none decodable)."""
    where = redact_url(gateway_url)
    reason = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return GatewayTimeoutError(
            f"the gateway at {where} did not answer in time ({reason})", code="timeout"
        )
    if isinstance(error, httpx.ConnectError):
        return GatewayConnectionError(
            f"could not connect to the gateway at {where}: is it running?", code="connection_error"
        )
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return InvalidRequestError(
            f"gateway_url {where!r} is not a usable http(s) URL", code="invalid_gateway_url"
        )
    if isinstance(error, (httpx.DecodingError, httpx.TooManyRedirects)):
        return GatewayProtocolError(
            f"the gateway at {where} sent an answer that cannot be decoded ({reason})",
            code="protocol_error",
        )
    return GatewayConnectionError(
        f"the connection to the gateway at {where} failed ({reason})", code="connection_lost"
    )
