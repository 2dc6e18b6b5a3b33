"""The simulated Boss: its live worker table, task dispatch to simulated workers, and artifacts.

This is the state every route reads: which workers are online (the "live telemetry table" of
docs/reference/gateway-protocol.md §8.1) and what their telemetry says, the trust gate
(docs/reference/gateway-protocol.md §7), task runs with the worker's capacity check, faults and
output (docs/reference/gateway-protocol.md §5.4 and §8.2), artifact zips and sidecars
(docs/reference/gateway-protocol.md §6), metrics and events. HTTP lives in the route modules.

Threading: routes run on the server's event loop; `MeshSimulator` changes workers from the
caller's thread. All shared state sits behind one lock, and events are published thread-safely.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import os
import random
import threading
import time
import zipfile
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from agentfm._identifiers import is_task_id, new_task_id
from agentfm.testing._auth import FailureLimiter
from agentfm.testing._events import EventBroker
from agentfm.testing._gowire import go_json
from agentfm.testing._ledger import Ledger
from agentfm.testing._mesh import (
    FAIL_MODES,
    FailMode,
    MeshConfigError,
    MeshSpec,
    WorkerSpec,
    derived_peer_id,
    kebab_case,
)
from agentfm.testing._metrics import Metrics
from agentfm.testing._output import TaskScript, capacity_refusal, fill_prompt, task_script
from agentfm.testing._versions import CURRENT, GatewayGeneration

__all__ = [
    "Boss",
    "BossConfig",
    "SimulatedWorker",
    "TaskRun",
    "Telemetry",
    "WorkerStreamReset",
    "WorkerUnreachable",
]

logger = logging.getLogger("agentfm.sim")

# docs/reference/gateway-protocol.md §8.1: a worker publishes telemetry about every 3 s.
TELEMETRY_PERIOD_SECONDS = 3.0
# Extra CPU load a running task adds to a simulated worker's telemetry.
CPU_PER_TASK_PCT = 30.0


class WorkerUnreachable(Exception):
    """The dial to the worker failed (fail_mode `unreachable`); `str()` is the libp2p-ish error."""


class WorkerStreamReset(Exception):
    """The worker's task stream was reset mid-way (fail_mode `drop`)."""


@dataclass(frozen=True)
class BossConfig:
    """Gateway settings that come from flags and environment
    (docs/reference/gateway-protocol.md §1.1 and §1.2), plus the simulator's test knobs (heartbeat,
    async artifact wait and cap) and the gateway release it reproduces (`generation`,
    docs/reference/gateway-versions.md)."""

    api_keys: tuple[str, ...] = ()
    reputation_floor: float = -0.5
    webhook_secret: str = ""
    webhook_allow_private: bool = False
    allow_file_origin: bool = False
    heartbeat_seconds: float = 15.0
    async_artifact_wait_seconds: float = 10.0
    async_artifact_poll_seconds: float = 0.1
    async_capacity: int = 256
    webhook_timeout_seconds: float = 30.0
    generation: GatewayGeneration = CURRENT


@dataclass(frozen=True)
class Telemetry:
    """One telemetry pulse as the Boss stores it (docs/reference/gateway-protocol.md §8.1), with the
    time it arrived."""

    peer_id: str
    cpu_cores: int
    cpu_usage_pct: float
    ram_free_gb: float
    model: str
    agent_name: str
    agent_desc: str
    status: str
    has_gpu: bool
    gpu_used_gb: float
    gpu_total_gb: float
    gpu_usage_pct: float
    current_tasks: int
    max_tasks: int
    author: str
    agent_image_digest: str
    agent_image_ref: str
    agent_capability: str
    last_seen: datetime

    @property
    def hardware(self) -> str:
        """`<model> (CPU: <cores> Cores)` or `<model> (GPU VRAM: <used>/<total> GB)`
        (docs/reference/gateway-protocol.md §5.3)."""
        if self.has_gpu:
            return f"{self.model} (GPU VRAM: {self.gpu_used_gb:.1f}/{self.gpu_total_gb:.1f} GB)"
        return f"{self.model} (CPU: {self.cpu_cores} Cores)"


class SimulatedWorker:
    """A worker of the simulated mesh. Its fault knobs can be changed at any time.

    Knobs (validated like the mesh file): `fail_mode`, `fail_rate`, `delay_seconds`,
    `max_tasks`, `files`. Set one with plain assignment or several with `configure(...)`.
    """

    _KNOBS = frozenset({"fail_mode", "fail_rate", "delay_seconds", "max_tasks", "files"})

    def __init__(self, boss: Boss, spec: WorkerSpec, peer_id: str, index: int, seed: int) -> None:
        self._boss = boss
        self._spec = spec
        self._peer_id = peer_id
        self._index = index
        profile_rng = random.Random(f"agentfm-sim|profile|{seed}|{index}")  # noqa: S311
        self._fault_rng = random.Random(f"agentfm-sim|faults|{seed}|{index}")  # noqa: S311
        self._idle_cpu = (
            spec.cpu_usage_pct
            if spec.cpu_usage_pct is not None
            else round(profile_rng.uniform(2.0, 12.0), 1)
        )
        self._ram_free = (
            spec.ram_free_gb
            if spec.ram_free_gb is not None
            else round(profile_rng.uniform(4, 28), 1)
        )
        self.current_tasks = 0
        self.online = False
        self.online_since: datetime | None = None

    def __repr__(self) -> str:
        state = "online" if self.online else "offline"
        return f"<SimulatedWorker {self.name!r} {self.engine!r} {self._peer_id} {state}>"

    @property
    def peer_id(self) -> str:
        return self._peer_id

    @property
    def index(self) -> int:
        """Position in the mesh (with the seed, it derives the default peer id)."""
        return self._index

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def engine(self) -> str:
        return self._spec.engine

    @property
    def spec(self) -> WorkerSpec:
        """The worker's current description (a copy; change knobs through the worker)."""
        return dataclasses.replace(self._spec, files=dict(self._spec.files))

    @property
    def fail_mode(self) -> FailMode:
        return self._spec.fail_mode

    @fail_mode.setter
    def fail_mode(self, value: FailMode) -> None:
        self.configure(fail_mode=value)

    @property
    def fail_rate(self) -> float | None:
        return self._spec.fail_rate

    @fail_rate.setter
    def fail_rate(self, value: float | None) -> None:
        self.configure(fail_rate=value)

    @property
    def delay_seconds(self) -> float:
        return self._spec.delay_seconds

    @delay_seconds.setter
    def delay_seconds(self, value: float) -> None:
        self.configure(delay_seconds=value)

    @property
    def max_tasks(self) -> int:
        return self._spec.max_tasks

    @max_tasks.setter
    def max_tasks(self, value: int) -> None:
        self.configure(max_tasks=value)

    @property
    def files(self) -> dict[str, str]:
        return dict(self._spec.files)

    @files.setter
    def files(self, value: dict[str, str]) -> None:
        self.configure(files=value)

    def configure(self, **knobs: Any) -> None:
        """Change fault knobs at run time; MeshConfigError (a ValueError) if invalid."""
        unknown = sorted(set(knobs) - self._KNOBS)
        if unknown:
            raise MeshConfigError(f"worker {self.name!r}: not a run-time knob: {unknown[0]!r}")
        if "fail_mode" in knobs and knobs["fail_mode"] not in FAIL_MODES:
            raise MeshConfigError(f"worker {self.name!r}: unknown fail_mode {knobs['fail_mode']!r}")
        with self._boss.lock:
            self._spec = dataclasses.replace(self._spec, **knobs)

    # --- what the worker advertises ---------------------------------------------------------

    def telemetry(self, now: datetime) -> Telemetry:
        """The worker's latest pulse as of `now` (live task count, pulses every ~3 s)."""
        spec = self._spec
        since = self.online_since or now
        elapsed = max(0.0, (now - since).total_seconds())
        last_seen = since + timedelta(
            seconds=math.floor(elapsed / TELEMETRY_PERIOD_SECONDS) * TELEMETRY_PERIOD_SECONDS
        )
        busy = self.current_tasks >= spec.max_tasks
        cpu = min(100.0, self._idle_cpu + CPU_PER_TASK_PCT * self.current_tasks)
        gpu_pct = (
            round(100.0 * spec.gpu_used_gb / spec.gpu_total_gb, 1) if spec.gpu_total_gb else 0.0
        )
        capability = (
            kebab_case(spec.name) if spec.agent_capability is None else spec.agent_capability
        )
        return Telemetry(
            peer_id=self._peer_id,
            cpu_cores=spec.cpu_cores,
            cpu_usage_pct=round(cpu, 1),
            ram_free_gb=self._ram_free,
            model=spec.engine,
            agent_name=spec.name,
            agent_desc=spec.description.encode("utf-8")[:3000].decode("utf-8", "ignore"),
            status="BUSY" if busy else "AVAILABLE",
            has_gpu=spec.has_gpu,
            gpu_used_gb=spec.gpu_used_gb if spec.has_gpu else 0.0,
            gpu_total_gb=spec.gpu_total_gb if spec.has_gpu else 0.0,
            gpu_usage_pct=gpu_pct if spec.has_gpu else 0.0,
            current_tasks=self.current_tasks,
            max_tasks=spec.max_tasks,
            author=spec.author,
            agent_image_digest=spec.agent_image_digest,
            agent_image_ref=spec.agent_image_ref,
            agent_capability=capability,
            last_seen=last_seen,
        )

    def draw_fault(self) -> FailMode:
        """Which fault applies to the next task (seeded draw when `fail_rate` < 1)."""
        spec = self._spec
        if spec.fail_mode == "none":
            return "none"
        rate = 1.0 if spec.fail_rate is None else spec.fail_rate
        return spec.fail_mode if self._fault_rng.random() < rate else "none"


TaskEnding = Literal["completed", "refused", "dropped", "cancelled"]


class TaskRun:
    """One dispatched task: the reads the Boss relays, with the worker's pacing and side effects.

    Iterate `reads()` once. The worker's slot is released when the run ends, however it ends
    (completion, reset, or the consumer going away).
    """

    def __init__(
        self,
        boss: Boss,
        worker: SimulatedWorker,
        task_id: str,
        script: TaskScript,
        *,
        holds_slot: bool,
        counted: bool,
        prompt: str = "",
    ) -> None:
        self.boss = boss
        self.worker = worker
        self.task_id = task_id
        self.script = script
        self.ending: TaskEnding | None = None
        self._holds_slot = holds_slot
        self._counted = counted
        self._started = time.monotonic()
        self._delay = worker.delay_seconds
        self._files = {name: fill_prompt(text, prompt) for name, text in worker.files.items()}

    async def reads(self) -> AsyncIterator[bytes]:
        """The task stream as the Boss reads it; raises WorkerStreamReset for a dropped stream."""
        try:
            reads = self.script.reads
            pause = self._delay / len(reads) if reads and self.script.ending != "refused" else 0
            # Each read is due at a fixed point of the task's time, so that a late wake-up (a
            # busy event loop) is made up by the next pause instead of adding up over the reads:
            # a task takes its worker's delay, however many reads it is cut into.
            due = time.monotonic()
            for chunk in reads:
                if pause:
                    due += pause
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                yield chunk
            if self.script.ending == "dropped":
                self._finish("dropped")
                raise WorkerStreamReset("stream reset")
            if self.script.ending == "sentinel" and self._files:
                # The response stays open while the worker zips and ships /tmp/output (6).
                await asyncio.sleep(min(0.05, self._delay / 10))
                await asyncio.to_thread(self.boss.store_artifact, self.task_id, self._files)
            self._finish("refused" if self.script.ending == "refused" else "completed")
        finally:
            self._finish("cancelled")

    async def drain(self) -> None:
        """Read the whole stream and discard it (the async route does this)."""
        async for _ in self.reads():
            pass

    def release(self) -> None:
        """End a run that will never be read (the consumer went away before reading)."""
        self._finish("cancelled")

    def _finish(self, ending: TaskEnding) -> None:
        if self.ending is not None:
            return
        self.ending = ending
        if self._holds_slot:
            self.boss.release_slot(self.worker)
        logger.info(
            "task finished",
            extra={"task_id": self.task_id, "worker": self.worker.peer_id, "ending": ending},
        )
        metrics = self.boss.metrics
        # A capacity refusal is counted by the worker process (its own stream-error counter);
        # for the Boss it is a stream that ended cleanly.
        if ending == "dropped":
            metrics.count_stream_error("task", "reset")
        if not self._counted:
            return  # text completions, and async tasks (counted when their job returns)
        status = "ok" if ending in ("completed", "refused") else "error"
        metrics.count_task(status, time.monotonic() - self._started)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Boss:
    """The gateway's state: workers, ledger, metrics, events, artifacts, async jobs."""

    def __init__(
        self,
        *,
        mesh: MeshSpec,
        config: BossConfig,
        ledger: Ledger,
        artifacts_dir: Path,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.artifacts_dir = artifacts_dir
        self.clock = clock
        self.seed = mesh.seed
        self.lock = threading.RLock()
        self.metrics = Metrics()
        self.events = EventBroker()
        self.limiter = FailureLimiter()
        self.created_monotonic = time.monotonic()
        self._workers: dict[str, SimulatedWorker] = {}
        self._next_index = 0
        # Last telemetry of peers seen online in this process, kept after they go offline
        # (docs/reference/gateway-protocol.md §5.3).
        self._last_telemetry: dict[str, Telemetry] = {}
        self.async_in_flight = 0
        self.async_jobs: set[asyncio.Task[None]] = set()
        for spec in mesh.workers:
            self.add_worker(spec, publish=False)

    # --- the worker table -------------------------------------------------------------------

    @property
    def api_keys(self) -> tuple[bytes, ...]:
        return tuple(key.encode("utf-8") for key in self.config.api_keys)

    def all_workers(self) -> list[SimulatedWorker]:
        with self.lock:
            return list(self._workers.values())

    def add_worker(self, spec: WorkerSpec, *, publish: bool = True) -> SimulatedWorker:
        """Register a worker and bring it online (fires `worker_online`)."""
        with self.lock:
            index = self._next_index
            self._next_index += 1
            peer_id = spec.peer_id or derived_peer_id(self.seed, index)
            if peer_id in self._workers:
                raise MeshConfigError(f"worker {spec.name!r}: peer id {peer_id} is already in use")
            worker = SimulatedWorker(self, spec, peer_id, index, self.seed)
            self._workers[peer_id] = worker
            self.ledger.set_base_reputation(
                peer_id, honesty_score=spec.honesty_score, is_equivocator=spec.is_equivocator
            )
        self.set_online(worker, True, publish=publish)
        return worker

    def remove_worker(self, worker: SimulatedWorker) -> None:
        """Take the worker offline for good and forget it (its ledger entries stay)."""
        self.set_online(worker, False)
        with self.lock:
            self._workers.pop(worker.peer_id, None)

    def set_online(self, worker: SimulatedWorker, online: bool, *, publish: bool = True) -> None:
        """Bring a worker online or take it offline; fires the matching event on a change."""
        with self.lock:
            if worker.online == online:
                return
            now = self.clock()
            if online:
                worker.online = True
                worker.online_since = now
            else:
                self._last_telemetry[worker.peer_id] = worker.telemetry(now)
                worker.online = False
                worker.online_since = None
            self.metrics.set_workers_online(sum(1 for w in self._workers.values() if w.online))
        if not publish:
            return
        if online:
            payload = {
                "agent_name": worker.name,
                "honesty_score": self.ledger.honesty_score(worker.peer_id),
                "peer_id": worker.peer_id,
            }
            self.events.publish("worker_online", payload)
            logger.info("worker online", extra={"peer_id": worker.peer_id, "name": worker.name})
        else:
            self.events.publish("worker_offline", {"peer_id": worker.peer_id})
            logger.info("worker offline", extra={"peer_id": worker.peer_id, "name": worker.name})

    def online_telemetry(self) -> list[tuple[SimulatedWorker, Telemetry]]:
        """The live table, most recent telemetry first (5.3 ordering)."""
        now = self.clock()
        with self.lock:
            rows = [(w, w.telemetry(now)) for w in self._workers.values() if w.online]
        rows.sort(key=lambda row: (-row[1].last_seen.timestamp(), row[0].index))
        return rows

    def online_worker(self, peer_id: str) -> SimulatedWorker | None:
        """The worker with exactly this id if it is in the live table."""
        with self.lock:
            worker = self._workers.get(peer_id)
            return worker if worker is not None and worker.online else None

    def online_count(self) -> int:
        with self.lock:
            return sum(1 for worker in self._workers.values() if worker.online)

    def last_known_telemetry(self, peer_id: str) -> Telemetry | None:
        """The last pulse of a peer seen online earlier in this process (None if never seen)."""
        with self.lock:
            return self._last_telemetry.get(peer_id)

    # --- trust gate (docs/reference/gateway-protocol.md §7) ---------------------------------------

    def trust_refusal(self, peer_id: str) -> str | None:
        """The refusal reason of the trust gate, or None when dispatch is allowed."""
        if self.ledger.is_equivocator(peer_id):
            return "peer_is_equivocator"
        if self.ledger.honesty_score(peer_id) < self.config.reputation_floor:
            return "reputation_below_floor"
        return None

    # --- dispatch ---------------------------------------------------------------------------

    def mint_task_id(self) -> str:
        """A server-minted task id: `task_` + 24 lowercase hex
        (docs/reference/gateway-protocol.md §2.1); 1.1.0 used `task_` + decimal Unix nanoseconds
        (docs/reference/gateway-versions.md §9)."""
        if not self.config.generation.mints_hex_task_ids:
            return f"task_{time.time_ns()}"
        return new_task_id()

    def dispatch(
        self, worker: SimulatedWorker, prompt: str, task_id: str, *, counted: bool
    ) -> TaskRun:
        """Dial the worker and hand it the task (docs/reference/gateway-protocol.md §8.2).

        Writes the sidecar first (it exists even for tasks that never ran,
        docs/reference/gateway-protocol.md §6). Raises WorkerUnreachable when the dial fails. The
        worker then checks its capacity before reading the task: a full worker answers with the
        refusal line and no sentinel.
        """
        if self.config.generation.writes_artifact_sidecar:
            self.write_sidecar(worker, task_id)
        fault = worker.draw_fault()
        if fault == "unreachable":
            if counted:
                # Timed like every counted task; the simulated dial fails at once.
                self.metrics.count_task("error", 0.0)
            raise WorkerUnreachable(
                f"failed to dial {worker.peer_id}: all dials failed: context deadline exceeded"
            )
        spec = worker.spec
        with self.lock:
            holds_slot = worker.current_tasks < spec.max_tasks and fault != "refuse"
            current = worker.current_tasks
            if holds_slot:
                worker.current_tasks += 1
        if holds_slot:
            ending: Literal["sentinel", "refused", "dropped"] = (
                "dropped" if fault == "drop" else "sentinel"
            )
            refusal = b""
        else:
            ending = "refused"
            # A refuse-mode worker reports itself full: max/max (simulator's choice).
            shown = spec.max_tasks if fault == "refuse" else current
            refusal = capacity_refusal(shown, spec.max_tasks)
        script = task_script(
            seed=self.seed,
            peer_id=worker.peer_id,
            name=spec.name,
            engine=spec.engine,
            prompt=prompt,
            files=spec.files,
            ending=ending,
            refusal=refusal,
            output=spec.output,
        )
        logger.info(
            "task dispatched",
            extra={"task_id": task_id, "worker": worker.peer_id, "ending": script.ending},
        )
        return TaskRun(
            self, worker, task_id, script, holds_slot=holds_slot, counted=counted, prompt=prompt
        )

    def release_slot(self, worker: SimulatedWorker) -> None:
        with self.lock:
            worker.current_tasks = max(0, worker.current_tasks - 1)

    # --- artifacts (docs/reference/gateway-protocol.md §6) ----------------------------------------

    def artifact_path(self, task_id: str) -> Path:
        """Where the zip of `task_id` lands (docs/reference/gateway-protocol.md §6;
        docs/reference/gateway-versions.md §13 before 1.3.0)."""
        return self.artifacts_dir / f"{self._artifact_stem(task_id)}.zip"

    def _artifact_stem(self, task_id: str) -> str:
        # From 1.3.0 the HTTP routes only let regex-valid ids through, so the id is the name.
        # Before, any id reached the worker: the gateway keeps only its base name (1.1.0), or
        # a base name that matches the task-id regex (1.2.0); otherwise `fallback_<ns>`.
        generation = self.config.generation
        if generation.validates_task_id:
            return task_id
        base = _go_base_name(task_id)
        if generation.checks_artifact_name and not is_task_id(base):
            return f"fallback_{time.time_ns()}"
        return f"fallback_{time.time_ns()}" if base in (".", "/") else base

    def write_sidecar(self, worker: SimulatedWorker, task_id: str) -> None:
        """`<task_id>.meta.json`, mode 0600, only for a named agent and only if absent."""
        spec = worker.spec
        if not spec.name:
            return
        fields = {
            "agentName": spec.name,
            "agentDescription": spec.description,
            "agentPeerId": worker.peer_id,
        }
        body = go_json({key: value for key, value in fields.items() if value})
        path = self.artifacts_dir / f"{task_id}.meta.json"
        try:
            self.artifacts_dir.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            logger.warning("sidecar not written", extra={"task_id": task_id, "error": str(exc)})
            return
        with os.fdopen(descriptor, "wb") as sidecar:
            sidecar.write(body)

    def store_artifact(self, task_id: str, files: dict[str, str]) -> None:
        """Write the task's zip as `<task_id>.zip.part`, then rename it into place (before
        1.3.0 straight into `<task_id>.zip`, docs/reference/gateway-versions.md §13)."""
        final = self.artifact_path(task_id)
        partial = final.with_name(final.name + ".part")
        if not self.config.generation.writes_artifact_sidecar:
            partial = final
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._write_zip(partial, files)
        except OSError as exc:
            # Only reachable before 1.3.0, whose unchecked ids can name an impossible file (a
            # base name over 255 bytes): the transfer fails and no zip appears.
            logger.warning("artifact not stored", extra={"task_id": task_id, "error": str(exc)})
            return
        if partial != final:
            os.replace(partial, final)
        self.metrics.count_artifact_built()
        logger.info("artifact stored", extra={"task_id": task_id, "path": str(final)})

    @staticmethod
    def _write_zip(path: Path, files: dict[str, str]) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for entry in _walk_order(files):
                if entry.endswith("/"):
                    archive.writestr(zipfile.ZipInfo(entry), b"")
                else:
                    archive.writestr(entry, files[entry].encode("utf-8"))

    # --- async jobs -------------------------------------------------------------------------

    def try_reserve_async_slot(self) -> bool:
        with self.lock:
            if self.async_in_flight >= self.config.async_capacity:
                return False
            self.async_in_flight += 1
            return True

    def reserve_async_slot_unbounded(self) -> None:
        """Count an async task in flight without a cap (1.1.0,
        docs/reference/gateway-versions.md §10)."""
        with self.lock:
            self.async_in_flight += 1

    def release_async_slot(self) -> None:
        with self.lock:
            self.async_in_flight = max(0, self.async_in_flight - 1)


def _go_base_name(path: str) -> str:
    """Go's filepath.Base on Linux: the last element, `.` for "", `/` for only slashes."""
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


def _walk_order(files: Iterable[str]) -> list[str]:
    """Zip entries in the worker's filepath.Walk order: each directory (with a trailing `/`)
    before its contents, names sorted within a directory (docs/reference/gateway-protocol.md §6)."""
    tree: dict[str, Any] = {}
    for name in files:
        node = tree
        parts = name.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = None
    entries: list[str] = []

    def visit(node: dict[str, Any], prefix: str) -> None:
        for key in sorted(node):
            child = node[key]
            if isinstance(child, dict):
                entries.append(f"{prefix}{key}/")
                visit(child, f"{prefix}{key}/")
            else:
                entries.append(f"{prefix}{key}")

    visit(tree, "")
    return entries
