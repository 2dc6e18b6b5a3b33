"""The SDK's data types: workers, tasks, peer ids, and the trust layer (peers, proofs, events)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from agentfm._identifiers import is_peer_id
from agentfm.exceptions import InvalidPeerIdError

__all__ = [
    "AsyncTaskAck",
    "CommentBody",
    "CommentReceipt",
    "InclusionProof",
    "LogEntry",
    "MeshEvent",
    "PeerID",
    "PeerLog",
    "PeerReputation",
    "PeerSummary",
    "RaterSummary",
    "ScatterResult",
    "TaskChunk",
    "TaskResult",
    "TreeHead",
    "WorkerOfflineEvent",
    "WorkerOnlineEvent",
    "WorkerProfile",
    "WorkerTable",
]


class PeerID(str):
    """A libp2p peer id, checked on construction: the only verifiable name of a worker.

    Accepts every libp2p text form (`12D3KooW...`, `Qm...`, CIDv1 `bafz...`); anything else raises
    `InvalidPeerIdError`. Being a `str`, it goes wherever a peer id string does.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> PeerID:
        if not isinstance(value, str) or not is_peer_id(value):
            raise InvalidPeerIdError(
                f"{value!r} is not a libp2p peer id (e.g. 12D3KooW...)", code="invalid_peer_id"
            )
        return super().__new__(cls, value)


# `hardware` on /api/workers is `<engine> (CPU: <n> Cores)` or `<engine> (GPU VRAM: <u>/<t> GB)`
# (docs/reference/gateway-protocol.md §5.3); it is the only place that route names the engine.
_HARDWARE = re.compile(r"^(?P<engine>.*) \((?:CPU: (?P<cores>\d+) Cores|GPU VRAM: [^)]*)\)$", re.S)


def engine_from_hardware(hardware: str) -> str:
    """The engine (model) a worker serves, read from its `hardware` string."""
    match = _HARDWARE.match(hardware)
    return (match.group("engine") if match else hardware).strip()


@attrs.frozen(kw_only=True)
class WorkerProfile:
    """One worker as `/api/workers` describes it, plus the fields derived from it."""

    peer_id: str
    author: str
    name: str
    status: str
    hardware: str
    description: str
    cpu_usage_pct: float
    ram_free_gb: float
    current_tasks: int
    max_tasks: int
    has_gpu: bool
    gpu_used_gb: float
    gpu_total_gb: float
    gpu_usage_pct: float
    honesty_score: float
    is_equivocator: bool
    dispatch_allowed: bool
    online: bool
    dispatch_refuse_reason: str | None = None
    last_seen: datetime | None = None
    agent_image_ref: str | None = None
    agent_image_digest: str | None = None
    agent_capability: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """The worker object exactly as the gateway sent it, including fields newer than this SDK."""

    @property
    def model(self) -> str:
        """The engine the worker serves (e.g. `llama3.2`), read from `hardware`."""
        return engine_from_hardware(self.hardware)

    @property
    def agent_name(self) -> str:
        """The agent's advertised name (not unique, not verified: dispatch by `peer_id`)."""
        return self.name

    @property
    def is_available(self) -> bool:
        """Online, `AVAILABLE`, and with a free task slot by the last telemetry."""
        has_slot = self.max_tasks <= 0 or self.current_tasks < self.max_tasks
        return self.online and self.status == "AVAILABLE" and has_slot

    @property
    def load_ratio(self) -> float:
        """`current_tasks / max_tasks` (0.0 when the worker sets no limit)."""
        return self.current_tasks / self.max_tasks if self.max_tasks > 0 else 0.0


@attrs.frozen
class TaskChunk:
    """A piece of a task's output: `kind` "text" (stdout/stderr) or "marker" (a sentinel)."""

    kind: Literal["text", "marker"]
    text: str
    marker: str | None = None
    """For markers, the sentinel's name: `FILES_INCOMING` or `NO_FILES`."""


@attrs.frozen(kw_only=True)
class TaskResult:
    """A completed task: its text, extracted artifact paths, worker and duration."""

    text: str
    artifacts: list[Path]
    worker_id: str
    duration_seconds: float
    task_id: str


@attrs.frozen(kw_only=True)
class AsyncTaskAck:
    """The gateway's acknowledgement of `submit_async`: the task is queued, not done."""

    task_id: str
    status: str
    message: str


@attrs.frozen(kw_only=True)
class ScatterResult:
    """The outcome of one prompt of a batch: never an exception, always a result."""

    prompt: str
    status: Literal["success", "failed"]
    text: str = ""
    error: str | None = None
    worker_id: str | None = None
    artifacts: list[Path] = attrs.field(factory=list)
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


# --- The trust layer (docs/reference/gateway-protocol.md §5.3, §5.8, §5.12) -----------------------
#
# Timestamps are aware datetimes exactly as the gateway wrote them: most in the Boss host's local
# zone (docs/reference/gateway-protocol.md §2), `PeerReputation.last_updated` and
# `TreeHead.signed_at` in UTC. Compare them freely; call `.astimezone()` to show them in yours.


@attrs.frozen(kw_only=True)
class RaterSummary:
    """How many distinct peers rated a peer, split by whether the rater itself is trusted.

    A rater is verified when its own honesty score is at least 0.1
    (docs/reference/gateway-protocol.md §5.12.1).
    """

    verified_raters_count: int
    unverified_raters_count: int


@attrs.frozen(kw_only=True)
class PeerSummary:
    """`peers.get(peer_id)`: the gateway's card for one peer
    (docs/reference/gateway-protocol.md §5.12.1).

    The live fields (`author`, `description`, `last_seen`, `advertised_*`) are present only while
    the peer is online. `dispatch_allowed` is the gateway's own preview of its trust gate and
    covers only the equivocator check: a peer below the gateway's reputation floor still shows
    `True` here and is refused at dispatch (docs/reference/gateway-protocol.md §7).
    """

    peer_id: str
    agent_name: str
    online: bool
    honesty_score: float
    is_equivocator: bool
    dispatch_allowed: bool
    entries_count: int
    rater_summary: RaterSummary
    author: str | None = None
    description: str | None = None
    last_seen: datetime | None = None
    dispatch_refuse_reason: str | None = None
    last_entry_at: datetime | None = None
    advertised_image_ref: str | None = None
    advertised_image_digest: str | None = None
    advertised_capability: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """The body as decoded, including keys newer than this SDK."""


@attrs.frozen(kw_only=True)
class PeerReputation:
    """`peers.reputation(peer_id)`: the peer's EigenTrust scores by dimension
    (docs/reference/gateway-protocol.md §5.12.2)."""

    peer_id: str
    scores: dict[str, float]
    """`{"honesty": x}`; an equivocator gets exactly -1; empty when the gateway has no engine."""
    rating_count: int
    is_equivocator: bool
    last_updated: datetime | None = None
    """The newest rating's time (UTC, whole seconds); None when the peer has no ratings."""
    agent_image_ref: str | None = None
    agent_image_digest: str | None = None
    agent_capability: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def honesty(self) -> float | None:
        """The honesty score, or None when the gateway runs without a reputation engine."""
        return self.scores.get("honesty")


@attrs.frozen(kw_only=True)
class LogEntry:
    """One signed Rating or Comment about a peer, as `/v1/peers/{id}/log` shows it
    (docs/reference/gateway-protocol.md §5.12.3).

    `entry_hash` is the entry's RFC 6962 leaf hash in the *rater's* log: provable with
    `peers.proof` only when the rater is the gateway itself. The gateway does not expose the
    signature, timestamp or previous hash, so an entry cannot be re-hashed client-side.
    """

    kind: str
    """`Rating` or `Comment`."""
    entry_hash: str
    rater_peer_id: str
    received_at: datetime
    rater_status: str
    """`verified` (the rater's own honesty is at least 0.1) or `unverified`."""
    rater_honesty_score: float
    dimension: str | None = None
    score: float | None = None
    """Ratings only (the gateway omits a score of 0, which is read back as 0.0)."""
    context: str | None = None
    language: str | None = None
    text_cid: str | None = None
    """Comments only: fetch the text with `peers.comment_body(peer_id, text_cid)`."""
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def is_rating(self) -> bool:
        return self.kind == "Rating"

    @property
    def is_comment(self) -> bool:
        return self.kind == "Comment"

    @property
    def rater_verified(self) -> bool:
        return self.rater_status == "verified"


@attrs.frozen(kw_only=True)
class PeerLog:
    """One page of `peers.log(...)`: the entries, newest first, and where the page sits.

    Iterating a `PeerLog` iterates its entries. `offset` is the gateway's effective offset, which
    it reports clamped to the number of entries it has (docs/reference/gateway-protocol.md §5.12.3).
    """

    subject: str
    limit: int
    offset: int
    returned: int
    entries: list[LogEntry]

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@attrs.frozen(kw_only=True)
class TreeHead:
    """The current signed head of the gateway's own log
    (docs/reference/gateway-protocol.md §5.12.4).

    The gateway does not expose the head's signature or signer, so nothing here is checked
    against a key; `witness_count` is always 0 with gateway 1.3.0.
    """

    tree_size: int
    root_hash: str
    witness_count: int
    signed_at: datetime


@attrs.frozen(kw_only=True)
class InclusionProof:
    """`peers.proof(...)`: an RFC 6962 audit path from one entry to the log's head
    (docs/reference/gateway-protocol.md §5.12.4).

    `entry_hash` is the hash the caller asked about, not the gateway's echo of it; check the
    proof with `agentfm.verify_proof(proof)`.
    """

    entry_hash: str
    position: int
    audit_path: list[str]
    head: TreeHead
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class CommentReceipt:
    """The gateway's receipt for a comment it appended to its own log
    (docs/reference/gateway-protocol.md §5.12.5, §5.12.6).

    `cid` names the text (`peers.comment_body`); `ledger_hash` is the new entry, provable with
    `peers.verify(peer_id, ledger_hash)`.
    """

    cid: str
    ledger_hash: str


@attrs.frozen(kw_only=True)
class CommentBody:
    """`peers.comment_body(..., format="json")`: a comment's text by CID
    (docs/reference/gateway-protocol.md §5.12.7).

    `language` is what the gateway reports, which is always `en` whatever the comment was
    written in; the stored language is on the comment's `LogEntry`.
    """

    cid: str
    text: str
    language: str


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
