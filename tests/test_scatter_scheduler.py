"""The scatter scheduler's decisions, without I/O: capacity, placement, retries, failures."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from agentfm._scatter_scheduler import (
    BACKOFF_AFTER_FAILURES,
    Assignment,
    Job,
    Scheduler,
    Settled,
)
from agentfm._trust import TrustRequirement
from agentfm.exceptions import (
    AuthenticationError,
    DispatchRefusedError,
    InvalidRequestError,
    WorkerNotFoundError,
    WorkerStreamError,
    WorkerUnreachableError,
)
from agentfm.models import TaskResult, WorkerProfile


def profile(
    peer_id: str,
    *,
    max_tasks: int = 2,
    current_tasks: int = 0,
    status: str = "AVAILABLE",
    honesty: float = 0.0,
    equivocator: bool = False,
) -> WorkerProfile:
    return WorkerProfile(
        peer_id=peer_id,
        author="a",
        name=peer_id,
        status=status,
        hardware="m (CPU: 8 Cores)",
        description="",
        cpu_usage_pct=5.0,
        ram_free_gb=8.0,
        current_tasks=current_tasks,
        max_tasks=max_tasks,
        has_gpu=False,
        gpu_used_gb=0.0,
        gpu_total_gb=0.0,
        gpu_usage_pct=0.0,
        honesty_score=honesty,
        is_equivocator=equivocator,
        dispatch_allowed=not equivocator,
        online=True,
    )


def jobs(count: int | None = None, *, pulled: list[int] | None = None) -> Iterator[Job | Settled]:
    for index in itertools.count() if count is None else range(count):
        if pulled is not None:
            pulled.append(index)
        yield Job(index, f"prompt {index}")


def scheduler(
    profiles: list[WorkerProfile],
    feed: Iterator[Job | Settled],
    *,
    max_concurrency: int = 8,
    max_retries: int = 2,
    requirement: TrustRequirement | None = None,
) -> Scheduler:
    planner = Scheduler(
        feed,
        [p.peer_id for p in profiles],
        max_concurrency=max_concurrency,
        max_retries=max_retries,
        requirement=requirement,
    )
    planner.apply_telemetry(profiles, 0.0)
    return planner


def success(assignment: Assignment) -> TaskResult:
    return TaskResult(
        text=f"answer to {assignment.prompt}",
        artifacts=[],
        worker_id=assignment.peer_id,
        duration_seconds=0.1,
        task_id="task_0123456789abcdef01234567",
    )


def dropped(peer: str) -> WorkerStreamError:
    return WorkerStreamError(f"{peer} dropped", code="stream_incomplete", status=200)


def refused(peer: str) -> WorkerStreamError:
    return WorkerStreamError(f"{peer} is full", code="worker_refused", status=200)


def per_peer(assignments: list[Assignment]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for assignment in assignments:
        counts[assignment.peer_id] = counts.get(assignment.peer_id, 0) + 1
    return counts


def test_a_peer_never_gets_more_than_its_free_slots() -> None:
    # A runs one task for someone else: one free slot of two. B has three.
    planner = scheduler(
        [profile("A", max_tasks=2, current_tasks=1), profile("B", max_tasks=3)],
        jobs(100),
        max_concurrency=10,
    )
    planned = planner.plan(1.0)
    assert per_peer(planned) == {"A": 1, "B": 3}
    assert planner.plan(1.0) == []
    freed = next(a for a in planned if a.peer_id == "B")
    planner.complete(freed, success(freed), 1.5)
    assert per_peer(planner.plan(1.5)) == {"B": 1}


def test_our_own_tasks_in_the_telemetry_are_not_counted_twice() -> None:
    planner = scheduler([profile("A", max_tasks=4)], jobs(100))
    assert len(planner.plan(1.0)) == 4
    planner.begin_refresh()
    # The (live) telemetry counts our four tasks, plus one of another client's.
    planner.apply_telemetry([profile("A", max_tasks=4, current_tasks=5)], 2.0)
    assert planner.peer("A").others == 1
    assert planner.plan(2.0) == []


def test_the_least_loaded_peer_is_chosen_first() -> None:
    planner = scheduler(
        [profile("busy", max_tasks=4, current_tasks=3), profile("idle", max_tasks=4)],
        jobs(100),
        max_concurrency=1,
    )
    assert [a.peer_id for a in planner.plan(1.0)] == ["idle"]


def test_max_concurrency_bounds_the_attempts_in_flight() -> None:
    planner = scheduler(
        [profile("A", max_tasks=50), profile("B", max_tasks=50)], jobs(100), max_concurrency=3
    )
    assert len(planner.plan(1.0)) == 3
    assert planner.in_flight == 3


def test_prompts_are_pulled_a_bounded_look_ahead_before_dispatch() -> None:
    pulled: list[int] = []
    planner = scheduler([profile("A", max_tasks=4)], jobs(None, pulled=pulled), max_concurrency=4)
    now = 1.0
    for _ in range(50):
        for assignment in planner.plan(now):
            planner.complete(assignment, success(assignment), now)
        now += 0.1
    # An endless prompt source: only a window of it is ever held.
    assert 200 <= len(pulled) <= 200 + 64 + 4


def test_a_failure_is_retried_on_a_different_peer() -> None:
    planner = scheduler([profile("A", max_tasks=1), profile("B", max_tasks=1)], jobs(1))
    (first,) = planner.plan(1.0)
    assert planner.complete(first, dropped(first.peer_id), 1.1) is None
    (second,) = planner.plan(1.1)
    assert second.job.index == 0
    assert second.peer_id != first.peer_id
    settled = planner.complete(second, success(second), 1.2)
    assert settled is not None
    assert settled.result.status == "success"
    assert settled.result.attempts == 2
    assert settled.result.worker_id == second.peer_id


def test_retries_stop_after_max_retries() -> None:
    planner = scheduler([profile("A"), profile("B")], jobs(1), max_retries=2)
    now, settled = 1.0, None
    peers_tried = []
    while settled is None:
        (assignment,) = planner.plan(now)
        peers_tried.append(assignment.peer_id)
        error = WorkerUnreachableError("no route", code="worker_unreachable", status=500)
        settled = planner.complete(assignment, error, now)
        now += 1.0
    assert settled.result.status == "failed"
    assert settled.result.attempts == 3
    assert settled.result.error_code == "worker_unreachable"
    assert settled.result.error == "no route"
    # Never the same peer twice in a row while another exists.
    assert all(a != b for a, b in itertools.pairwise(peers_tried))
    assert planner.done


def test_a_bad_request_is_not_retried() -> None:
    planner = scheduler([profile("A"), profile("B")], jobs(1))
    (assignment,) = planner.plan(1.0)
    error = InvalidRequestError("prompt too large", code="prompt_too_large")
    settled = planner.complete(assignment, error, 1.1)
    assert settled is not None
    assert (settled.result.status, settled.result.attempts) == ("failed", 1)
    assert settled.result.error_code == "prompt_too_large"


def test_an_answer_over_the_text_cap_is_not_run_again_elsewhere() -> None:
    planner = scheduler([profile("A"), profile("B")], jobs(1))
    (assignment,) = planner.plan(1.0)
    error = WorkerStreamError("answer over max_text_bytes", code="output_too_large", status=200)
    settled = planner.complete(assignment, error, 1.1)
    assert settled is not None
    assert (settled.result.status, settled.result.attempts) == ("failed", 1)
    assert settled.result.error_code == "output_too_large"


def test_a_trust_refusal_drops_the_peer_without_spending_a_retry() -> None:
    planner = scheduler(
        [profile("A", max_tasks=1), profile("B", max_tasks=1)],
        jobs(3),
        max_retries=0,
        max_concurrency=1,
    )
    (first,) = planner.plan(1.0)
    error = DispatchRefusedError(
        "dispatch refused: peer_is_equivocator",
        code="dispatch_refused",
        status=403,
        reason="peer_is_equivocator",
    )
    assert planner.complete(first, error, 1.0) is None
    assert planner.peer(first.peer_id).unusable is error
    now, served = 1.0, []
    while not planner.done:
        for assignment in planner.plan(now):
            served.append(assignment.peer_id)
            planner.complete(assignment, success(assignment), now)
        planner.take_settled()
        now += 0.1
    assert first.peer_id not in served
    assert len(served) == 3


def test_no_usable_peer_left_fails_every_prompt_at_once() -> None:
    planner = scheduler([profile("A", max_tasks=1)], jobs(5))
    (first,) = planner.plan(1.0)
    gone = WorkerNotFoundError("Worker not found or offline", code="worker_not_found", status=404)
    assert planner.complete(first, gone, 1.0) is None
    assert planner.plan(1.0) == []
    settled = planner.take_settled()
    assert sorted(s.index for s in settled) == [0, 1, 2, 3, 4]
    assert {s.result.error_code for s in settled} == {"no_usable_peer"}
    assert "Worker not found" in (settled[0].result.error or "")
    assert [s.result.attempts for s in sorted(settled, key=lambda s: s.index)] == [1, 0, 0, 0, 0]
    assert planner.done


def test_a_capacity_refusal_moves_on_at_once_without_spending_a_retry() -> None:
    planner = scheduler(
        [profile("A", max_tasks=1), profile("B", max_tasks=1)],
        jobs(5),
        max_retries=0,
        max_concurrency=1,
    )
    (first,) = planner.plan(1.0)
    assert planner.complete(first, refused(first.peer_id), 1.0) is None
    (second,) = planner.plan(1.0)
    assert second.peer_id != first.peer_id
    assert second.job is first.job
    # The refusing peer is skipped until the telemetry is read again, which is now due.
    assert planner.peer(first.peer_id).free_slots(1.1) == 0
    assert planner.refresh_due(1.1)
    planner.begin_refresh()
    assert not planner.refresh_due(1.1)  # one fetch at a time
    planner.apply_telemetry([profile("A", max_tasks=1), profile("B", max_tasks=1)], 1.1)
    assert planner.peer(first.peer_id).free_slots(1.1) == 1
    settled = planner.complete(second, success(second), 1.1)
    assert settled is not None
    assert settled.result.status == "success"
    assert settled.result.attempts == 2


def _fail_on_a(planner: Scheduler, error: Exception, times: int, now: float) -> None:
    failures_on_a = 0
    while failures_on_a < times:
        (assignment,) = planner.plan(now)
        if assignment.peer_id == "A":
            planner.complete(assignment, error, now)
            failures_on_a += 1
        else:
            planner.complete(assignment, success(assignment), now)
        planner.take_settled()


def _two_peers() -> Scheduler:
    return scheduler(
        [profile("A", max_tasks=1), profile("B", max_tasks=1)],
        jobs(100),
        max_retries=100,
        max_concurrency=1,
    )


def test_a_peer_whose_connection_keeps_failing_is_rested() -> None:
    planner = _two_peers()
    now = 1.0
    unreachable = WorkerUnreachableError("A unreachable", code="worker_unreachable", status=502)
    _fail_on_a(planner, unreachable, BACKOFF_AFTER_FAILURES, now)
    resting = planner.peer("A")
    assert resting.available_at > now
    assert resting.free_slots(now) == 0
    assert all(a.peer_id == "B" for a in planner.plan(now))


def test_a_peer_that_drops_every_stream_is_rested_once_its_success_rate_is_low() -> None:
    planner = _two_peers()
    now = 1.0
    _fail_on_a(planner, dropped("A"), 3, now)
    assert planner.peer("A").available_at <= now  # three drops alone say little
    _fail_on_a(planner, dropped("A"), 2, now)
    assert planner.peer("A").available_at > now
    assert all(a.peer_id == "B" for a in planner.plan(now))


def test_three_drops_from_a_mostly_reliable_peer_do_not_rest_it() -> None:
    planner = _two_peers()
    now = 1.0
    # Seven successes out of ten, then three drops in a row: a 30%-dropping worker's bad luck.
    for round_ in range(10):
        (assignment,) = planner.plan(now)
        outcome = success(assignment) if round_ % 10 < 7 else dropped(assignment.peer_id)
        planner.complete(assignment, outcome, now)
        planner.take_settled()
    _fail_on_a(planner, dropped("A"), 3, now)
    assert planner.peer("A").available_at <= now
    assert planner.peer("A").free_slots(now) == 1


def test_an_authentication_failure_ends_the_whole_batch() -> None:
    planner = scheduler([profile("A", max_tasks=1)], jobs(4))
    (first,) = planner.plan(1.0)
    error = AuthenticationError("invalid API key", code="invalid_api_key", status=401)
    settled = planner.complete(first, error, 1.0)
    assert settled is not None
    assert settled.result.error_code == "invalid_api_key"
    assert planner.plan(1.0) == []
    rest = planner.take_settled()
    assert [s.result.error_code for s in rest] == ["invalid_api_key"] * 3
    assert all(s.result.attempts == 0 for s in rest)


def test_trust_options_drop_peers_before_any_dispatch() -> None:
    planner = scheduler(
        [profile("shady", honesty=-0.2), profile("liar", equivocator=True), profile("good")],
        jobs(10),
        requirement=TrustRequirement(min_honesty=0.0, skip_equivocators=True),
    )
    assert {a.peer_id for a in planner.plan(1.0)} == {"good"}
    assert planner.peer("shady").unusable is not None
    assert planner.peer("liar").unusable is not None


def test_a_peer_missing_from_the_telemetry_is_not_used() -> None:
    planner = scheduler([profile("A")], jobs(2))
    planner.begin_refresh()
    planner.apply_telemetry([], 1.0)
    assert planner.plan(1.0) == []
    assert {s.result.error_code for s in planner.take_settled()} == {"no_usable_peer"}


def test_the_tail_holds_a_prompt_back_from_a_slow_free_peer() -> None:
    planner = scheduler(
        [profile("fast", max_tasks=1), profile("slow", max_tasks=1)], jobs(3), max_concurrency=2
    )
    planner.peer("fast").succeeded(0.1)
    planner.peer("slow").succeeded(2.0)
    # All prompts are read: each waits for the peer where it would finish first. "fast" runs
    # all three by 0.3 s; "slow" would need 2 s for one.
    assert [a.peer_id for a in planner.plan(0.0)] == ["fast"]
    assert planner.plan(0.05) == []
    assert 0 < (planner.wait_seconds(0.05) or 0) <= 1.0


def test_a_retry_goes_to_another_peer_even_a_slower_one() -> None:
    planner = scheduler(
        [profile("fast", max_tasks=1), profile("slow", max_tasks=1)], jobs(2), max_concurrency=2
    )
    planner.peer("fast").succeeded(0.1)
    planner.peer("slow").succeeded(2.0)
    (first,) = planner.plan(0.0)
    assert (first.peer_id, first.job.index) == ("fast", 0)
    planner.complete(first, dropped("fast"), 0.1)
    placed = {a.job.index: a.peer_id for a in planner.plan(0.1)}
    assert placed == {0: "slow", 1: "fast"}


def test_stop_dispatches_nothing_more_and_drops_pending_retries() -> None:
    planner = scheduler([profile("A", max_tasks=2)], jobs(10))
    first, second = planner.plan(1.0)
    planner.stop()
    assert planner.plan(1.0) == []
    assert planner.complete(first, dropped("A"), 1.1) is None
    settled = planner.complete(second, success(second), 1.1)
    assert settled is not None
    assert settled.result.status == "success"
    assert planner.done


@pytest.mark.parametrize("limit", [0, 1])
def test_refusals_are_bounded_too(limit: int) -> None:
    planner = scheduler(
        [profile("A", max_tasks=1), profile("B", max_tasks=1)], jobs(1), max_retries=limit
    )
    now, settled, attempts = 0.0, None, 0
    while settled is None:
        planned = planner.plan(now)
        if not planned:
            # Both peers refused recently: the telemetry says they are free again.
            planner.begin_refresh()
            planner.apply_telemetry([profile("A", max_tasks=1), profile("B", max_tasks=1)], now)
            now += 60.0  # past any backoff
            continue
        (assignment,) = planned
        attempts += 1
        settled = planner.complete(assignment, refused(assignment.peer_id), now)
    assert settled.result.status == "failed"
    assert settled.result.error_code == "worker_refused"
    assert attempts == settled.result.attempts > limit + 1


def test_a_version_mismatch_drops_the_peer_for_the_batch() -> None:
    planner = scheduler(
        [profile("A", max_tasks=1), profile("B", max_tasks=1)],
        jobs(2),
        max_retries=0,
        max_concurrency=1,
    )
    (first,) = planner.plan(1.0)
    line = "❌ ERROR: Version mismatch! Worker is running v1.2.0.\n"
    error = WorkerStreamError(
        f"worker {first.peer_id} refused the task: {line.strip()}",
        code="worker_refused",
        status=200,
        partial_text=line,
    )
    assert planner.complete(first, error, 1.0) is None
    assert planner.peer(first.peer_id).unusable is error
    (second,) = planner.plan(1.0)
    assert second.peer_id != first.peer_id


def test_a_named_peer_is_used_without_telemetry_and_learns_its_capacity() -> None:
    planner = Scheduler(jobs(6), ["A"], max_concurrency=4, max_retries=2, explicit_peers=True)
    planner.refresh_failed(0.0)  # /api/workers could not be read
    first = planner.plan(0.0)
    assert len(first) == 4  # optimistic: up to max_concurrency
    accepted, *others = first
    for assignment in others:  # the worker holds one task: the others are refused
        assert planner.complete(assignment, refused("A"), 0.1) is None
    assert planner.peer("A").max_tasks == 1
    assert planner.plan(0.2) == []  # resting after the refusals
    planner.complete(accepted, success(accepted), 1.0)
    assert len(planner.plan(1.0)) == 1  # then one at a time


def test_a_named_peer_missing_from_the_telemetry_stays_usable() -> None:
    planner = Scheduler(jobs(2), ["A", "B"], max_concurrency=4, max_retries=2, explicit_peers=True)
    planner.apply_telemetry([profile("A", max_tasks=1)], 0.0)
    assert {a.peer_id for a in planner.plan(0.0)} == {"A", "B"}


def test_a_named_peer_refused_while_telemetry_fails_is_not_stuck() -> None:
    planner = Scheduler(jobs(3), ["A"], max_concurrency=2, max_retries=2, explicit_peers=True)
    planner.apply_telemetry([profile("A", max_tasks=2)], 0.0)
    running, refused_one = planner.plan(0.0)
    planner.complete(refused_one, refused("A"), 0.1)
    assert planner.peer("A").busy_until_refresh
    planner.begin_refresh()
    planner.refresh_failed(0.2)  # the telemetry does not come back
    assert not planner.peer("A").busy_until_refresh
    planner.complete(running, success(running), 1.0)
    assert len(planner.plan(1.0)) == 1


def test_the_last_round_prefers_a_reliable_slot_freeing_soon_over_an_unreliable_free_one() -> None:
    planner = scheduler(
        [profile("steady", max_tasks=1), profile("flaky", max_tasks=1)], jobs(2), max_concurrency=2
    )
    steady, flaky = planner.peer("steady"), planner.peer("flaky")
    steady.succeeded(0.1)
    for dropped_now in (False, False, True, False, False, True, False, False, True, False):
        if dropped_now:
            flaky.failed(0.0, 0.1, drop=True)
        else:
            flaky.succeeded(0.1)
    assert 0.6 < flaky.success_rate < 0.8  # a worker dropping about 30% of its streams
    assert flaky.available_at == 0.0  # and not resting: it still does most of its work
    (first,) = planner.plan(0.0)
    assert first.peer_id == "steady"
    # The last prompt at 0.03 s: "flaky" is free, "steady" frees at 0.1 s. On average "flaky"
    # would finish first (0.03 + 0.1 / 0.7 < 0.2 s), but nine times in ten it needs two
    # attempts (0.23 s): the reliable slot is the better bet for the batch's last answer.
    assert planner.plan(0.03) == []
    planner.complete(first, success(first), 0.1)
    assert [a.peer_id for a in planner.plan(0.1)] == ["steady"]


def test_every_ended_attempt_is_traced() -> None:
    from agentfm._scatter_scheduler import AttemptRecord

    records: list[AttemptRecord] = []
    planner = Scheduler(jobs(3), ["A", "B"], max_concurrency=2, max_retries=2, trace=records.append)
    planner.apply_telemetry([profile("A", max_tasks=1), profile("B", max_tasks=1)], 0.0)
    first, second = planner.plan(0.0)
    planner.complete(first, dropped(first.peer_id), 0.2)
    planner.complete(second, success(second), 0.3)
    assert [(r.index, r.peer_id, r.outcome, r.verdict) for r in records] == [
        (first.job.index, first.peer_id, "stream_incomplete", "retry"),
        (second.job.index, second.peer_id, "success", "success"),
    ]
    assert records[0].ended - records[0].started == pytest.approx(0.2)
