"""`client.tasks`: dispatch prompts to a worker by peer id, streamed, awaited, or fire-and-forget.

The request checks, the sentinel decoding and the judgement of how a stream ended are shared;
`Tasks` and `AsyncTasks` only send and wait.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx
from agentfm_gateway.api.tasks import execute_task, execute_task_async
from agentfm_gateway.models import AsyncExecuteRequest, ExecuteRequest
from agentfm_gateway.models import AsyncTaskAck as GatewayAsyncTaskAck

from agentfm._options import TASK_STREAM_READ_TIMEOUT
from agentfm._task_output import TaskOutputDecoder
from agentfm.exceptions import GatewayConnectionError, InvalidRequestError, WorkerStreamError
from agentfm.models import AsyncTaskAck, PeerID, TaskChunk, TaskResult

if TYPE_CHECKING:
    from pathlib import Path

    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = ["AsyncTasks", "Tasks", "new_task_id"]

# Section 2.1: what the gateway accepts as a task id.
_TASK_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")
# Section 5.4: the gateway reads at most 1 MiB of request body and fails to parse the rest.
_MAX_REQUEST_BYTES = 1 << 20
# Section 5.4: a worker that refuses a task before running it says so in one line.
_REFUSAL = re.compile(r"^❌ ERROR: (Worker is |Version mismatch)")


def new_task_id() -> str:
    """A fresh task id in the gateway's own format (`task_` + 24 hex), minted client-side so
    the caller knows which `agentfm_artifacts/<task_id>.zip` belongs to the task."""
    return f"task_{secrets.token_hex(12)}"


def _checked_prompt(prompt: str) -> str:
    if not isinstance(prompt, str) or prompt == "":
        raise InvalidRequestError("prompt must be a non-empty string", code="prompt_required")
    return prompt


def _checked_size(body: dict[str, object]) -> None:
    if len(json.dumps(body).encode("utf-8")) > _MAX_REQUEST_BYTES:
        raise InvalidRequestError(
            "the prompt is too large: the gateway reads at most 1 MiB of request body",
            code="prompt_too_large",
        )


def execute_request(worker_id: str, prompt: str, task_id: str | None) -> ExecuteRequest:
    """The body of `/api/execute`, checked the way the gateway would check it."""
    peer = PeerID(worker_id)
    _checked_prompt(prompt)
    if task_id is not None and not _TASK_ID.match(task_id):
        raise InvalidRequestError(
            f"task_id {task_id!r} must be 1-128 of [A-Za-z0-9_.-], starting alphanumeric",
            code="invalid_task_id",
        )
    request = ExecuteRequest(worker_id=str(peer), prompt=prompt)
    if task_id is not None:
        request.task_id = task_id
    _checked_size(request.to_dict())
    return request


def async_request(worker_id: str, prompt: str, webhook_url: str | None) -> AsyncExecuteRequest:
    """The body of `/api/execute/async`. The gateway accepts any `webhook_url` and silently
    drops a bad one at delivery time, so a malformed one is refused here instead."""
    peer = PeerID(worker_id)
    _checked_prompt(prompt)
    request = AsyncExecuteRequest(worker_id=str(peer), prompt=prompt)
    if webhook_url is not None:
        url = httpx.URL(webhook_url) if isinstance(webhook_url, str) else None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise InvalidRequestError(
                f"webhook_url must be an absolute http(s) URL, not {webhook_url!r}",
                code="invalid_webhook_url",
            )
        request.webhook_url = webhook_url
    _checked_size(request.to_dict())
    return request


def incomplete_stream_error(decoder: TaskOutputDecoder, worker_id: str) -> WorkerStreamError:
    """The error for a 200 answer that ended without a completion sentinel (section 5.4)."""
    text = decoder.text
    if _REFUSAL.match(text):
        return WorkerStreamError(
            f"worker {worker_id} refused the task: {text.strip()}",
            code="worker_refused",
            status=200,
            partial_text=text,
        )
    return WorkerStreamError(
        f"the task stream from worker {worker_id} ended without a completion sentinel "
        f"after {len(text)} characters: the worker crashed or the connection to it was lost",
        code="stream_incomplete",
        status=200,
        partial_text=text,
    )


def ack_from_gateway(ack: GatewayAsyncTaskAck) -> AsyncTaskAck:
    return AsyncTaskAck(task_id=ack.task_id, status=ack.status, message=ack.message)


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
    """`client.tasks` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    def stream(
        self, *, worker_id: str, prompt: str, task_id: str | None = None
    ) -> Iterator[TaskChunk]:
        """Run a task and yield its output as it arrives.

        Chunks are `kind="text"` (the agent's stdout/stderr) or `kind="marker"` (a protocol
        sentinel, e.g. files incoming). The request is sent when iteration starts; leaving the loop
        early closes the connection. A stream that ends without the worker's completion sentinel
        raises `WorkerStreamError` (with `partial_text`) after the text that did arrive.
        """
        request = execute_request(worker_id, prompt, task_id)
        return self._chunks(request, TaskOutputDecoder())

    def _chunks(self, request: ExecuteRequest, decoder: TaskOutputDecoder) -> Iterator[TaskChunk]:
        try:
            with self._client._stream(
                execute_task.sync_stream, TASK_STREAM_READ_TIMEOUT, body=request
            ) as response:
                for data in response.iter_bytes():
                    yield from decoder.feed(data)
        except GatewayConnectionError as error:
            error.partial_text = decoder.text
            raise
        yield from decoder.finish()
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)

    def run(self, *, worker_id: str, prompt: str, artifact_timeout: float = 120.0) -> TaskResult:
        """Run a task to completion; return its text, and artifacts when the worker wrote files."""
        started = time.monotonic()
        request = execute_request(worker_id, prompt, new_task_id())
        decoder = TaskOutputDecoder()
        for _ in self._chunks(request, decoder):
            pass
        return result_from(decoder, request, started, [])

    def submit_async(
        self, *, worker_id: str, prompt: str, webhook_url: str | None = None
    ) -> AsyncTaskAck:
        """Queue a task without waiting; the gateway POSTs `webhook_url` when it completes.

        The gateway sends no notification when a task fails, and keeps no status to poll.
        """
        request = async_request(worker_id, prompt, webhook_url)
        ack = self._client._call(
            execute_task_async.sync_detailed, GatewayAsyncTaskAck, body=request
        )
        return ack_from_gateway(ack)


class AsyncTasks:
    """`client.tasks` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    def stream(
        self, *, worker_id: str, prompt: str, task_id: str | None = None
    ) -> AsyncIterator[TaskChunk]:
        """Run a task and yield its output as it arrives (see `Tasks.stream`).

        Iterate with `async for`; wrap in `contextlib.aclosing` to release the connection at once
        when leaving early.
        """
        request = execute_request(worker_id, prompt, task_id)
        return self._chunks(request, TaskOutputDecoder())

    async def _chunks(
        self, request: ExecuteRequest, decoder: TaskOutputDecoder
    ) -> AsyncIterator[TaskChunk]:
        try:
            async with self._client._stream(
                execute_task.asyncio_stream, TASK_STREAM_READ_TIMEOUT, body=request
            ) as response:
                async for data in response.aiter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
        except GatewayConnectionError as error:
            error.partial_text = decoder.text
            raise
        for chunk in decoder.finish():
            yield chunk
        if not decoder.completed:
            raise incomplete_stream_error(decoder, request.worker_id)

    async def run(
        self, *, worker_id: str, prompt: str, artifact_timeout: float = 120.0
    ) -> TaskResult:
        """Run a task to completion (see `Tasks.run`)."""
        started = time.monotonic()
        request = execute_request(worker_id, prompt, new_task_id())
        decoder = TaskOutputDecoder()
        async for _ in self._chunks(request, decoder):
            pass
        return result_from(decoder, request, started, [])

    async def submit_async(
        self, *, worker_id: str, prompt: str, webhook_url: str | None = None
    ) -> AsyncTaskAck:
        """Queue a task without waiting (see `Tasks.submit_async`)."""
        request = async_request(worker_id, prompt, webhook_url)
        ack = await self._client._call(
            execute_task_async.asyncio_detailed, GatewayAsyncTaskAck, body=request
        )
        return ack_from_gateway(ack)
