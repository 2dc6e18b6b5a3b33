"""Members of the SDK's models that the gateway does not send: computed from the fields it does.

codegen/render.py copies this module into the generated package as `agentfm_gateway/_derived.py`;
a schema names its mixins in `x-agentfm-mixins`, and the rendered class in `records.py` derives
from them. Everything else about a model (its fields, their types and defaults) comes from
schema/openapi.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentfm_gateway.records import LogEntry, ModelEntry

__all__ = [
    "LogEntryDerived",
    "ModelsListDerived",
    "PeerLogDerived",
    "PeerReputationDerived",
    "WorkerDerived",
    "engine_from_hardware",
]

# `hardware` on /api/workers is `<engine> (CPU: <n> Cores)` or `<engine> (GPU VRAM: <u>/<t> GB)`
# (docs/reference/gateway-protocol.md §5.3, the same in every generation:
# docs/reference/gateway-versions.md §7); it is the only place that route names the engine.
_HARDWARE = re.compile(r"^(?P<engine>.*) \((?:CPU: (?P<cores>\d+) Cores|GPU VRAM: [^)]*)\)$", re.S)


def engine_from_hardware(hardware: str) -> str:
    """The engine (model) a worker serves, read from its `hardware` string."""
    match = _HARDWARE.match(hardware)
    return (match.group("engine") if match else hardware).strip()


class WorkerDerived:
    """`WorkerProfile`'s computed members."""

    hardware: str
    name: str
    status: str
    online: bool
    current_tasks: int
    max_tasks: int

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
        return self.online and self.status.upper() == "AVAILABLE" and has_slot

    @property
    def load_ratio(self) -> float:
        """`current_tasks / max_tasks` (0.0 when the worker sets no limit)."""
        return self.current_tasks / self.max_tasks if self.max_tasks > 0 else 0.0


class ModelsListDerived:
    """Iterating a `ModelsList` (or `len()`) goes over `data`, as with the `openai` package."""

    data: list[ModelEntry]

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class PeerLogDerived:
    """Iterating a `PeerLog` (or `len()`) goes over its entries, newest first."""

    entries: list[LogEntry]

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


class PeerReputationDerived:
    scores: dict[str, float]

    @property
    def honesty(self) -> float | None:
        """The honesty score, or None when the gateway runs without a reputation engine."""
        return self.scores.get("honesty")


class LogEntryDerived:
    kind: str
    rater_status: str

    @property
    def is_rating(self) -> bool:
        return self.kind == "Rating"

    @property
    def is_comment(self) -> bool:
        return self.kind == "Comment"

    @property
    def rater_verified(self) -> bool:
        """The rater's own honesty is at least 0.1 (`rater_status` `verified`)."""
        return self.rater_status == "verified"
