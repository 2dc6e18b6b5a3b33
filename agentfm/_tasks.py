"""`client.tasks`: dispatch prompts to a worker by peer id, streamed, awaited, or fire-and-forget.

The request checks, the sentinel decoding and the judgement of how a stream ended are shared;
`Tasks` and `AsyncTasks` only send and wait.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator
from typing import TYPE_CHECKING

import httpx
from agentfm_gateway.api.about import get_about
from agentfm_gateway.api.tasks import execute_task, execute_task_async
from agentfm_gateway.models import AsyncExecuteRequest, ExecuteRequest

from agentfm._base import MAX_REQUEST_BYTES, check_request_body
from agentfm._bounds import CallBounds, checked_deadline
from agentfm._errors import task_stream_error
from agentfm._identifiers import is_task_id, new_task_id
from agentfm._options import TASK_STREAM_READ_TIMEOUT
from agentfm._task_output import (
    RUN_MAX_TEXT_BYTES,
    TaskOutputDecoder,
    checked_max_text_bytes,
    output_too_large_error,
)
from agentfm._trust import TrustRequirement, gateway_refusal_reason, refusal_error, refusal_reason
from agentfm.exceptions import (
    ArtifactError,
    GatewayConnectionError,
    GatewayTimeoutError,
    InvalidRequestError,
    TaskExecutionError,
)
from agentfm.models import About, AsyncTaskAck, PeerID, ScatterResult, TaskChunk, TaskResult

if TYPE_CHECKING:
    from pathlib import Path

    from agentfm._client import AgentFMClient, AsyncAgentFMClient
    from agentfm._scatter import CheckpointPath, PickCallback, ProgressCallback
    from agentfm.artifacts import ArtifactManager

__all__ = ["AsyncTasks", "Tasks", "checked_artifact_timeout"]

# docs/reference/gateway-protocol.md §5.4: a worker that refuses a task before running it says so in
# one line.
_REFUSAL = re.compile(r"^❌ ERROR: (Worker is |Version mismatch)")


def _checked_prompt(prompt: str) -> str:
    if not isinstance(prompt, str) or prompt == "":
        raise InvalidRequestError("prompt must be a non-empty string", code="prompt_required")
    return prompt


@functools.lru_cache(maxsize=4096)
def _decoded_peer_id(worker_id: str) -> str:
    # A batch sends thousands of tasks to the same few peers: decode each id once (a bad id
    # raises, and exceptions are not cached). Results also share one string per peer.
    return str(PeerID(worker_id))


def checked_peer_id(worker_id: str) -> str:
    """`worker_id` as a checked peer id string (`InvalidPeerIdError` when it is not one)."""
    # A non-string (unhashable, say) goes straight to PeerID, which raises the typed error.
    return _decoded_peer_id(worker_id) if isinstance(worker_id, str) else str(PeerID(worker_id))


# JSON escapes an ASCII character to at most 6 bytes (\u001f); the other fields and the
# punctuation of an /api/execute body stay far below this allowance.
_BODY_ALLOWANCE = 1024


def _surely_fits(worker_id: str, prompt: str, task_id: str | None) -> bool:
    """True when the encoded body is certainly below the gateway's 1 MiB, without encoding it
    (the exact check encodes the whole body once more, which every task of a batch paid)."""
    return (
        prompt.isascii()
        and 6 * len(prompt) + len(worker_id) + len(task_id or "") + _BODY_ALLOWANCE
        <= MAX_REQUEST_BYTES
    )


def execute_request(worker_id: str, prompt: str, task_id: str | None) -> ExecuteRequest:
    """The body of `/api/execute`, checked the way the gateway would check it."""
    peer = checked_peer_id(worker_id)
    _checked_prompt(prompt)
    if task_id is not None and not is_task_id(task_id):
        raise InvalidRequestError(
            f"task_id {task_id!r} must be 1-128 of [A-Za-z0-9_.-], starting alphanumeric",
            code="invalid_task_id",
        )
    request = ExecuteRequest(worker_id=peer, prompt=prompt)
    if task_id is not None:
        request.task_id = task_id
    if not _surely_fits(peer, prompt, task_id):
        check_request_body(request.to_dict())
    return request


def first_byte_timeout_error(worker_id: str, seconds: float) -> GatewayTimeoutError:
    """A task that sent no byte within scatter's first-byte bound (the attempt is abandoned)."""
    return GatewayTimeoutError(
        f"worker {worker_id} sent nothing within {seconds:.1f} s (several times its usual task "
        "time); the attempt was abandoned and its connection closed",
        code="first_byte_timeout",
    )


def restore_stream_read_timeout(response: httpx.Response) -> None:
    """After the first byte, wait for the rest of a task stream as long as `run` always does.

    The first-byte bound is the read timeout of the request until its answer starts; httpx hands
    the same timeout mapping to the connection, which looks up the read limit again when the
    body is read, so changing it here applies to the rest of the stream.
    """
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = TASK_STREAM_READ_TIMEOUT


def decoded_body(
    parts: list[bytes], keep_text_bytes: int, *, ended: bool = True
) -> TaskOutputDecoder:
    """The decoder after the body so far: `run` wants no chunks, so it is fed once (at the end,
    or when the body grew past the text cap)."""
    decoder = TaskOutputDecoder(keep_text_bytes=keep_text_bytes)
    decoder.feed(b"".join(parts))
    if ended:
        decoder.finish()
    return decoder


# Bytes past the text cap a body may hold before the cap is checked (the sentinel line).
_SENTINEL_ALLOWANCE = 64


def partial_text(parts: list[bytes]) -> str:
    """What arrived of a stream that broke (bytes that might still begin a sentinel excluded)."""
    decoder = TaskOutputDecoder()
    decoder.feed(b"".join(parts))
    return decoder.text


def async_request(worker_id: str, prompt: str, webhook_url: str | None) -> AsyncExecuteRequest:
    """The body of `/api/execute/async`. The gateway accepts any `webhook_url` and silently
    drops a bad one at delivery time, so a malformed one is refused here instead."""
    peer = PeerID(worker_id)
    _checked_prompt(prompt)
    request = AsyncExecuteRequest(worker_id=str(peer), prompt=prompt)
    if webhook_url is not None:
        try:
            url = httpx.URL(webhook_url) if isinstance(webhook_url, str) else None
        except (httpx.InvalidURL, ValueError):  # unparsable, e.g. "http://[::1"
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise InvalidRequestError(
                f"webhook_url must be an absolute http(s) URL, not {webhook_url!r}",
                code="invalid_webhook_url",
            )
        request.webhook_url = webhook_url
    check_request_body(request.to_dict())
    return request


def incomplete_stream_error(decoder: TaskOutputDecoder, worker_id: str) -> TaskExecutionError:
    """The error for a 200 answer that ended without a completion sentinel
    (docs/reference/gateway-protocol.md §5.4)."""
    text = decoder.text
    if _REFUSAL.match(text):
        return TaskExecutionError(
            f"worker {worker_id} refused the task: {text.strip()}",
            code="worker_refused",
            status=200,
            partial_text=text,
        )
    return TaskExecutionError(
        f"the task stream from worker {worker_id} ended without a completion sentinel "
        f"after {decoder.received_text_bytes} bytes of text: the worker crashed or the "
        "connection to it was lost. (A test double of the gateway must end the body with the "
        "sentinel: agentfm.testing.task_body(text) builds one.)",
        code="stream_incomplete",
        status=200,
        partial_text=text,
    )


def checked_artifact_timeout(artifact_timeout: float) -> float:
    """`artifact_timeout`, checked before the task is dispatched."""
    if type(artifact_timeout) is float and artifact_timeout >= 0:
        return artifact_timeout  # the common case, without importing agentfm.artifacts
    from agentfm.artifacts import checked_timeout

    return checked_timeout(artifact_timeout)


def result_from(
    decoder: TaskOutputDecoder, request: ExecuteRequest, started: float, artifacts: list[Path]
) -> TaskResult:
    return TaskResult(
        text=decoder.text,
        artifacts=artifacts,
        worker_id=request.worker_id,
        duration_seconds=time.monotonic() - started,
        task_id=str(request.task_id),
    )


class Tasks:
    """`client.tasks` of `AgentFMClient`.

    Trust at dispatch: `run`, `stream` and `submit_async` take `min_honesty=` (refuse a worker
    whose honesty score is below it) and `skip_equivocators=True`. With either, the worker's
    profile is fetched first (one GET; plus `/v1/about` once per client, for the gateway's
    `reputation_floor`) and a refused worker raises `DispatchRefusedError` (code
    `dispatch_refused_locally`) before anything is sent: for the caller's demands and for the
    gateway's own gate (equivocators, honesty below its floor;
    docs/reference/gateway-protocol.md §7) alike.

    Batches: `scatter(prompts, peer_ids=...)`, `scatter_by_model(prompts, model=...)` and
    `scatter_iter(...)` (results as they finish) run many prompts across many peers, never more
    at once on a worker than it has free slots, retrying failures on other peers, optionally
    resumable from a `checkpoint=` file (agentfm/_scatter.py).
    """

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client
        self._reputation_floor: float | None = None

    def stream(
        self,
        *,
        worker_id: str,
        prompt: str,
        task_id: str | None = None,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        deadline: float | None = None,
    ) -> Iterator[TaskChunk]:
        """Run a task and yield its output as it arrives.

        Chunks are `kind="text"` (the agent's stdout/stderr) or `kind="marker"` (a protocol
        sentinel line, `text` empty and `marker` its name, e.g. `FILES_INCOMING`). Text after a
        sentinel is delivered too. The request is sent when iteration starts; leaving the loop
        early closes the connection. A stream that ends without the worker's completion sentinel
        raises `WorkerStreamError` (with `partial_text`) after the text that did arrive.

        Bounds: the gateway ends any answer after 12 minutes
        (docs/reference/gateway-protocol.md §2), and a stream silent for 12.5 minutes is dropped.
        `deadline=` (seconds, from when iteration starts) ends the task's stream sooner: past it,
        `TaskStreamTimeoutError` (a `GatewayTimeoutError` and a `WorkerStreamError`; code
        `deadline_exceeded`, with `partial_text`). The decoded output is handed on in pieces of at
        most 64 KiB. Memory: the stream holds only the chunk at hand, whatever the output's
        length; errors' `partial_text` keeps the first 64 KiB of the text (the chunks carried
        all of it).
        """
        request = execute_request(worker_id, prompt, task_id)
        trust = TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators)
        return self._chunks(request, TaskOutputDecoder(), trust, checked_deadline(deadline))

    def _enforce_trust(self, worker_id: str, trust: TrustRequirement) -> None:
        if not trust.demands_anything:
            return
        worker = self._client.workers.get(worker_id)
        if self._reputation_floor is None:
            about = self._client._call(get_about.sync_detailed, About)
            self._reputation_floor = float(about.reputation_floor)
        reason = refusal_reason(worker, trust) or gateway_refusal_reason(
            worker, self._reputation_floor
        )
        if reason is not None:
            raise refusal_error(worker, reason)

    def _chunks(
        self,
        request: ExecuteRequest,
        decoder: TaskOutputDecoder,
        trust: TrustRequirement,
        deadline: float | None = None,
    ) -> Generator[TaskChunk, None, None]:
        # The trust check runs when iteration starts, like the request itself.
        self._enforce_trust(request.worker_id, trust)
        try:
            with self._client._stream(
                execute_task.sync_stream,
                TASK_STREAM_READ_TIMEOUT,
                bounds=CallBounds.within(deadline, max_answer_bytes=None),
                body=request,
            ) as response:
                for data in response.iter_bytes():
                    yield from decoder.feed(data)
        except GatewayConnectionError as error:
            raise task_stream_error(error, decoder.text) from None
        yield from decoder.finish()
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)

    def run(
        self,
        *,
        worker_id: str,
        prompt: str,
        artifact_timeout: float = 120.0,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        deadline: float | None = None,
        max_text_bytes: int = RUN_MAX_TEXT_BYTES,
    ) -> TaskResult:
        """Run a task to completion; return its text, and artifacts when the worker wrote files.

        Files are harvested only when the client has `artifacts_dir` (else `artifacts == []`, as
        in 0.3.0) and awaited only when the worker announced them; they are extracted into a
        folder of the task's own (see `agentfm.artifacts`). `ArtifactTimeoutError` (with
        `.text`) when the announced zip does not appear within `artifact_timeout` seconds.
        `deadline=` (seconds) bounds the task's stream as in `stream`; the artifact wait is
        `artifact_timeout`.

        Memory: the text is held whole, so it is capped at `max_text_bytes` of UTF-8 (default
        16 MiB, the most the gateway returns for one non-streamed OpenAI-route answer). A task
        that writes more raises `WorkerStreamError` (code `output_too_large`) as soon as it does,
        closing the connection, with the first `max_text_bytes` in `partial_text`; read such
        output with `stream()`, which holds only the chunk at hand.
        """
        trust = TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators)
        return self._run(
            worker_id,
            prompt,
            artifact_timeout,
            trust,
            checked_deadline(deadline),
            max_text_bytes=checked_max_text_bytes(max_text_bytes),
        )

    def _run(
        self,
        worker_id: str,
        prompt: str,
        artifact_timeout: float,
        trust: TrustRequirement,
        deadline: float | None = None,
        first_byte_timeout: float | None = None,
        *,
        max_text_bytes: int = RUN_MAX_TEXT_BYTES,
    ) -> TaskResult:
        """`run`, without chunk objects (the body is decoded once, at its end); with
        `first_byte_timeout` (scatter's attempts), a task whose answer has not started by then
        fails with code `first_byte_timeout`, its connection closed."""
        started = time.monotonic()
        task_id = new_task_id()
        request = execute_request(worker_id, prompt, task_id)
        artifact_timeout = checked_artifact_timeout(artifact_timeout)
        self._enforce_trust(request.worker_id, trust)
        parts: list[bytes] = []
        received = 0
        answered = False
        try:
            with self._client._stream(
                execute_task.sync_stream,
                first_byte_timeout or TASK_STREAM_READ_TIMEOUT,
                bounds=CallBounds.within(deadline, max_answer_bytes=None),
                body=request,
            ) as response:
                answered = True
                if first_byte_timeout is not None:
                    restore_stream_read_timeout(response)
                for data in response.iter_bytes():
                    parts.append(data)
                    received += len(data)
                    if received > max_text_bytes + _SENTINEL_ALLOWANCE:
                        so_far = decoded_body(parts, max_text_bytes, ended=False)
                        if so_far.text_overflowed:
                            raise output_too_large_error(so_far, request.worker_id)
        except GatewayTimeoutError as error:
            if first_byte_timeout is not None and not answered:
                raise first_byte_timeout_error(request.worker_id, first_byte_timeout) from None
            raise task_stream_error(error, partial_text(parts)) from None
        except GatewayConnectionError as error:
            raise task_stream_error(error, partial_text(parts)) from None
        decoder = decoded_body(parts, max_text_bytes)
        if decoder.text_overflowed:
            raise output_too_large_error(decoder, request.worker_id)
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)
        paths = self._collect_artifacts(self._client.artifacts, decoder, task_id, artifact_timeout)
        return result_from(decoder, request, started, paths)

    def _collect_artifacts(
        self,
        artifacts: ArtifactManager | None,
        decoder: TaskOutputDecoder,
        task_id: str,
        timeout: float,
    ) -> list[Path]:
        # docs/reference/gateway-protocol.md §5.4/§6: only FILES_INCOMING announces a zip; a
        # file-less task never waits. Without artifacts_dir the gateway's folder is unknown: nothing
        # is harvested (0.3.0).
        if artifacts is None or not decoder.files_incoming:
            return []
        try:
            return artifacts.collect_for_task(task_id, timeout)
        except ArtifactError as error:
            # The task completed; only its files failed. Its answer must not be lost with them.
            error.text, error.task_id = decoder.text, task_id
            raise

    def submit_async(
        self,
        *,
        worker_id: str,
        prompt: str,
        webhook_url: str | None = None,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
    ) -> AsyncTaskAck:
        """Queue a task without waiting; the gateway POSTs `webhook_url` when it completes.

        The gateway sends no notification when a task fails, and keeps no status to poll.
        """
        request = async_request(worker_id, prompt, webhook_url)
        self._enforce_trust(
            request.worker_id,
            TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators),
        )
        return self._client._call(execute_task_async.sync_detailed, AsyncTaskAck, body=request)

    def scatter(
        self,
        prompts: Iterable[str],
        *,
        peer_ids: Iterable[str],
        max_concurrency: int = 8,
        max_retries: int = 2,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        checkpoint: CheckpointPath = None,
        progress: ProgressCallback | None = None,
        artifact_timeout: float = 120.0,
        task_deadline: float | None = None,
    ) -> list[ScatterResult]:
        """Run every prompt on these peers; one `ScatterResult` per prompt, in submission order.

        A failed prompt is `ScatterResult(status="failed", error=...)`, never an exception; see
        `scatter_iter` for the scheduling, retries, trust options, `checkpoint` and `progress`.
        """
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            peer_ids=peer_ids,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return _scatter.collect(_scatter.iterate(self, spec))

    def scatter_by_model(
        self,
        prompts: Iterable[str],
        *,
        model: str,
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
    ) -> list[ScatterResult]:
        """Run every prompt on the online workers serving `model`; results in submission order.

        `pick(workers)` chooses among the matching workers (e.g. lowest GPU usage); without it,
        the least loaded come first. `max_workers` caps how many are used. `WorkerNotFoundError`
        when no worker is left to run on (none serves `model`, or the trust options or `pick`
        refused them all). See `scatter_iter`.
        """
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            model=model,
            max_workers=max_workers,
            pick=pick,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return _scatter.collect(_scatter.iterate(self, spec))

    def scatter_iter(
        self,
        prompts: Iterable[str],
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
    ) -> Generator[tuple[int, ScatterResult], None, None]:
        """Run a batch; yield `(index, ScatterResult)` as each prompt finishes (any order).

        Peers: `peer_ids=` (explicit) or `model=` (discovered, with `max_workers`/`pick`).
        `prompts` may be any iterable, e.g. a generator reading a file: it is read only a little
        ahead of dispatch, and memory is bounded by `max_concurrency`, not by the batch size.

        Scheduling: at most `max_concurrency` tasks in flight, and never more on a worker than its
        free slots (`max_tasks - current_tasks` from `/api/workers`, plus what this batch runs
        there); least-loaded peers first. With `peer_ids=` the listing is advice: when it cannot
        be fetched, or does not list a peer, that peer is still dispatched to and its capacity
        is learnt from its refusals (an empty `peer_ids` raises `InvalidArgumentError`, a
        `ValueError`). A failure is retried on a different peer when one
        exists, at most `max_retries` times; a worker that refused for capacity never ran the
        task, so moving on does not spend a retry. Not retried: a bad request (final for the
        prompt) and a trust refusal or unknown worker (the peer is dropped from the batch). A
        peer that keeps failing is rested. `min_honesty`/`skip_equivocators` drop peers before
        anything is sent; with no peer left every prompt fails at once (`error_code`
        `no_usable_peer`).

        `checkpoint="results.jsonl"`: each result is appended (flushed, fsynced) before it is
        yielded; the same call with the same file skips the prompts already answered (they are
        yielded from the file) and dispatches the rest, including those that failed. A file
        written for other prompts, or in use by another run, raises `InvalidRequestError`.
        `progress(done, failed, total)` is called after each prompt (`total`: None without
        `len(prompts)`). `artifact_timeout` is `run`'s: how long a task that announced files
        waits for its zip before the prompt fails with the answer kept (`ArtifactTimeoutError`).
        `task_deadline` (seconds; default none) is `run`'s `deadline=` for each attempt: a task
        still streaming then fails (`deadline_exceeded`) and is retried like any failure, so a
        prompt takes at most `(max_retries + 1) * task_deadline` seconds of dispatch.

        Arguments are checked at once; the batch starts when iteration does. Leaving the loop
        early dispatches nothing more and waits for the tasks in flight.
        """
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            peer_ids=peer_ids,
            model=model,
            max_workers=max_workers,
            pick=pick,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return _scatter.iterate(self, spec)


class AsyncTasks:
    """`client.tasks` of `AsyncAgentFMClient` (trust at dispatch as in `Tasks`)."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client
        self._reputation_floor: float | None = None

    def stream(
        self,
        *,
        worker_id: str,
        prompt: str,
        task_id: str | None = None,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        deadline: float | None = None,
    ) -> AsyncIterator[TaskChunk]:
        """Run a task and yield its output as it arrives (see `Tasks.stream`).

        Iterate with `async for`; wrap in `contextlib.aclosing` to release the connection at once
        when leaving early.
        """
        request = execute_request(worker_id, prompt, task_id)
        trust = TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators)
        return self._chunks(request, TaskOutputDecoder(), trust, checked_deadline(deadline))

    async def _enforce_trust(self, worker_id: str, trust: TrustRequirement) -> None:
        if not trust.demands_anything:
            return
        worker = await self._client.workers.get(worker_id)
        if self._reputation_floor is None:
            about = await self._client._call(get_about.asyncio_detailed, About)
            self._reputation_floor = float(about.reputation_floor)
        reason = refusal_reason(worker, trust) or gateway_refusal_reason(
            worker, self._reputation_floor
        )
        if reason is not None:
            raise refusal_error(worker, reason)

    async def _chunks(
        self,
        request: ExecuteRequest,
        decoder: TaskOutputDecoder,
        trust: TrustRequirement,
        deadline: float | None = None,
    ) -> AsyncGenerator[TaskChunk, None]:
        # The trust check runs when iteration starts, like the request itself.
        await self._enforce_trust(request.worker_id, trust)
        try:
            async with self._client._stream(
                execute_task.asyncio_stream,
                TASK_STREAM_READ_TIMEOUT,
                bounds=CallBounds.within(deadline, max_answer_bytes=None),
                body=request,
            ) as response:
                async for data in response.aiter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
        except GatewayConnectionError as error:
            raise task_stream_error(error, decoder.text) from None
        for chunk in decoder.finish():
            yield chunk
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)

    async def run(
        self,
        *,
        worker_id: str,
        prompt: str,
        artifact_timeout: float = 120.0,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        deadline: float | None = None,
        max_text_bytes: int = RUN_MAX_TEXT_BYTES,
    ) -> TaskResult:
        """Run a task to completion (see `Tasks.run`, also for the `max_text_bytes` cap)."""
        trust = TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators)
        return await self._run(
            worker_id,
            prompt,
            artifact_timeout,
            trust,
            checked_deadline(deadline),
            max_text_bytes=checked_max_text_bytes(max_text_bytes),
        )

    async def _run(
        self,
        worker_id: str,
        prompt: str,
        artifact_timeout: float,
        trust: TrustRequirement,
        deadline: float | None = None,
        first_byte_timeout: float | None = None,
        *,
        max_text_bytes: int = RUN_MAX_TEXT_BYTES,
    ) -> TaskResult:
        """`run` (see `Tasks._run` for `first_byte_timeout`)."""
        started = time.monotonic()
        task_id = new_task_id()
        request = execute_request(worker_id, prompt, task_id)
        artifact_timeout = checked_artifact_timeout(artifact_timeout)
        await self._enforce_trust(request.worker_id, trust)
        parts: list[bytes] = []
        received = 0
        answered = False
        try:
            async with self._client._stream(
                execute_task.asyncio_stream,
                first_byte_timeout or TASK_STREAM_READ_TIMEOUT,
                bounds=CallBounds.within(deadline, max_answer_bytes=None),
                body=request,
            ) as response:
                answered = True
                if first_byte_timeout is not None:
                    restore_stream_read_timeout(response)
                async for data in response.aiter_bytes():
                    parts.append(data)
                    received += len(data)
                    if received > max_text_bytes + _SENTINEL_ALLOWANCE:
                        so_far = decoded_body(parts, max_text_bytes, ended=False)
                        if so_far.text_overflowed:
                            raise output_too_large_error(so_far, request.worker_id)
        except GatewayTimeoutError as error:
            if first_byte_timeout is not None and not answered:
                raise first_byte_timeout_error(request.worker_id, first_byte_timeout) from None
            raise task_stream_error(error, partial_text(parts)) from None
        except GatewayConnectionError as error:
            raise task_stream_error(error, partial_text(parts)) from None
        decoder = decoded_body(parts, max_text_bytes)
        if decoder.text_overflowed:
            raise output_too_large_error(decoder, request.worker_id)
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)
        artifacts = self._client.artifacts
        paths = await self._collect_artifacts(artifacts, decoder, task_id, artifact_timeout)
        return result_from(decoder, request, started, paths)

    async def _collect_artifacts(
        self,
        artifacts: ArtifactManager | None,
        decoder: TaskOutputDecoder,
        task_id: str,
        timeout: float,
    ) -> list[Path]:
        # docs/reference/gateway-protocol.md §5.4/§6: only FILES_INCOMING announces a zip; a
        # file-less task never waits. Without artifacts_dir the gateway's folder is unknown: nothing
        # is harvested (0.3.0).
        if artifacts is None or not decoder.files_incoming:
            return []
        try:
            return await artifacts.acollect_for_task(task_id, timeout)
        except ArtifactError as error:
            # The task completed; only its files failed. Its answer must not be lost with them.
            error.text, error.task_id = decoder.text, task_id
            raise

    async def submit_async(
        self,
        *,
        worker_id: str,
        prompt: str,
        webhook_url: str | None = None,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
    ) -> AsyncTaskAck:
        """Queue a task without waiting (see `Tasks.submit_async`)."""
        request = async_request(worker_id, prompt, webhook_url)
        await self._enforce_trust(
            request.worker_id,
            TrustRequirement(min_honesty=min_honesty, skip_equivocators=skip_equivocators),
        )
        return await self._client._call(
            execute_task_async.asyncio_detailed, AsyncTaskAck, body=request
        )

    async def scatter(
        self,
        prompts: Iterable[str],
        *,
        peer_ids: Iterable[str],
        max_concurrency: int = 8,
        max_retries: int = 2,
        min_honesty: float | None = None,
        skip_equivocators: bool = False,
        checkpoint: CheckpointPath = None,
        progress: ProgressCallback | None = None,
        artifact_timeout: float = 120.0,
        task_deadline: float | None = None,
    ) -> list[ScatterResult]:
        """Run every prompt on these peers; results in submission order (see `Tasks.scatter`)."""
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            peer_ids=peer_ids,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return await _scatter.collect_async(_scatter.aiterate(self, spec))

    async def scatter_by_model(
        self,
        prompts: Iterable[str],
        *,
        model: str,
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
    ) -> list[ScatterResult]:
        """Run every prompt on the workers serving `model` (see `Tasks.scatter_by_model`)."""
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            model=model,
            max_workers=max_workers,
            pick=pick,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return await _scatter.collect_async(_scatter.aiterate(self, spec))

    def scatter_iter(
        self,
        prompts: Iterable[str],
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
    ) -> AsyncGenerator[tuple[int, ScatterResult], None]:
        """Run a batch; yield `(index, ScatterResult)` as each prompt finishes (see
        `Tasks.scatter_iter`). Iterate with `async for`, inside `contextlib.aclosing(...)` when you
        may leave early: closing cancels the tasks in flight (they stay unanswered).
        """
        from agentfm import _scatter

        spec = _scatter.ScatterSpec.create(
            prompts,
            peer_ids=peer_ids,
            model=model,
            max_workers=max_workers,
            pick=pick,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            min_honesty=min_honesty,
            skip_equivocators=skip_equivocators,
            checkpoint=checkpoint,
            progress=progress,
            artifact_timeout=artifact_timeout,
            task_deadline=task_deadline,
        )
        return _scatter.aiterate(self, spec)
