"""Every error the SDK raises. No other exception type escapes a public call.

    AgentFMError                      .message .code .status (None when no HTTP answer)
    ├── GatewayConnectionError        the gateway could not be reached, or the connection broke
    │   ├── GatewayTimeoutError       no answer within the client's timeout
    │   ├── TaskStreamBrokenError     the connection broke while a task was answering; also a
    │   │   │                         WorkerStreamError (.partial_text)
    │   │   └── TaskStreamTimeoutError    ... because the answer stalled; also GatewayTimeoutError
    │   └── GatewayStartError         `LocalMeshGateway` could not start its gateway process: port
    │       │                         held by another process, the child exited, or no /health
    │       │                         within `startup_timeout` (.log_file .exit_code)
    │       └── GatewayBinaryNotFoundError    the binary is missing; also FileNotFoundError
    ├── GatewayProtocolError          an answer the SDK cannot decode, or a route the gateway lacks
    │   └── UnexpectedStatusError     an error status whose plain-text body the SDK does not know;
    │                                 the subclasses are also the class the status suggests:
    │                                 UnexpectedClientError (4xx, InvalidRequestError),
    │                                 UnexpectedNotFoundError (404, also WorkerNotFoundError),
    │                                 UnexpectedAuthError (401/407), UnexpectedRateLimitError
    │                                 (429), UnexpectedServerError (5xx, GatewayInternalError)
    ├── AuthenticationError           401 `unauthorized` / `invalid_api_key`
    ├── RateLimitError                429 `rate_limited`: too many failed logins (.retry_after)
    ├── InvalidRequestError           400 / 405 / other 4xx: the request itself is wrong
    │   ├── InvalidPeerIdError        not a libp2p peer id (checked locally, or 400 `bad_peer_id`)
    │   ├── InvalidCidError           not a comment CID (checked locally, or 400 `bad_cid`)
    │   ├── InvalidCommentError       400 `body_too_large` / `bad_rating`
    │   ├── OriginRefusedError        403 `cross-origin request refused`
    │   ├── InvalidArgumentError      an argument of the call is unusable; also ValueError
    │   ├── InvalidSwarmKeyError      not a swarm key (or key file); also ValueError
    │   └── SwarmKeyNotFoundError     the swarm key file does not exist; also FileNotFoundError
    ├── WorkerNotFoundError           404 `Worker not found or offline`
    ├── WorkerUnreachableError        500 `Failed to connect to worker` / 502 `worker_unreachable`
    ├── WorkerStreamError             the task stream failed or ended without a completion
    │   │                             sentinel (.partial_text); 500 `Failed to send prompt` ...,
    │   │                             502 `worker_stream_failed`
    │   └── TaskExecutionError        a 200 answer in which the worker refused the task or ended
    │                                 it without the completion sentinel (code `worker_refused`,
    │                                 `stream_incomplete`)
    ├── DispatchRefusedError          403 `dispatch refused: <reason>`: the trust gate (.reason)
    ├── ModelNotFoundError            404 `model_not_found`
    ├── MeshOverloadedError           503 `mesh_overloaded`: every matching worker is busy
    │   └── AsyncCapacityError        503 `async_capacity_exhausted` (.retry_after)
    ├── GatewayInternalError          500 `internal_error` and any other 5xx
    │   └── LedgerInternalError       500 `ledger_error` `gather_error` `prove_error`
    │                                 `append_failed` `store_error`, 400 `store_body`
    ├── LedgerUnavailableError        503 `ledger_unavailable` `comments_unavailable`
    │                                 `host_unavailable`, 501 `not_implemented`
    ├── EntryNotFoundError            404 `entry_not_found`: not in this Boss's own log
    ├── CommentNotFoundError          404 `comment_not_found`
    ├── CommentSignatureError         401 `bad_signature` (not a bearer-token failure)
    ├── NonSelfSubmitterError         403 `non_self_submitter`
    ├── ProofVerificationError        a Merkle proof does not fold to the signed root, or a
    │                                 comment text does not hash to its CID
    ├── ArtifactError                 an artifact zip is refused (zip-slip, symlink, caps, corrupt);
    │                                 from `tasks.run` it keeps the answer (.text .task_id)
    │   └── ArtifactTimeoutError      the announced zip never arrived (.text keeps the answer)
    └── WebhookVerificationError      a webhook body or signature is refused

Some classes have two parents on purpose: code written for agentfm 0.3.0 catches what 0.3.0
raised for the same event (`WorkerStreamError` for a connection lost mid-task,
`GatewayProtocolError` for an unknown error status, `GatewayConnectionError` for a launcher
failure, `FileNotFoundError` for a missing binary or key file), while newer code can catch the
finer class. `from_envelope(envelope, status)` turns a JSON error envelope into its error.

`code` is the gateway's envelope code where it sent one (docs/reference/gateway-protocol.md §3.3),
and otherwise a stable SDK code for the gateway's plain-text refusals (e.g. `worker_not_found`,
`dispatch_refused`, `stream_incomplete`) or the local failure (e.g. `connection_error`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "AgentFMError",
    "ArtifactError",
    "ArtifactTimeoutError",
    "AsyncCapacityError",
    "AuthenticationError",
    "CommentNotFoundError",
    "CommentSignatureError",
    "DispatchRefusedError",
    "EntryNotFoundError",
    "GatewayBinaryNotFoundError",
    "GatewayConnectionError",
    "GatewayInternalError",
    "GatewayProtocolError",
    "GatewayStartError",
    "GatewayTimeoutError",
    "InvalidArgumentError",
    "InvalidCidError",
    "InvalidCommentError",
    "InvalidPeerIdError",
    "InvalidRequestError",
    "InvalidSwarmKeyError",
    "LedgerInternalError",
    "LedgerUnavailableError",
    "MeshOverloadedError",
    "ModelNotFoundError",
    "NonSelfSubmitterError",
    "OriginRefusedError",
    "ProofVerificationError",
    "RateLimitError",
    "SwarmKeyNotFoundError",
    "TaskExecutionError",
    "TaskStreamBrokenError",
    "TaskStreamTimeoutError",
    "UnexpectedAuthError",
    "UnexpectedClientError",
    "UnexpectedNotFoundError",
    "UnexpectedRateLimitError",
    "UnexpectedServerError",
    "UnexpectedStatusError",
    "WebhookVerificationError",
    "WorkerNotFoundError",
    "WorkerStreamError",
    "WorkerUnreachableError",
    "from_envelope",
]


class AgentFMError(Exception):
    """Base of every SDK error: a human message, a machine code, and the HTTP status if any."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __str__(self) -> str:
        details = ", ".join(
            part
            for part in (
                f"code={self.code}" if self.code else "",
                f"status={self.status}" if self.status is not None else "",
            )
            if part
        )
        return f"{self.message} ({details})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status!r})"
        )


class GatewayConnectionError(AgentFMError):
    """The gateway could not be reached, or the connection broke mid-answer.

    When it broke during a task's stream, `partial_text` holds what arrived before.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        partial_text: str = "",
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.partial_text = partial_text


class GatewayTimeoutError(GatewayConnectionError):
    """The gateway did not answer within the client's timeout."""


class GatewayProtocolError(AgentFMError):
    """The gateway answered something the SDK cannot decode (or has no such route)."""


class AuthenticationError(AgentFMError):
    """The gateway refused the bearer token (missing, malformed, or not a configured key)."""


class UnexpectedStatusError(GatewayProtocolError):
    """An error status with a plain-text (or empty) body the SDK does not recognise.

    Its subclasses are also the class the status suggests, so both `except InvalidRequestError`
    and `except GatewayProtocolError` (what agentfm 0.3.0 raised) catch a 400 of this kind.
    """


class RateLimitError(AgentFMError):
    """Too many failed authentications from this address; wait `retry_after` seconds."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class InvalidRequestError(AgentFMError):
    """The request was refused as malformed: fix the input rather than retry."""


class InvalidPeerIdError(InvalidRequestError):
    """A value that must be a libp2p peer id is not one."""


class InvalidCidError(InvalidRequestError):
    """A value that must be a comment CID (`1220` + 64 hex) is not one."""


class InvalidCommentError(InvalidRequestError):
    """A comment's text is too long or its rating is outside [-1, 1]."""


class OriginRefusedError(InvalidRequestError):
    """The gateway refused a state-changing request because of its `Origin` header."""


class InvalidArgumentError(InvalidRequestError, ValueError):
    """An argument of the call is unusable (e.g. `scatter(peer_ids=[])`); also a `ValueError`,
    as in agentfm 0.3.0."""


class InvalidSwarmKeyError(InvalidRequestError, ValueError):
    """Not a swarm key: wrong length, not hex, or not the three-line key file format (also a
    `ValueError`, as in agentfm 0.3.0)."""


class SwarmKeyNotFoundError(InvalidRequestError, FileNotFoundError):
    """The swarm key file does not exist (also a `FileNotFoundError`, as in agentfm 0.3.0)."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)


class WorkerNotFoundError(AgentFMError):
    """The peer id is not in the gateway's live telemetry (unknown, or offline)."""


class WorkerUnreachableError(AgentFMError):
    """The worker is known but the gateway could not dial it."""


class WorkerStreamError(AgentFMError):
    """The task stream failed, or ended without the worker's completion sentinel.

    The gateway answers 200 even when the worker refused the task, crashed, or the connection to
    it died; such an answer is never a success. `partial_text` holds what arrived before the end.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        partial_text: str = "",
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.partial_text = partial_text


class TaskExecutionError(WorkerStreamError):
    """The gateway answered 200 but the task did not run to completion on the worker: it refused
    the task (`worker_refused`: busy, short of CPU or GPU, another release) or the answer ended
    without the completion sentinel (`stream_incomplete`). `partial_text` holds what arrived."""


class TaskStreamBrokenError(GatewayConnectionError, WorkerStreamError):
    """The connection to the gateway broke while a task was streaming its answer.

    Both a `GatewayConnectionError` (the transport failed) and a `WorkerStreamError` (the task's
    stream failed, what agentfm 0.3.0 raised); `partial_text` holds what arrived before.
    """


class TaskStreamTimeoutError(GatewayTimeoutError, TaskStreamBrokenError):
    """A task's answer stalled longer than the stream's read timeout."""


class DispatchRefusedError(AgentFMError):
    """The gateway's trust gate refused the worker (`reason`: `peer_is_equivocator`, ...)."""

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, reason: str = ""
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.reason = reason


class ModelNotFoundError(AgentFMError):
    """No trust-permitted online worker matches the requested model."""


class MeshOverloadedError(AgentFMError):
    """Every worker that could take the request is at capacity; retry later."""


class UnexpectedRateLimitError(UnexpectedStatusError, RateLimitError):
    """A 429 without the gateway's JSON envelope (e.g. from a proxy); `retry_after` if it said."""


class AsyncCapacityError(MeshOverloadedError):
    """The gateway already runs its maximum of async tasks; retry after `retry_after` seconds."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class GatewayInternalError(AgentFMError):
    """The gateway failed internally."""


class LedgerInternalError(GatewayInternalError):
    """The gateway's ledger or comment store failed."""


class UnexpectedClientError(UnexpectedStatusError, InvalidRequestError):
    """A 4xx the SDK does not recognise: the request was refused, for a reason not documented."""


class UnexpectedNotFoundError(UnexpectedClientError, WorkerNotFoundError):
    """A 404 with a body the SDK does not recognise (agentfm 0.3.0: `WorkerNotFoundError`)."""


class UnexpectedAuthError(UnexpectedStatusError, AuthenticationError):
    """A 401 or 407 without the gateway's JSON envelope (e.g. from a proxy in front of it)."""


class UnexpectedServerError(UnexpectedStatusError, GatewayInternalError):
    """A 5xx the SDK does not recognise (e.g. from a proxy in front of the gateway)."""


class LedgerUnavailableError(AgentFMError):
    """The gateway runs without the ledger, comment store or libp2p host this call needs."""


class EntryNotFoundError(AgentFMError):
    """The entry is not in this Boss's own log, so the gateway cannot prove it."""


class CommentNotFoundError(AgentFMError):
    """No comment body with this CID was found locally, from its author, or via the relay."""


class CommentSignatureError(AgentFMError):
    """The gateway could not verify a caller-signed comment's signature (not a token failure)."""


class NonSelfSubmitterError(AgentFMError):
    """A caller-signed comment named a rater other than the Boss itself."""


class ProofVerificationError(AgentFMError):
    """A Merkle inclusion proof does not fold to the signed tree head's root (`proof_mismatch`,
    `malformed_proof`), or a comment text does not hash to its CID (`cid_mismatch`)."""


class ArtifactError(AgentFMError):
    """An artifact archive was refused or could not be extracted; nothing was left half-written.

    Raised by `tasks.run`, it still carries the task's answer (`text`) and `task_id`: the task
    itself completed, only its files could not be delivered.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        text: str = "",
        task_id: str = "",
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.text = text
        self.task_id = task_id


class ArtifactTimeoutError(ArtifactError):
    """The worker announced files but their zip never arrived; `text` is the task's answer."""


class WebhookVerificationError(AgentFMError):
    """A webhook request was refused: bad signature, type, size, or body."""


class GatewayStartError(GatewayConnectionError):
    """`LocalMeshGateway` could not start the gateway; nothing it started is left running.

    `log_file` is the child's output log (None when no child was spawned), `exit_code` the
    child's exit status when it exited during startup, `log_tail` the last lines of its log.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        log_file: Path | None = None,
        exit_code: int | None = None,
        log_tail: str = "",
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.log_file = log_file
        self.exit_code = exit_code
        self.log_tail = log_tail


class GatewayBinaryNotFoundError(GatewayStartError, FileNotFoundError):
    """The gateway program was not found (also a `FileNotFoundError`, as in agentfm 0.3.0)."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)


def from_envelope(envelope: Any, status: Any) -> AgentFMError:
    """The error a gateway JSON error envelope `{"error": {"message", "type", "code"}}` means.

    Never raises: anything that is not an envelope gives a `GatewayProtocolError`. The order of
    the two arguments is agentfm 0.3.0's; `from_envelope(status, envelope)` is accepted too.
    """
    from agentfm._errors import error_from_envelope

    if isinstance(envelope, int) and not isinstance(status, int):
        envelope, status = status, envelope
    return error_from_envelope(status, envelope)
