"""The SDK's data types: workers, task chunks and results, async acknowledgements, peer ids."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from agentfm._peerid import is_peer_id
from agentfm.exceptions import InvalidPeerIdError

__all__ = [
    "AsyncTaskAck",
    "PeerID",
    "ScatterResult",
    "TaskChunk",
    "TaskResult",
    "WorkerProfile",
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
# (gateway-protocol.md 5.3); it is the only place that route names the engine.
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
