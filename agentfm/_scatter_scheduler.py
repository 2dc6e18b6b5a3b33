"""The scatter scheduler: which prompt goes to which peer and when, and what a failed attempt means.

Decisions only, no I/O: the sync driver (a bounded thread pool) and the async driver (asyncio
tasks) in agentfm/_scatter.py feed it telemetry and attempt outcomes and carry out its plans.

Capacity. The gateway does not cap synchronous dispatch (docs/reference/gateway-protocol.md §9): it
relays the task and the worker refuses it when full (docs/reference/gateway-protocol.md §5.4, §8.2).
So a peer's free slots are computed here: `max_tasks - (tasks of other clients) - (tasks this batch
has in flight there)`. Other clients' load is the telemetry's `current_tasks` minus what this batch
had there while the telemetry was fetched (the count includes our own tasks; on a real mesh it also
lags by ~3 s, docs/reference/gateway-protocol.md §8.1). Peers are filled least-loaded first.

Explicit peers (`peer_ids=`) do not depend on `/api/workers`: the listing is advice. A listed peer
missing from it (or every peer, when the fetch failed) is still dispatched to, and `/api/execute`
says whether it exists. Without telemetry a peer's capacity is learnt from its refusals: it
starts at `max_concurrency` and a capacity refusal lowers it to what this batch still runs there
(at least 1), resting the peer briefly. With trust options, telemetry is required (a peer missing
from it cannot be judged, so it is not used).

Failures (see `verdict_of`). A worker that refused for capacity never ran the task: the prompt
moves to another peer at once and the refusal is not counted against `max_retries` (a separate,
larger budget bounds it). A trust refusal or an unknown worker makes that peer unusable for the
rest of the batch; the prompt moves on without spending a retry, and fails at once when no peer
is left. A bad request is final for its prompt; an authentication failure is final for the whole
batch. Everything else (a stream that ended without its completion sentinel, an unreachable
worker, a lost connection, a 5xx) is retried on a different peer when one exists, at most
`max_retries` times.

Resting. A peer is left alone for a while (exponential backoff) after two connection failures in
a row (unreachable, 5xx, a lost connection, no first byte in time), or once its measured success
rate is low (below 40% with at least four failures). A stream that a worker drops now and then
does not rest it: a worker that drops 30% of its streams still delivers 70% of its capacity.

First byte. An attempt whose answer has not started within `first_byte_timeout` (several times
the slowest task the peer, or else the mesh, has been seen to run; never below 10 s) is
abandoned: its connection is closed, so it cannot deliver a late answer, and the prompt is
retried elsewhere like any connection failure. This guards against a gateway or worker that read
the request and never answered, which would otherwise hold the prompt for the stream's whole
read timeout (12.5 min).

Exactly once. A prompt is in flight at most once at any time: a new attempt starts only after
the previous one has ended, and an attempt ends when its connection does. Each prompt is settled
(recorded in the checkpoint, handed to the caller) exactly once. A worker may still have run a
task whose answer never reached us (a dropped stream, an abandoned attempt); its retry runs the
prompt again, so execution on workers is at least once.

Tail. In the last round (every prompt read, no more waiting than twice `max_concurrency`), the
waiting prompts are placed by earliest finish (list scheduling on each peer's measured task time)
instead of on any free slot, so a slow worker does not get the last prompts while a fast one is
about to be free. The finish counted is the one reached nine times in ten: on a peer that
succeeds with probability p, that takes as many attempts as 1 - (1 - p)^n >= 0.9 needs, so a
reliable slot that frees soon is preferred over an unreliable one that is free now.

Cost. Choosing a peer is a heap operation (logarithmic in the number of peers). Last-round
placement weighs only the peers running this batch's attempts (at most `max_concurrency`) and a
few with a free slot; only a telemetry refresh (every few seconds) looks at every peer.

Memory is bounded by `max_concurrency`: prompts are pulled from the caller's iterable only a
small look-ahead before they are dispatched, and there is no per-prompt state beyond that.
"""

from __future__ import annotations

import enum
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence

import attrs

from agentfm._trust import TrustRequirement, refusal_error, refusal_reason
from agentfm.exceptions import (
    AgentFMError,
    ArtifactError,
    AuthenticationError,
    DispatchRefusedError,
    GatewayProtocolError,
    InvalidPeerIdError,
    InvalidRequestError,
    OriginRefusedError,
    RateLimitError,
    WorkerNotFoundError,
    WorkerStreamError,
)
from agentfm.models import ScatterResult, TaskResult, WorkerProfile

__all__ = [
    "Assignment",
    "AttemptRecord",
    "Job",
    "PeerState",
    "Scheduler",
    "Settled",
    "Verdict",
    "failed_result",
    "verdict_of",
]

# docs/reference/gateway-protocol.md §8.1: telemetry pulses every ~3 s; polling the table faster
# learns nothing new on a real mesh. After a capacity refusal we look again sooner (the refusing
# peer is skipped until then).
TELEMETRY_REFRESH_SECONDS = 3.0
REFRESH_AFTER_REFUSAL_SECONDS = 0.5
# A peer rests 0.25 s, then 0.5 s, 1 s, ... up to 30 s: after this many connection failures in a
# row (a dead peer fails every time, at once)...
BACKOFF_AFTER_FAILURES = 2
# ...or when its success rate is below this with at least this many (decayed) failures. A worker
# that drops 30% of its streams stays well above it; three drops in a row do not rest it.
LOW_SUCCESS_RATE = 0.4
LOW_SUCCESS_MIN_FAILURES = 4.0
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 30.0
# Weight of the newest observation in a peer's running task time.
EWMA_WEIGHT = 0.3
# How fast old outcomes fade from a peer's success rate (about the last 20 attempts count).
SUCCESS_DECAY = 0.95
# First-byte bound: this many times the slowest task seen (on that peer, else anywhere), >= floor.
FIRST_BYTE_FACTOR = 4.0
FIRST_BYTE_FLOOR_SECONDS = 10.0
# In the last round, a placement aims at the finish reached this often.
TAIL_CONFIDENCE = 0.9
# The last round: no more prompts left than this many times max_concurrency.
TAIL_ROUNDS = 2
# Last-round placement weighs the peers running our attempts and this many with a free slot.
TAIL_FREE_CANDIDATES = 32
# A peer whose success rate fell this low is still assumed to succeed sometimes (no division by 0).
MIN_SUCCESS_RATE = 0.1
# How far ahead of dispatch prompts are read: enough to know the tail, bounded by concurrency.
LOOKAHEAD_PER_SLOT = 4
MIN_LOOKAHEAD = 64
# While holding prompts back in the tail, look again at least this often.
MAX_TAIL_TICK_SECONDS = 1.0
MIN_TAIL_TICK_SECONDS = 0.02
# When nothing can be dispatched and nothing is in flight yet work remains, poll this often.
IDLE_POLL_SECONDS = 0.5
_VERSION_MISMATCH = "ERROR: Version mismatch"


def _is_drop(error: BaseException) -> bool:
    """A stream the worker began and then lost: the worker runs, it just failed this once."""
    return isinstance(error, WorkerStreamError) and error.code == "stream_incomplete"


class Verdict(enum.Enum):
    """What a failed attempt means for its prompt and its peer."""

    RETRY = "retry"
    """The attempt failed; another peer may succeed. Counts against `max_retries`."""
    REFUSED = "refused"
    """The worker was full and never ran the task: move on at once, no retry spent."""
    PEER_UNUSABLE = "peer_unusable"
    """This peer will refuse every task of the batch (trust gate, offline, bad id)."""
    FINAL = "final"
    """This prompt cannot succeed anywhere (bad request) or already ran (artifact failure)."""
    FATAL = "fatal"
    """No prompt of the batch can succeed (authentication, not an AgentFM gateway)."""


def verdict_of(error: BaseException) -> Verdict:
    """How the scheduler treats an attempt that raised `error`."""
    if isinstance(error, (AuthenticationError, RateLimitError, OriginRefusedError)):
        return Verdict.FATAL
    if isinstance(error, GatewayProtocolError) and error.code == "route_not_found":
        return Verdict.FATAL
    if isinstance(error, (DispatchRefusedError, WorkerNotFoundError, InvalidPeerIdError)):
        return Verdict.PEER_UNUSABLE
    if isinstance(error, (InvalidRequestError, ArtifactError)):
        return Verdict.FINAL
    if isinstance(error, WorkerStreamError) and error.code == "output_too_large":
        # The prompt asked for more text than the caller's cap: another worker would run it
        # again to the same end.
        return Verdict.FINAL
    if isinstance(error, WorkerStreamError) and error.code == "worker_refused":
        # docs/reference/gateway-protocol.md §5.4: "Version mismatch" is for good (the worker runs
        # another protocol version); the other refusal lines (capacity, CPU, GPU) mean "busy, try
        # elsewhere".
        if _VERSION_MISMATCH in error.partial_text:
            return Verdict.PEER_UNUSABLE
        return Verdict.REFUSED
    if isinstance(error, AgentFMError):
        return Verdict.RETRY
    # Not an SDK error: a bug somewhere; sending the prompt again would only repeat it.
    return Verdict.FINAL


def _as_sdk_error(error: BaseException) -> AgentFMError:
    if isinstance(error, AgentFMError):
        return error
    return AgentFMError(f"unexpected {type(error).__name__}: {error}", code="unexpected_error")


def failed_result(
    prompt: str,
    error: AgentFMError,
    *,
    attempts: int = 0,
    worker_id: str | None = None,
    duration_seconds: float = 0.0,
) -> ScatterResult:
    # A task whose only failure was its files still completed: keep its answer and task id.
    return ScatterResult(
        prompt=prompt,
        status="failed",
        text=error.text if isinstance(error, ArtifactError) else "",
        error=error.message,
        error_code=error.code,
        worker_id=worker_id,
        attempts=attempts,
        duration_seconds=duration_seconds,
        task_id=(error.task_id or None) if isinstance(error, ArtifactError) else None,
    )


@attrs.define(eq=False)
class Job:
    """One prompt not yet settled, with its dispatch history."""

    index: int
    prompt: str
    attempts: int = 0
    failures: int = 0
    refusals: int = 0
    tried: set[str] = attrs.field(factory=set)
    last_peer: str | None = None
    first_dispatch: float | None = None


@attrs.frozen
class Settled:
    """A prompt's final result. `recorded`: it already is in the checkpoint (a resumed one)."""

    index: int
    prompt: object
    result: ScatterResult
    recorded: bool = False


@attrs.frozen(eq=False)
class Assignment:
    """One attempt to carry out: send `job.prompt` to `peer_id`."""

    attempt_id: int
    job: Job
    peer_id: str
    started: float
    first_byte_timeout: float | None = None
    """Abandon the attempt when its answer has not started by then (module docstring)."""

    @property
    def prompt(self) -> str:
        return self.job.prompt


@attrs.frozen
class AttemptRecord:
    """One attempt of a traced batch: where it ran, when, and how it ended (`outcome` is
    "success" or the error code)."""

    attempt_id: int
    index: int
    peer_id: str
    started: float
    ended: float
    outcome: str
    verdict: str
    tail: bool


@attrs.define(eq=False)
class PeerState:
    """What the scheduler knows about one peer of the batch."""

    peer_id: str
    order: int
    max_tasks: int = 1
    others: int = 0
    """Tasks other clients run there, by the last telemetry."""
    busy_until_refresh: bool = False
    running: dict[int, float] = attrs.field(factory=dict)
    """This batch's attempts in flight there: attempt id -> start time."""
    high_water: int = 0
    """Most attempts of this batch in flight there since the telemetry fetch began."""
    consecutive_failures: int = 0
    available_at: float = 0.0
    unusable: AgentFMError | None = None
    telemetry_known: bool = False
    """The last `/api/workers` answer listed this peer (its capacity comes from there)."""
    mean_seconds: float | None = None
    slowest_seconds: float | None = None
    """The longest successful attempt here (bounds the wait for a first byte)."""
    successes: float = 0.0
    outcomes: float = 0.0
    """Decayed counts of successes and of measured attempts."""
    rests: int = 0

    @property
    def ours(self) -> int:
        return len(self.running)

    @property
    def success_rate(self) -> float:
        # One imagined success keeps a peer measured only by failures above 0 and lets a fresh
        # peer start at 1.
        return (self.successes + 1.0) / (self.outcomes + 1.0)

    def free_slots(self, now: float) -> int:
        if self.unusable is not None or self.busy_until_refresh or now < self.available_at:
            return 0
        return max(0, self.max_tasks - self.others - self.ours)

    def load(self) -> float:
        return (self.others + self.ours) / self.max_tasks

    def expected_seconds(self) -> float | None:
        """Expected time to get one success out of this peer, from what was measured."""
        if self.mean_seconds is None:
            return None
        return self.mean_seconds / max(self.success_rate, MIN_SUCCESS_RATE)

    def finish_seconds(self, confidence: float) -> float | None:
        """Time to a success reached with probability `confidence` (attempts of mean length)."""
        if self.mean_seconds is None:
            return None
        rate = max(self.success_rate, MIN_SUCCESS_RATE)
        if rate >= 1.0:
            return self.mean_seconds
        attempts = math.ceil(math.log(1.0 - confidence) / math.log(1.0 - rate) - 1e-9)
        return self.mean_seconds * max(1, attempts)

    def _measure(self, seconds: float, success: bool) -> None:
        self.mean_seconds = (
            seconds
            if self.mean_seconds is None
            else self.mean_seconds + EWMA_WEIGHT * (seconds - self.mean_seconds)
        )
        self.successes = self.successes * SUCCESS_DECAY + (1.0 if success else 0.0)
        self.outcomes = self.outcomes * SUCCESS_DECAY + 1.0

    def succeeded(self, seconds: float) -> None:
        self.consecutive_failures = 0
        self.rests = 0
        self._measure(seconds, True)
        if self.slowest_seconds is None or seconds > self.slowest_seconds:
            self.slowest_seconds = seconds

    def failed(self, now: float, seconds: float | None, *, drop: bool = False) -> bool:
        """Count a failure; True when the peer now rests (see the module docstring)."""
        if seconds is not None:
            self._measure(seconds, False)
        if drop:
            failures = self.outcomes - self.successes
            rest = failures >= LOW_SUCCESS_MIN_FAILURES and self.success_rate < LOW_SUCCESS_RATE
        else:
            self.consecutive_failures += 1
            rest = self.consecutive_failures >= BACKOFF_AFTER_FAILURES
        if rest:
            seconds_off = BACKOFF_BASE_SECONDS * 2 ** min(self.rests, 16)
            self.rests += 1
            self.available_at = max(self.available_at, now + min(BACKOFF_MAX_SECONDS, seconds_off))
        return rest


def _rank(peer: PeerState) -> tuple[float, float, int]:
    # Least loaded first; among equals the one measured fastest, then the caller's order.
    return (peer.load(), peer.expected_seconds() or 0.0, peer.order)


def _short(peer_id: str) -> str:
    return f"{peer_id[:16]}..." if len(peer_id) > 16 else peer_id


class Scheduler:
    """Plans the dispatches of one scatter batch. Not thread-safe: one driver loop owns it.

    The driver loop: `plan(now)` and start every returned `Assignment` (with
    `first_byte_timeout(peer_id)` as its bound for the answer to start); hand over
    `take_settled()`; stop when `done`; else wait up to `wait_seconds(now)` for an attempt to end
    and report it with `complete(...)`. When `refresh_due(now)`, fetch `/api/workers` between
    `begin_refresh()` and `apply_telemetry(...)` (or `refresh_failed(...)`). `trace`, when given,
    receives one `AttemptRecord` per ended attempt (benchmarks and diagnosis).
    """

    def __init__(
        self,
        feed: Iterator[Job | Settled],
        peer_ids: Sequence[str],
        *,
        max_concurrency: int,
        max_retries: int,
        requirement: TrustRequirement | None = None,
        verify_through: int | None = None,
        no_peers_message: str = "no peers to dispatch to",
        explicit_peers: bool = False,
        trace: Callable[[AttemptRecord], object] | None = None,
    ) -> None:
        self._feed = feed
        self._feed_done = False
        self._next_index = 0
        self._verify_through = verify_through
        self._max_concurrency = max_concurrency
        self._max_retries = max_retries
        self._requirement = requirement
        self._lookahead = max(MIN_LOOKAHEAD, LOOKAHEAD_PER_SLOT * max_concurrency)
        # Peers the caller named are dispatched to even when the telemetry does not list them
        # (see the module docstring); until it does, their capacity is learnt from refusals.
        self._explicit_peers = explicit_peers
        initial_capacity = max_concurrency if explicit_peers else 1
        self._peers = {
            peer_id: PeerState(peer_id, order, max_tasks=initial_capacity)
            for order, peer_id in enumerate(peer_ids)
        }
        self._usable = len(self._peers)
        # Peers that may have a free slot, least loaded first (entries are re-checked when taken
        # out: a stale one is put back with its current rank), and resting peers by wake time.
        self._ready: list[tuple[tuple[float, float, int], str]] = []
        self._resting: list[tuple[float, int, str]] = []
        # Peers held back by other clients' load or a BUSY status: telemetry is worth fetching.
        self._blocked = 0
        # Peers running an attempt of this batch (at most max_concurrency of them).
        self._busy: set[str] = set()
        self._slowest: float | None = None
        self._fastest_mean: float | None = None
        # A refusal says "busy", not "broken": allow a few per peer before giving up on a prompt.
        self._refusal_limit = max(3, 2 * len(self._peers))
        self._no_peers_message = no_peers_message
        self._waiting: deque[Job] = deque()
        self._retrying: deque[Job] = deque()
        self._settled: deque[Settled] = deque()
        self._in_flight = 0
        self._attempt_ids = itertools.count()
        self._tail_attempts: set[int] = set()
        self._trace = trace
        self._fatal: AgentFMError | None = None
        self._stopped = False
        self._refreshing = False
        self._refresh_soon = False
        self._last_refresh = -math.inf
        self._reindex()

    # --- state ------------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def done(self) -> bool:
        if self._settled or self._in_flight:
            return False
        return self._stopped or (self._feed_done and not self._waiting and not self._retrying)

    def peer(self, peer_id: str) -> PeerState:
        return self._peers[peer_id]

    def take_settled(self) -> list[Settled]:
        """The prompts settled since the last call (resumed, failed without dispatch, ...)."""
        settled = list(self._settled)
        self._settled.clear()
        return settled

    def abort(self, error: AgentFMError) -> None:
        """Fail every prompt not yet dispatched with `error` (the batch cannot run at all)."""
        if self._fatal is None:
            self._fatal = error

    def stop(self) -> None:
        """Dispatch nothing more; attempts in flight still report, but none is retried."""
        self._stopped = True

    def first_byte_timeout(self, peer_id: str) -> float | None:
        """How long an attempt on `peer_id` may wait for its answer to start before it is
        abandoned (None: nothing measured yet, wait as long as `run` does)."""
        slowest = self._peers[peer_id].slowest_seconds or self._slowest
        if slowest is None:
            return None
        return max(FIRST_BYTE_FLOOR_SECONDS, FIRST_BYTE_FACTOR * slowest)

    def _make_unusable(self, peer: PeerState, error: AgentFMError) -> None:
        if peer.unusable is None:
            peer.unusable = error
            self._usable -= 1

    # --- telemetry --------------------------------------------------------------------------

    def refresh_due(self, now: float) -> bool:
        """True when fetching `/api/workers` again would help: someone else's load is blocking
        a peer, or a peer refused for capacity."""
        if self._refreshing or self._stopped or self._fatal is not None:
            return False
        if not (self._waiting or self._retrying or not self._feed_done):
            return False
        interval = self._refresh_interval()
        return interval is not None and now - self._last_refresh >= interval

    def _refresh_interval(self) -> float | None:
        if self._refresh_soon:
            return REFRESH_AFTER_REFUSAL_SECONDS
        if self._blocked:
            return TELEMETRY_REFRESH_SECONDS
        return None

    def begin_refresh(self) -> None:
        self._refreshing = True
        for peer in self._peers.values():
            peer.high_water = peer.ours

    def refresh_failed(self, now: float) -> None:
        """The fetch failed: keep what is known (telemetry is advice; dispatch tells the truth)."""
        self._refreshing = False
        self._last_refresh = now
        self._refresh_soon = False
        if not self._explicit_peers:
            return
        for peer in self._peers.values():
            if peer.busy_until_refresh:
                # A named peer waiting for telemetry that does not come: rest it briefly and go
                # on learning its capacity from refusals instead.
                peer.busy_until_refresh = False
                peer.telemetry_known = False
                peer.max_tasks = max(1, min(peer.max_tasks, peer.ours))
                peer.available_at = max(peer.available_at, now + REFRESH_AFTER_REFUSAL_SECONDS)
        self._reindex(now)

    def apply_telemetry(self, profiles: Iterable[WorkerProfile], now: float) -> None:
        """Take in one `/api/workers` answer (the online workers)."""
        self._refreshing = False
        self._last_refresh = now
        self._refresh_soon = False
        by_id = {profile.peer_id: profile for profile in profiles}
        for peer in self._peers.values():
            if peer.unusable is not None:
                continue
            profile = by_id.get(peer.peer_id)
            if profile is None and self._explicit_peers and self._requirement is None:
                # Not listed (yet, or by this gateway generation): dispatch says the truth.
                peer.telemetry_known = False
                peer.others = 0
                peer.busy_until_refresh = False
                continue
            if profile is None:
                # Not in the live table: /api/execute would answer 404
                # (docs/reference/gateway-protocol.md §5.4).
                self._make_unusable(
                    peer,
                    WorkerNotFoundError(
                        f"peer {peer.peer_id} is not online (not in the gateway's live telemetry)",
                        code="worker_not_found",
                    ),
                )
                continue
            reason = (
                refusal_reason(profile, self._requirement)
                if self._requirement is not None
                else None
            )
            if reason is not None:
                self._make_unusable(peer, refusal_error(profile, reason))
                continue
            peer.telemetry_known = True
            # max_tasks <= 0 would mean "no limit"; the batch's own concurrency then bounds it.
            peer.max_tasks = profile.max_tasks if profile.max_tasks > 0 else self._max_concurrency
            peer.others = max(0, profile.current_tasks - max(peer.high_water, peer.ours))
            # BUSY below max_tasks means CPU or GPU load (docs/reference/gateway-protocol.md §8.1):
            # the worker would refuse.
            peer.busy_until_refresh = (
                profile.status == "BUSY" and profile.current_tasks < profile.max_tasks
            )
            peer.high_water = peer.ours
        self._reindex(now)

    def _reindex(self, now: float = -math.inf) -> None:
        """Rebuild the peer heaps and counters from scratch (after telemetry: every few s)."""
        usable = [peer for peer in self._peers.values() if peer.unusable is None]
        self._blocked = sum(1 for peer in usable if peer.others > 0 or peer.busy_until_refresh)
        self._ready = [(_rank(peer), peer.peer_id) for peer in usable if peer.available_at <= now]
        heapq.heapify(self._ready)
        self._resting = [
            (peer.available_at, peer.order, peer.peer_id)
            for peer in usable
            if peer.available_at > now
        ]
        heapq.heapify(self._resting)

    # --- planning ---------------------------------------------------------------------------

    def _refill(self) -> None:
        verify = self._verify_through
        while not self._feed_done and (
            (verify is not None and self._next_index <= verify)
            or (len(self._waiting) < self._lookahead and len(self._settled) < self._lookahead)
        ):
            item = next(self._feed, None)
            if item is None:
                self._feed_done = True
                break
            self._next_index = item.index + 1
            if isinstance(item, Settled):
                self._settled.append(item)
            else:
                self._waiting.append(item)

    def _batch_failure(self) -> AgentFMError | None:
        if self._fatal is not None:
            return self._fatal
        if self._usable > 0:
            return None
        if not self._peers:
            return AgentFMError(self._no_peers_message, code="no_usable_peer")
        reasons = [f"{_short(peer.peer_id)}: {peer.unusable}" for peer in self._peers.values()]
        shown = "; ".join(reasons[:3]) + (
            f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
        )
        return AgentFMError(f"no usable peer left for this batch ({shown})", code="no_usable_peer")

    def plan(self, now: float) -> list[Assignment]:
        """The attempts to start now (never more than free capacity and `max_concurrency`)."""
        self._refill()
        failure = self._batch_failure()
        if failure is not None:
            for queue in (self._retrying, self._waiting):
                while queue:
                    self._settled.append(self._failed(queue.popleft(), failure, now))
            return []
        slots = self._max_concurrency - self._in_flight
        if self._stopped or slots <= 0:
            return []
        if self._in_tail():
            return self._plan_tail(now, slots)
        return self._plan_greedy(now, slots)

    def _in_tail(self) -> bool:
        remaining = len(self._waiting) + len(self._retrying)
        return self._feed_done and remaining <= TAIL_ROUNDS * self._max_concurrency

    def _untried_left(self, job: Job) -> bool:
        tried_usable = sum(1 for peer_id in job.tried if self._peers[peer_id].unusable is None)
        return tried_usable < self._usable

    def _may_take(self, job: Job, peer: PeerState, untried_left: bool) -> bool:
        """A retry goes to a peer it has not tried; once it tried them all, to any but the last."""
        if untried_left:
            return peer.peer_id not in job.tried
        return peer.peer_id != job.last_peer or self._usable == 1

    def _allowed(self, job: Job) -> list[PeerState]:
        untried_left = self._untried_left(job)
        return [
            peer
            for peer in self._peers.values()
            if peer.unusable is None and self._may_take(job, peer, untried_left)
        ]

    def _offer(self, peer: PeerState) -> None:
        """Put `peer` (back) among the candidates; stale duplicates are dropped when taken out,
        and the heap is rebuilt when they pile up (amortized O(1) a call)."""
        heapq.heappush(self._ready, (_rank(peer), peer.peer_id))
        if len(self._ready) > 2 * len(self._peers) + 64:
            usable = (peer for peer in self._peers.values() if peer.unusable is None)
            self._ready = [(_rank(peer), peer.peer_id) for peer in usable]
            heapq.heapify(self._ready)

    def _wake_rested(self, now: float) -> None:
        resting = self._resting
        while resting and resting[0][0] <= now:
            _, _, peer_id = heapq.heappop(resting)
            self._offer(self._peers[peer_id])

    def _take_free_peer(self, now: float, job: Job | None) -> PeerState | None:
        """The least-loaded peer with a free slot (that `job` may go to), out of the heap."""
        untried_left = job is not None and self._untried_left(job)
        ready = self._ready
        passed_over: list[tuple[tuple[float, float, int], str]] = []
        chosen: PeerState | None = None
        while ready:
            rank, peer_id = heapq.heappop(ready)
            peer = self._peers[peer_id]
            if peer.unusable is not None or peer.busy_until_refresh:
                continue  # back at the next telemetry
            if now < peer.available_at:
                heapq.heappush(self._resting, (peer.available_at, peer.order, peer_id))
                continue
            if peer.free_slots(now) <= 0:
                continue  # back when one of its attempts ends (or at the next telemetry)
            current = _rank(peer)
            if current != rank:
                heapq.heappush(ready, (current, peer_id))
                continue
            if job is not None and not self._may_take(job, peer, untried_left):
                passed_over.append((rank, peer_id))
                continue
            chosen = peer
            break
        for entry in passed_over:
            heapq.heappush(ready, entry)
        return chosen

    def _plan_greedy(self, now: float, slots: int) -> list[Assignment]:
        self._wake_rested(now)
        planned: list[Assignment] = []
        while slots > 0 and self._ready:
            chosen: tuple[Job, PeerState] | None = None
            # A few retries at a time: each needs a peer it has not tried.
            for job in itertools.islice(self._retrying, 8):
                peer = self._take_free_peer(now, job)
                if peer is not None:
                    self._retrying.remove(job)
                    chosen = (job, peer)
                    break
            if chosen is None:
                if not self._waiting:
                    self._refill()
                if not self._waiting:
                    break
                peer = self._take_free_peer(now, None)
                if peer is None:
                    break
                chosen = (self._waiting.popleft(), peer)
            planned.append(self._assign(*chosen, now))
            slots -= 1
        return planned

    def _plan_tail(self, now: float, slots: int) -> list[Assignment]:
        """Last-round placement by the finish reached nine times in ten (module docstring)."""
        jobs = [*self._retrying, *self._waiting]
        if not jobs:
            return []
        usable = self._tail_candidates(now)
        known = [e for e in (peer.expected_seconds() for peer in usable) if e is not None]
        if not known:
            return self._plan_greedy(now, slots)
        default = sum(known) / len(known)
        estimate: dict[str, float] = {}
        finish: dict[str, float] = {}
        # Per peer, its slots' free times; a heap of peers by when their next task would end.
        slot_times: dict[str, list[float]] = {}
        free_now: dict[str, int] = {}
        peers_by_finish: list[tuple[float, float, int, str]] = []
        for peer in usable:
            est = peer.mean_seconds if peer.mean_seconds is not None else default
            estimate[peer.peer_id] = est
            finish[peer.peer_id] = peer.finish_seconds(TAIL_CONFIDENCE) or default
            times = [
                # An overdue attempt is expected to end later the longer it overruns.
                now + abs(est - (now - started))
                for started in peer.running.values()
            ]
            idle = 0 if peer.busy_until_refresh else peer.max_tasks - peer.others - peer.ours
            times.extend([max(now, peer.available_at)] * max(0, idle))
            if not times:
                continue
            heapq.heapify(times)
            slot_times[peer.peer_id] = times
            free_now[peer.peer_id] = peer.free_slots(now)
            key = times[0] + finish[peer.peer_id]
            peers_by_finish.append((key, 1.0 - peer.success_rate, peer.order, peer.peer_id))
        heapq.heapify(peers_by_finish)
        chosen: list[tuple[Job, PeerState]] = []
        for job in jobs:
            if len(chosen) >= slots or not any(free_now.values()):
                break
            untried_left = self._untried_left(job)
            passed_over = []
            best: PeerState | None = None
            while peers_by_finish:
                entry = heapq.heappop(peers_by_finish)
                peer = self._peers[entry[3]]
                if self._may_take(job, peer, untried_left):
                    best = peer
                    break
                passed_over.append(entry)
            for entry in passed_over:
                heapq.heappush(peers_by_finish, entry)
            if best is None:
                continue
            peer_id = best.peer_id
            times = slot_times[peer_id]
            slot = heapq.heappop(times)
            heapq.heappush(times, max(slot, now) + estimate[peer_id])
            heapq.heappush(
                peers_by_finish,
                (times[0] + finish[peer_id], 1.0 - best.success_rate, best.order, peer_id),
            )
            if slot <= now and free_now[peer_id] > 0:
                free_now[peer_id] -= 1
                chosen.append((job, best))
        planned = []
        for job, peer in chosen:
            if job.attempts:
                self._retrying.remove(job)
            else:
                self._waiting.remove(job)
            assignment = self._assign(job, peer, now)
            self._tail_attempts.add(assignment.attempt_id)
            planned.append(assignment)
        return planned

    def _tail_candidates(self, now: float) -> list[PeerState]:
        """The peers last-round placement weighs: every peer running an attempt of ours (its
        slot may free soon; at most `max_concurrency` of them) and the best few with a slot free
        now (from the heap). Not every peer: that would cost each completion O(peers)."""
        candidates = {peer_id: self._peers[peer_id] for peer_id in self._busy}
        ready = self._ready
        taken: list[tuple[tuple[float, float, int], str]] = []
        while ready and len(taken) < TAIL_FREE_CANDIDATES:
            rank, peer_id = heapq.heappop(ready)
            peer = self._peers[peer_id]
            if peer.unusable is not None or peer.busy_until_refresh or peer.peer_id in candidates:
                if peer.peer_id in candidates and peer.unusable is None:
                    taken.append((rank, peer_id))
                continue
            if now < peer.available_at:
                heapq.heappush(self._resting, (peer.available_at, peer.order, peer_id))
                continue
            if peer.free_slots(now) <= 0:
                continue
            taken.append((rank, peer_id))
            candidates[peer_id] = peer
        for entry in taken:
            heapq.heappush(ready, entry)
        return [peer for peer in candidates.values() if peer.unusable is None]

    def _assign(self, job: Job, peer: PeerState, now: float) -> Assignment:
        attempt_id = next(self._attempt_ids)
        peer.running[attempt_id] = now
        self._busy.add(peer.peer_id)
        peer.high_water = max(peer.high_water, peer.ours)
        job.attempts += 1
        job.tried.add(peer.peer_id)
        job.last_peer = peer.peer_id
        if job.first_dispatch is None:
            job.first_dispatch = now
        self._in_flight += 1
        if peer.free_slots(now) > 0:
            self._offer(peer)
        return Assignment(attempt_id, job, peer.peer_id, now, self.first_byte_timeout(peer.peer_id))

    def wait_seconds(self, now: float) -> float | None:
        """How long the driver may wait for an attempt to end before planning again (None: until
        one ends)."""
        if self._settled:
            return 0.0
        if self._stopped:
            return None if self._in_flight else 0.0
        has_work = bool(self._waiting or self._retrying) or not self._feed_done
        if has_work and self._batch_failure() is not None:
            return 0.0
        deadlines: list[float] = []
        if has_work:
            self._wake_rested(now)
            if self._resting:
                deadlines.append(self._resting[0][0])
            if self._in_tail():
                fastest = self._fastest_mean
                tick = fastest / 4 if fastest else MAX_TAIL_TICK_SECONDS
                deadlines.append(now + min(MAX_TAIL_TICK_SECONDS, max(MIN_TAIL_TICK_SECONDS, tick)))
        interval = self._refresh_interval()
        if interval is not None and has_work and not self._refreshing:
            deadlines.append(self._last_refresh + interval)
        if not deadlines:
            if has_work and not self._in_flight:
                return IDLE_POLL_SECONDS
            return None
        return max(0.0, min(deadlines) - now)

    # --- outcomes ---------------------------------------------------------------------------

    def complete(
        self, assignment: Assignment, outcome: TaskResult | BaseException, now: float
    ) -> Settled | None:
        """Report how an attempt ended; the prompt's result when it is settled, else None (it
        waits for another attempt)."""
        peer = self._peers[assignment.peer_id]
        peer.running.pop(assignment.attempt_id, None)
        if not peer.running:
            self._busy.discard(peer.peer_id)
        self._in_flight -= 1
        tail = assignment.attempt_id in self._tail_attempts
        self._tail_attempts.discard(assignment.attempt_id)
        if peer.unusable is None:
            self._offer(peer)
        if isinstance(outcome, TaskResult):
            seconds = now - assignment.started
            peer.succeeded(seconds)
            if self._slowest is None or seconds > self._slowest:
                self._slowest = seconds
            mean = peer.mean_seconds
            if mean is not None and (self._fastest_mean is None or mean < self._fastest_mean):
                self._fastest_mean = mean
            self._record(assignment, now, "success", "success", tail)
            return self._succeeded(assignment.job, outcome, now)
        error = _as_sdk_error(outcome)
        verdict = verdict_of(outcome)
        self._record(assignment, now, error.code or type(error).__name__, verdict.value, tail)
        job = assignment.job
        if verdict is Verdict.FATAL:
            self.abort(error)
            return self._failed(job, error, now)
        if verdict is Verdict.FINAL:
            return self._failed(job, error, now)
        if verdict is Verdict.PEER_UNUSABLE:
            self._make_unusable(peer, error)
        elif verdict is Verdict.REFUSED:
            peer.failed(now, None)
            if peer.telemetry_known:
                if not peer.busy_until_refresh:
                    peer.busy_until_refresh = True
                    self._blocked += 1
            else:
                # No telemetry to wait for: it holds no more than what we still run there.
                peer.max_tasks = max(1, min(peer.max_tasks, peer.ours))
                peer.available_at = max(peer.available_at, now + REFRESH_AFTER_REFUSAL_SECONDS)
            self._refresh_soon = True
            job.refusals += 1
            if job.refusals > self._refusal_limit:
                return self._failed(job, error, now)
        else:
            peer.failed(now, now - assignment.started, drop=_is_drop(outcome))
            job.failures += 1
            if job.failures > self._max_retries:
                return self._failed(job, error, now)
        if self._stopped:
            return None  # in flight when the batch stopped: it stays unanswered
        self._retrying.append(job)
        return None

    def _record(
        self, assignment: Assignment, now: float, outcome: str, verdict: str, tail: bool
    ) -> None:
        if self._trace is not None:
            self._trace(
                AttemptRecord(
                    assignment.attempt_id,
                    assignment.job.index,
                    assignment.peer_id,
                    assignment.started,
                    now,
                    outcome,
                    verdict,
                    tail,
                )
            )

    def _elapsed(self, job: Job, now: float) -> float:
        return now - job.first_dispatch if job.first_dispatch is not None else 0.0

    def _succeeded(self, job: Job, outcome: TaskResult, now: float) -> Settled:
        result = ScatterResult(
            prompt=job.prompt,
            status="success",
            text=outcome.text,
            worker_id=outcome.worker_id,
            artifacts=list(outcome.artifacts),
            attempts=job.attempts,
            duration_seconds=self._elapsed(job, now),
            task_id=outcome.task_id,
        )
        return Settled(job.index, job.prompt, result)

    def _failed(self, job: Job, error: AgentFMError, now: float) -> Settled:
        result = failed_result(
            job.prompt,
            error,
            attempts=job.attempts,
            worker_id=job.last_peer,
            duration_seconds=self._elapsed(job, now),
        )
        return Settled(job.index, job.prompt, result)
