"""Scatter-gather: run a batch of prompts across many peers, with the sync and async drivers.

`tasks.scatter`, `tasks.scatter_by_model` and `tasks.scatter_iter` (agentfm/_tasks.py) validate
their arguments into a `ScatterSpec` and hand it to `iterate` (threads) or `aiterate` (asyncio).
Both drivers run the same loop around the shared `Scheduler` (agentfm/_scatter_scheduler.py):
plan, start the planned attempts, hand over settled prompts, wait for an attempt to end, report
it. Each attempt is the client's own `tasks.run`, so a truncated stream is a `WorkerStreamError`
and artifacts are collected exactly as `run` collects them.

What every driver guarantees:

* Results come out as `(index, ScatterResult)` pairs; a prompt's failure is a result, never an
  exception. Exceptions are for the call itself: bad arguments (raised before anything is sent),
  a checkpoint that is locked, damaged or written for other prompts (`InvalidRequestError`), an
  exception raised by the caller's own prompt iterable or `progress` callback.
* At most `max_concurrency` attempts are in flight (the sync driver has at most that many
  threads), and prompts are read from the iterable only a bounded look-ahead ahead of dispatch.
* With a checkpoint, a result is durably recorded before it is handed over; prompts already
  answered are not dispatched again but handed over from the checkpoint, in their place. The
  checkpoint's index (hash and file offset of each recorded prompt, ~0.2 KB each) stays in memory;
  recorded answers are read back from disk. The async driver writes and fsyncs each line on the
  event loop (a few milliseconds at most), keeping the order of the file simple.
* Each attempt runs on a connection of its own (see "lanes" below), and is abandoned when its
  answer has not started within the scheduler's first-byte bound (agentfm/_scatter_scheduler.py).
* Stopping early (leaving the loop, an exception, Ctrl-C) dispatches nothing more. The sync driver
  waits for the attempts in flight (threads cannot be interrupted) and still records them; the
  async driver cancels them, and they stay unanswered until a re-run.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import queue
import ssl
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Iterator, Sized
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, cast

import attrs
import httpx
from agentfm_gateway import Client as GatewayClient
from agentfm_gateway.api.workers import list_workers
from agentfm_gateway.records import WorkersResponse

from agentfm._bounds import checked_deadline
from agentfm._retry import RetryPolicy
from agentfm._scatter_checkpoint import Checkpoint
from agentfm._scatter_scheduler import (
    Assignment,
    AttemptRecord,
    Job,
    Scheduler,
    Settled,
    Verdict,
    failed_result,
    verdict_of,
)
from agentfm._tasks import AsyncTasks, Tasks, _checked_prompt
from agentfm._transport import (
    AsyncBoundedTransport,
    AsyncRetryingTransport,
    BoundedTransport,
    RetryingTransport,
    bounded_wire,
    bounded_wire_async,
)
from agentfm._trust import TrustRequirement, refusal_reason
from agentfm._workers import WorkerQuery
from agentfm.artifacts import checked_timeout
from agentfm.exceptions import (
    AgentFMError,
    InvalidArgumentError,
    InvalidRequestError,
    WorkerNotFoundError,
)
from agentfm.models import PeerID, ScatterResult, TaskResult, WorkerProfile

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = [
    "CheckpointPath",
    "PickCallback",
    "ProgressCallback",
    "ScatterSpec",
    "aiterate",
    "collect",
    "collect_async",
    "iterate",
]

logger = logging.getLogger("agentfm.scatter")

ProgressCallback = Callable[[int, int, int | None], object]
"""`progress(done, failed, total)`: after each settled prompt; `total` is None for an iterable
without a length (e.g. a generator)."""
PickCallback = Callable[[list[WorkerProfile]], Iterable[WorkerProfile | str]]
"""`pick(workers)`: the matching workers (online, serving the model, allowed by the trust
options) in; the ones to use (profiles or peer ids) out."""
CheckpointPath = str | os.PathLike[str] | None

Outcome = TaskResult | BaseException
Pair = tuple[int, ScatterResult]

# Scatter's attempts carry no trust demand of their own: the scheduler applied it to the peers.
_NO_TRUST = TrustRequirement()
_attempt_trace: Callable[[AttemptRecord], object] | None = None


@contextlib.contextmanager
def trace_attempts(callback: Callable[[AttemptRecord], object]) -> Iterator[None]:
    """Within the block, every batch reports each ended attempt to `callback` (used by the
    benchmarks in bench/; not thread-safe: one traced batch at a time)."""
    global _attempt_trace
    previous, _attempt_trace = _attempt_trace, callback
    try:
        yield
    finally:
        _attempt_trace = previous


# --- arguments ------------------------------------------------------------------------------


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(message, code="invalid_argument")


def _whole_number(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _invalid(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return value


def _iterable(name: str, value: object) -> Iterable[object]:
    # A lone string is iterable too (one prompt per character): almost certainly a mistake.
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _invalid(f"{name} must be an iterable (a list, a generator, ...), not {value!r:.60}")
    return value


def _peer_list(peer_ids: object) -> tuple[str, ...]:
    ids = (str(PeerID(cast(str, peer_id))) for peer_id in _iterable("peer_ids", peer_ids))
    unique = tuple(dict.fromkeys(ids))
    if not unique:
        raise _invalid("peer_ids is empty: give at least one peer id")
    return unique


def _checkpoint_path(checkpoint: object) -> Path | None:
    if checkpoint is None:
        return None
    path = os.fspath(checkpoint) if isinstance(checkpoint, (str, os.PathLike)) else None
    if not isinstance(path, str) or not path:
        raise _invalid(f"checkpoint must be a file path, not {checkpoint!r}")
    return Path(path)


def _callable(name: str, value: object) -> None:
    if value is not None and not callable(value):
        raise _invalid(f"{name} must be callable, not {value!r}")


def _shown(prompt: object) -> str:
    return prompt if isinstance(prompt, str) else repr(prompt)


@attrs.frozen(kw_only=True)
class ScatterSpec:
    """The validated arguments of one scatter call: what to run, where, and how."""

    prompts: Iterable[object]
    peer_ids: tuple[str, ...] | None
    model: str | None
    max_workers: int | None
    pick: PickCallback | None
    max_concurrency: int
    max_retries: int
    requirement: TrustRequirement
    checkpoint: Path | None
    progress: ProgressCallback | None
    artifact_timeout: float
    task_deadline: float | None = None

    @classmethod
    def create(
        cls,
        prompts: Iterable[object],
        *,
        peer_ids: Iterable[str] | None = None,
        model: str | None = None,
        max_workers: int | None = None,
        pick: PickCallback | None = None,
        max_concurrency: int = 8,
        max_retries: int = 2,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        checkpoint: CheckpointPath = None,
        progress: ProgressCallback | None = None,
        artifact_timeout: float = 120.0,
        task_deadline: float | None = None,
    ) -> ScatterSpec:
        """Check every argument now, before anything is sent (bad ones raise
        `InvalidRequestError`)."""
        if (peer_ids is None) == (model is None):
            raise _invalid("give exactly one of peer_ids= (explicit peers) or model= (discover)")
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise _invalid(f"model must be a non-empty string, not {model!r}")
        if peer_ids is not None and (max_workers is not None or pick is not None):
            raise _invalid("max_workers= and pick= choose among discovered workers: use model=")
        _callable("pick", pick)
        _callable("progress", progress)
        return cls(
            prompts=_iterable("prompts", prompts),
            peer_ids=None if peer_ids is None else _peer_list(peer_ids),
            model=model,
            max_workers=None
            if max_workers is None
            else _whole_number("max_workers", max_workers, 1),
            pick=pick,
            max_concurrency=_whole_number("max_concurrency", max_concurrency, 1),
            max_retries=_whole_number("max_retries", max_retries, 0),
            requirement=TrustRequirement(
                min_honesty=min_honesty, skip_equivocators=bool(skip_equivocators)
            ),
            checkpoint=_checkpoint_path(checkpoint),
            progress=progress,
            artifact_timeout=checked_timeout(artifact_timeout),
            task_deadline=checked_deadline(task_deadline, "task_deadline"),
        )

    def select_peers(self, online: list[WorkerProfile]) -> tuple[list[str], str]:
        """The peers of the batch, and what to say if there are none."""
        if self.peer_ids is not None:
            return list(self.peer_ids), "no peers to dispatch to: peer_ids is empty"
        model = self.model or ""
        query = WorkerQuery(model=model)
        matching = [profile for profile in online if query.matches(profile)]
        allowed = [p for p in matching if refusal_reason(p, self.requirement) is None]
        if self.pick is not None:
            chosen = [_picked_id(item) for item in self.pick(list(allowed))]
        else:
            least_loaded = sorted(allowed, key=lambda p: (p.load_ratio, p.cpu_usage_pct))
            chosen = [profile.peer_id for profile in least_loaded]
        chosen = list(dict.fromkeys(chosen))
        if self.max_workers is not None:
            chosen = chosen[: self.max_workers]
        if not matching:
            message = f"no online worker serves model {model!r}"
        elif not allowed:
            message = (
                f"all {len(matching)} online workers serving model {model!r} are refused by "
                f"the trust options (min_honesty={self.requirement.min_honesty}, "
                f"skip_equivocators={self.requirement.skip_equivocators})"
            )
        else:
            message = f"pick= chose none of the {len(allowed)} workers serving model {model!r}"
        return chosen, message


def _picked_id(item: object) -> str:
    if isinstance(item, WorkerProfile):
        return item.peer_id
    if isinstance(item, str):
        return str(PeerID(item))
    raise _invalid(f"pick= must return WorkerProfile objects or peer ids, not {item!r:.60}")


def _prompt_problem(prompt: object) -> InvalidRequestError | None:
    try:
        _checked_prompt(cast(str, prompt))  # refuses a non-string too
    except InvalidRequestError as error:
        return error
    return None


# --- one batch: what both drivers share -----------------------------------------------------


class _Batch:
    """The checkpoint, the prompt feed, progress counting and hand-over of one scatter call."""

    def __init__(self, spec: ScatterSpec) -> None:
        self.spec = spec
        self.total = len(spec.prompts) if isinstance(spec.prompts, Sized) else None
        self.finished = 0
        self.failed = 0
        self._checkpoint: Checkpoint | None = None
        self._recording = True
        self._progress_raised = False

    def open(self) -> None:
        if self.spec.checkpoint is not None:
            self._checkpoint = Checkpoint.open(self.spec.checkpoint)

    def close(self) -> None:
        if self._checkpoint is not None:
            self._checkpoint.close()
        logger.debug("scatter batch ended: %d settled, %d failed", self.finished, self.failed)

    def start(self, listing: WorkersResponse | AgentFMError) -> Scheduler:
        """The scheduler, from the first `/api/workers` answer (or the error fetching it)."""
        spec = self.spec
        checkpoint = self._checkpoint
        verify_through = checkpoint.lowest_index if checkpoint is not None else None
        explicit = spec.peer_ids is not None
        if (
            isinstance(listing, AgentFMError)
            and explicit
            and not spec.requirement.demands_anything
            and verdict_of(listing) is not Verdict.FATAL  # e.g. a bad key fails dispatch too
        ):
            # Telemetry is advice for named peers: dispatch anyway, learn capacity from refusals.
            logger.debug("scatter starts without telemetry: %s", listing)
            scheduler = Scheduler(
                self._feed(),
                list(spec.peer_ids or ()),
                max_concurrency=spec.max_concurrency,
                max_retries=spec.max_retries,
                verify_through=verify_through,
                explicit_peers=True,
                trace=_attempt_trace,
            )
            scheduler.refresh_failed(time.monotonic())
            return scheduler
        if isinstance(listing, AgentFMError):
            scheduler = Scheduler(
                self._feed(),
                [],
                max_concurrency=spec.max_concurrency,
                max_retries=spec.max_retries,
                verify_through=verify_through,
                trace=_attempt_trace,
            )
            scheduler.abort(listing)
            return scheduler
        online = list(listing.agents)
        peer_ids, no_peers_message = spec.select_peers(online)
        if not peer_ids:
            # Only with model=: nothing to run the batch on is an error of the call (0.3.0).
            raise WorkerNotFoundError(no_peers_message, code="no_matching_worker")
        scheduler = Scheduler(
            self._feed(),
            peer_ids,
            max_concurrency=spec.max_concurrency,
            max_retries=spec.max_retries,
            requirement=spec.requirement if spec.requirement.demands_anything else None,
            verify_through=verify_through,
            no_peers_message=no_peers_message,
            explicit_peers=explicit,
            trace=_attempt_trace,
        )
        scheduler.apply_telemetry(online, time.monotonic())
        logger.debug("scatter batch started on %d peers", len(peer_ids))
        return scheduler

    def _feed(self) -> Iterator[Job | Settled]:
        checkpoint = self._checkpoint
        count = 0
        for index, prompt in enumerate(self.spec.prompts):
            count = index + 1
            if checkpoint is not None:
                try:
                    entry = checkpoint.check(index, prompt)
                except InvalidRequestError:
                    self._recording = False  # never mix another batch's answers into this file
                    raise
                if entry is not None and entry.succeeded:
                    stored = checkpoint.stored_result(entry, _shown(prompt))
                    yield Settled(index, prompt, stored, recorded=True)
                    continue
            problem = _prompt_problem(prompt)
            if problem is not None:
                yield Settled(index, prompt, failed_result(_shown(prompt), problem))
            elif isinstance(prompt, str):
                yield Job(index, prompt)
        highest = checkpoint.highest_index if checkpoint is not None else None
        if checkpoint is not None and highest is not None and highest >= count:
            logger.warning(
                "scatter checkpoint %s records prompt #%d but this batch has %d prompts; "
                "those records were ignored",
                checkpoint.path,
                highest,
                count,
            )

    def finish(self, settled: Settled) -> Pair:
        """Record a settled prompt (checkpoint first, then progress) and hand it over."""
        result = settled.result
        if self._recording:
            checkpoint = self._checkpoint
            # A prompt settled without any dispatch costs nothing to judge again on a re-run.
            if checkpoint is not None and not settled.recorded and result.attempts > 0:
                try:
                    checkpoint.append(settled.index, settled.prompt, result)
                except InvalidRequestError:
                    self._recording = False
                    raise
            self.finished += 1
            if result.status == "failed":
                self.failed += 1
            if self.spec.progress is not None and not self._progress_raised:
                try:
                    self.spec.progress(self.finished, self.failed, self.total)
                except BaseException:
                    # Raised to the caller once; the tasks still in flight are recorded quietly.
                    self._progress_raised = True
                    raise
        return settled.index, result


class _InOrder:
    """Results arriving in any order, put back in submission order."""

    def __init__(self) -> None:
        self._slots: list[ScatterResult | None] = []

    def add(self, pair: Pair) -> None:
        index, result = pair
        if index >= len(self._slots):
            self._slots.extend([None] * (index + 1 - len(self._slots)))
        self._slots[index] = result

    def results(self) -> list[ScatterResult]:
        missing = [index for index, result in enumerate(self._slots) if result is None]
        if missing:  # every index is settled exactly once when the loop ends normally
            raise AgentFMError(f"scatter lost prompts {missing[:5]}", code="internal_error")
        return cast("list[ScatterResult]", self._slots)


# --- lanes: one connection per attempt in flight --------------------------------------------
#
# Each attempt in flight borrows a lane, a client of its own with a single keep-alive
# connection, from a free list only the driver loop touches; a lane serves one attempt at a time.
# Two reasons:
#
# * Correctness. With one pool shared by many threads, the pool's housekeeping in one thread
#   (closing a connection it counts as surplus or expired) can close the socket another thread
#   was just handed: that thread then waits on a closed descriptor until its read timeout
#   (12.5 min for a task), and a request written in that instant can land on the new connection
#   that reuses the descriptor number, where another attempt reads its answer. Seen as "one
#   request never answered" in 20,000-prompt batches (the simulator had answered it); with
#   lanes no thread ever closes a connection another one is using.
# * Cost. A shared pool scans all its connections under one lock for each request and each
#   answer (polling idle ones to see whether they expired): at 64 attempts in flight that scan,
#   not the exchange, was most of the client's CPU (the async pool: 3/4 of it).
#
# Lanes copy the client's settings (URL, headers, timeouts, retries of connect failures); a
# client built on the caller's own `http_client` keeps using it instead.

LaneT = TypeVar("LaneT")
_ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)


def _lane_ssl_context(gateway_url: str) -> ssl.SSLContext:
    # A plain-http gateway never negotiates TLS: skip loading the CA bundle for every lane.
    if httpx.URL(gateway_url).scheme == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.create_ssl_context()


class _Lanes(Generic[LaneT]):
    """The free list of lanes of one batch (driver loop only; not thread-safe)."""

    def __init__(self, shared: LaneT, make: Callable[[], LaneT] | None) -> None:
        self._shared = shared
        self._make = make
        self._free: list[LaneT] = []
        self.made: list[LaneT] = []

    def take(self) -> LaneT:
        if self._make is None:
            return self._shared
        if self._free:
            return self._free.pop()
        lane = self._make()
        self.made.append(lane)
        return lane

    def give(self, lane: LaneT) -> None:
        if lane is not self._shared:
            self._free.append(lane)


def _sync_lanes(tasks: Tasks) -> _Lanes[Tasks]:
    client = tasks._client
    if client._injected_client is not None:
        return _Lanes(tasks, None)
    context = _lane_ssl_context(client.gateway_url)

    def make() -> Tasks:
        lane = copy.copy(client)
        wire = bounded_wire(verify=context, limits=_ONE_CONNECTION)
        retrying = RetryingTransport(wire, RetryPolicy(max_retries=client._options.retries))
        transport = BoundedTransport(retrying)
        lane._http = httpx.Client(transport=transport, **client._http_settings())
        lane._gateway = GatewayClient(base_url=client.gateway_url).set_httpx_client(lane._http)
        return Tasks(lane)

    return _Lanes(tasks, make)


def _async_lanes(tasks: AsyncTasks) -> _Lanes[AsyncTasks]:
    client = tasks._client
    if client._injected_client is not None:
        return _Lanes(tasks, None)
    context = _lane_ssl_context(client.gateway_url)

    def make() -> AsyncTasks:
        lane = copy.copy(client)
        wire = bounded_wire_async(verify=context, limits=_ONE_CONNECTION)
        retrying = AsyncRetryingTransport(wire, RetryPolicy(max_retries=client._options.retries))
        transport = AsyncBoundedTransport(retrying)
        lane._http = httpx.AsyncClient(transport=transport, **client._http_settings())
        lane._gateway = GatewayClient(base_url=client.gateway_url).set_async_httpx_client(
            lane._http
        )
        return AsyncTasks(lane)

    return _Lanes(tasks, make)


# --- the sync driver: a bounded thread pool -------------------------------------------------


def _unavailable(error: Exception) -> AgentFMError:
    """A telemetry fetch that failed outside the SDK (e.g. a test double that does not serve
    `/api/workers`): telemetry is advice, so this becomes a failed fetch, not a crash."""
    if isinstance(error, AgentFMError):
        return error
    logger.debug("scatter telemetry fetch raised %s", type(error).__name__, exc_info=error)
    return AgentFMError(
        f"the worker list could not be fetched ({type(error).__name__})",
        code="telemetry_unavailable",
    )


def _fetch(client: AgentFMClient) -> WorkersResponse | AgentFMError:
    try:
        return client._call(list_workers.sync_detailed, WorkersResponse)
    except Exception as error:  # telemetry is advice: see _unavailable
        return _unavailable(error)


def _apply_refresh(scheduler: Scheduler, listing: WorkersResponse | AgentFMError) -> None:
    if isinstance(listing, AgentFMError):
        logger.debug("scatter telemetry refresh failed: %s", listing)
        scheduler.refresh_failed(time.monotonic())
    else:
        online = list(listing.agents)
        scheduler.apply_telemetry(online, time.monotonic())


def _refresh(client: AgentFMClient, scheduler: Scheduler) -> None:
    scheduler.begin_refresh()
    _apply_refresh(scheduler, _fetch(client))


def _attempt(
    tasks: Tasks,
    spec: ScatterSpec,
    assignment: Assignment,
    completions: queue.SimpleQueue[tuple[Assignment, Outcome, Tasks]],
) -> None:
    outcome: Outcome
    try:
        outcome = tasks._run(
            assignment.peer_id,
            assignment.prompt,
            spec.artifact_timeout,
            _NO_TRUST,
            spec.task_deadline,
            assignment.first_byte_timeout,
        )
    except BaseException as error:  # reported as the attempt's outcome, never lost
        if not isinstance(error, AgentFMError):
            logger.error("scatter attempt raised %s", type(error).__name__, exc_info=error)
        outcome = error
    completions.put((assignment, outcome, tasks))


def iterate(tasks: Tasks, spec: ScatterSpec) -> Generator[Pair, None, None]:
    """Run the batch on at most `max_concurrency` threads; yield each prompt as it settles."""
    client = tasks._client
    batch = _Batch(spec)
    batch.open()
    lanes = _sync_lanes(tasks)
    try:
        scheduler = batch.start(_fetch(client))
        completions: queue.SimpleQueue[tuple[Assignment, Outcome, Tasks]] = queue.SimpleQueue()
        with ThreadPoolExecutor(spec.max_concurrency, thread_name_prefix="agentfm-scatter") as pool:
            try:
                while True:
                    now = time.monotonic()
                    if scheduler.refresh_due(now):
                        _refresh(client, scheduler)
                    for assignment in scheduler.plan(now):
                        pool.submit(_attempt, lanes.take(), spec, assignment, completions)
                    for settled in scheduler.take_settled():
                        yield batch.finish(settled)
                    if scheduler.done:
                        return
                    wait = scheduler.wait_seconds(time.monotonic())
                    try:
                        assignment, outcome, lane = completions.get(timeout=wait)
                    except queue.Empty:
                        continue
                    lanes.give(lane)
                    settled_now = scheduler.complete(assignment, outcome, time.monotonic())
                    if settled_now is not None:
                        yield batch.finish(settled_now)
            finally:
                # Threads cannot be interrupted: wait for the attempts in flight; keep their
                # answers (they finished, so a re-run must not dispatch them again).
                scheduler.stop()
                while scheduler.in_flight:
                    assignment, outcome, lane = completions.get()
                    settled_now = scheduler.complete(assignment, outcome, time.monotonic())
                    if settled_now is not None:
                        batch.finish(settled_now)
    finally:
        for lane in lanes.made:
            lane._client._http.close()
        batch.close()


def collect(pairs: Generator[Pair, None, None]) -> list[ScatterResult]:
    """Run the batch to the end; the results in submission order."""
    in_order = _InOrder()
    try:
        for pair in pairs:
            in_order.add(pair)
    finally:
        pairs.close()
    return in_order.results()


# --- the async driver: asyncio tasks --------------------------------------------------------


async def _afetch(client: AsyncAgentFMClient) -> WorkersResponse | AgentFMError:
    try:
        return await client._call(list_workers.asyncio_detailed, WorkersResponse)
    except Exception as error:  # telemetry is advice: see _unavailable
        return _unavailable(error)


async def _arefresh(client: AsyncAgentFMClient, scheduler: Scheduler) -> None:
    scheduler.begin_refresh()
    _apply_refresh(scheduler, await _afetch(client))


AsyncEnded = tuple[Assignment, Outcome, AsyncTasks]


class _Completions:
    """Ended attempts for the async driver loop: a deque and one event (no task per wait, which
    `asyncio.wait_for` on a queue would create every time round the loop)."""

    def __init__(self) -> None:
        self.ended: deque[AsyncEnded] = deque()
        self._event = asyncio.Event()

    def put(self, ended: AsyncEnded) -> None:
        self.ended.append(ended)
        self._event.set()

    async def next(self, wait: float | None) -> AsyncEnded | None:
        """The next ended attempt, waiting at most `wait` seconds (None: as long as it takes)."""
        if not self.ended and (wait is None or wait > 0):
            self._event.clear()
            timer = (
                None
                if wait is None
                else asyncio.get_running_loop().call_later(wait, self._event.set)
            )
            await self._event.wait()
            if timer is not None:
                timer.cancel()
        return self.ended.popleft() if self.ended else None


async def _aattempt(
    tasks: AsyncTasks,
    spec: ScatterSpec,
    assignment: Assignment,
    completions: _Completions,
) -> None:
    outcome: Outcome
    try:
        outcome = await tasks._run(
            assignment.peer_id,
            assignment.prompt,
            spec.artifact_timeout,
            _NO_TRUST,
            spec.task_deadline,
            assignment.first_byte_timeout,
        )
    except Exception as error:  # a cancelled attempt reports nothing: it stays unanswered
        if not isinstance(error, AgentFMError):
            logger.error("scatter attempt raised %s", type(error).__name__, exc_info=error)
        outcome = error
    completions.put((assignment, outcome, tasks))


async def aiterate(tasks: AsyncTasks, spec: ScatterSpec) -> AsyncGenerator[Pair, None]:
    """Run the batch as at most `max_concurrency` asyncio tasks; yield each prompt as it settles."""
    client = tasks._client
    batch = _Batch(spec)
    batch.open()
    lanes = _async_lanes(tasks)
    try:
        scheduler = batch.start(await _afetch(client))
        completions = _Completions()
        attempts: set[asyncio.Task[None]] = set()
        try:
            while True:
                now = time.monotonic()
                if scheduler.refresh_due(now):
                    await _arefresh(client, scheduler)
                for assignment in scheduler.plan(now):
                    attempt = asyncio.ensure_future(
                        _aattempt(lanes.take(), spec, assignment, completions)
                    )
                    attempts.add(attempt)
                    attempt.add_done_callback(attempts.discard)
                for settled in scheduler.take_settled():
                    yield batch.finish(settled)
                if scheduler.done:
                    return
                ended = await completions.next(scheduler.wait_seconds(time.monotonic()))
                if ended is None:
                    continue
                assignment, outcome, lane = ended
                lanes.give(lane)
                settled_now = scheduler.complete(assignment, outcome, time.monotonic())
                if settled_now is not None:
                    yield batch.finish(settled_now)
        finally:
            # Cancel the attempts in flight; keep the answers of those that ended before.
            scheduler.stop()
            for attempt in attempts:
                attempt.cancel()
            await asyncio.gather(*attempts, return_exceptions=True)
            while completions.ended:
                assignment, outcome, _ = completions.ended.popleft()
                settled_now = scheduler.complete(assignment, outcome, time.monotonic())
                if settled_now is not None:
                    batch.finish(settled_now)
    finally:
        for lane in lanes.made:
            await lane._client._http.aclose()
        batch.close()


async def collect_async(pairs: AsyncGenerator[Pair, None]) -> list[ScatterResult]:
    """Run the batch to the end; the results in submission order."""
    in_order = _InOrder()
    try:
        async for pair in pairs:
            in_order.add(pair)
    finally:
        await pairs.aclose()
    return in_order.results()
