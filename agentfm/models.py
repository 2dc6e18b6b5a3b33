"""The SDK's data types: workers, tasks, peer ids, the OpenAI-free answers and the trust layer.

The gateway's answers (`WorkerProfile`, `WorkersResponse`, `AsyncTaskAck`, `PeerSummary`, ...)
are rendered from schema/openapi.yaml into `agentfm_gateway.records` and re-exported here; only
the members the gateway does not send (e.g. `WorkerProfile.model`) are written by hand, in
`agentfm_gateway._derived`. Every model reads leniently (a field an older gateway does not send
takes its default, unknown keys are kept, a wrong type is a `GatewayProtocolError` naming the
field) and has the pydantic-style methods of the 0.3.0 models: `model_validate`, `model_dump`,
`model_dump_json`, `model_copy(update=)` and `model_fields`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias, TypeVar

import attrs
from agentfm_gateway._records import Record, RecordError
from agentfm_gateway.records import (
    About,
    AsyncTaskAck,
    CommentBody,
    CommentReceipt,
    Health,
    InclusionProof,
    LogEntry,
    PeerLog,
    PeerReputation,
    PeerSummary,
    RaterSummary,
    TreeHead,
    WorkerProfile,
    WorkersResponse,
)

from agentfm.exceptions import GatewayProtocolError, InvalidPeerIdError

__all__ = [
    "About",
    "AsyncTaskAck",
    "CommentBody",
    "CommentReceipt",
    "Health",
    "InclusionProof",
    "LogEntry",
    "MeshEvent",
    "PeerID",
    "PeerLog",
    "PeerReputation",
    "PeerSummary",
    "RaterSummary",
    "Record",
    "ScatterResult",
    "TaskChunk",
    "TaskResult",
    "TreeHead",
    "WorkerOfflineEvent",
    "WorkerOnlineEvent",
    "WorkerProfile",
    "WorkerTable",
    "WorkersResponse",
]

RecordT = TypeVar("RecordT", bound=Record)


def read_answer(model: type[RecordT], data: Any, *, status: int | None = None) -> RecordT:
    """A gateway answer (decoded JSON) as `model`, or `GatewayProtocolError` naming the field
    that cannot be read (docs/reference/gateway-versions.md §15: missing fields take defaults,
    unknown ones are kept, only a wrong type or a missing essential field is refused)."""
    try:
        return model.model_validate(data)
    except RecordError as error:
        raise GatewayProtocolError(
            f"the gateway sent a malformed answer: {error}", code="unexpected_body", status=status
        ) from None


class PeerID(str):
    """A worker's peer id as the caller gave it: any non-empty string.

    The gateway compares peer ids as exact strings with what workers advertise
    (docs/reference/gateway-protocol.md §2.1), so the SDK does not decode them: an id the gateway
    does not know is its 404 (`WorkerNotFoundError`), not a local refusal. Being a `str`, a `PeerID`
    goes wherever a peer id string does. An empty or non-string value raises `InvalidPeerIdError`.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> PeerID:
        if not isinstance(value, str) or not value:
            raise InvalidPeerIdError(
                f"a peer id must be a non-empty string (e.g. 12D3KooW...), not {value!r}",
                code="invalid_peer_id",
            )
        return super().__new__(cls, value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskChunk(Record):
    """A piece of a task's output: `kind` "text" (stdout/stderr) or "marker" (a sentinel)."""

    text: str = ""
    kind: Literal["text", "marker"] = "text"
    marker: str | None = None
    """For markers, the sentinel's name: `FILES_INCOMING` or `NO_FILES`."""


@dataclasses.dataclass(kw_only=True)
class TaskResult(Record):
    """A completed task: its text, extracted artifact paths, worker and duration."""

    text: str = ""
    artifacts: list[Path] = dataclasses.field(default_factory=list)
    worker_id: str = ""
    duration_seconds: float = 0.0
    task_id: str = ""


@dataclasses.dataclass(kw_only=True)
class ScatterResult(Record):
    """The outcome of one prompt of a batch: never an exception, always a result."""

    prompt: str
    status: Literal["success", "failed"]
    text: str = ""
    error: str | None = None
    worker_id: str | None = None
    artifacts: list[Path] = dataclasses.field(default_factory=list)
    attempts: int = 0
    duration_seconds: float = 0.0
    task_id: str | None = None
    error_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (artifact paths as strings): what the CLI prints and checkpoints store."""
        return {
            "prompt": self.prompt,
            "status": self.status,
            "text": self.text,
            "error": self.error,
            "error_code": self.error_code,
            "worker_id": self.worker_id,
            "attempts": self.attempts,
            "duration_seconds": self.duration_seconds,
            "task_id": self.task_id,
            "artifacts": [str(path) for path in self.artifacts],
        }


# --- Events and the live worker table (docs/reference/gateway-protocol.md §5.8) -------------------


@attrs.frozen(kw_only=True)
class WorkerOnlineEvent:
    """A peer's telemetry was accepted while it was not in the live table
    (docs/reference/gateway-protocol.md §5.8)."""

    name: ClassVar[str] = "worker_online"
    peer_id: str
    agent_name: str
    honesty_score: float


@attrs.frozen(kw_only=True)
class WorkerOfflineEvent:
    """The gateway evicted a peer from its live table (docs/reference/gateway-protocol.md §5.8;
    detected within ~20 s)."""

    name: ClassVar[str] = "worker_offline"
    peer_id: str


MeshEvent: TypeAlias = WorkerOnlineEvent | WorkerOfflineEvent
"""What `client.events.stream()` yields."""


@attrs.frozen(kw_only=True)
class WorkerTable:
    """`workers.watch()`: the online workers by peer id, after one change.

    `event` is the change (None when the table was listed afresh: at the start and after every
    reconnection, since events missed while disconnected are not replayed). Membership follows
    the event stream; load fields (`status`, `current_tasks`, ...) are as of the last listing.
    """

    workers: dict[str, WorkerProfile]
    event: MeshEvent | None = None

    def __len__(self) -> int:
        return len(self.workers)

    def __contains__(self, peer_id: object) -> bool:
        return peer_id in self.workers

    def __iter__(self) -> Iterator[WorkerProfile]:
        return iter(self.workers.values())
