"""The OpenAI-compatible routes: `/v1/models`, `/v1/chat/completions`, `/v1/completions`.

docs/reference/gateway-protocol.md §5.9-§5.11: request validation and its envelope codes, prompt
flattening, the three-tier model matcher over trust-permitted online workers, line filtering of the
worker's stream (sentinel lines dropped, `\\n` after every kept line), and the exact JSON and SSE
shapes. These routes dispatch real simulated tasks, so capacity, artifacts and sidecars behave as on
`/api/execute`. 1.2.0's differences (docs/reference/gateway-versions.md §8 and §11) are asked of the
Boss's `generation`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from agentfm.testing._boss import (
    Boss,
    SimulatedWorker,
    TaskRun,
    Telemetry,
    WorkerStreamReset,
    WorkerUnreachable,
)
from agentfm.testing._godecode import (
    FieldKind,
    GoJSONError,
    decode_go_object,
    go_string,
    go_trim_space,
)
from agentfm.testing._gowire import go_json
from agentfm.testing._http import Reply, Request, StreamReply, envelope_reply, json_reply

__all__ = [
    "SentinelLineFilter",
    "flatten_messages",
    "handle_chat_completions",
    "handle_completions",
    "handle_models",
    "model_entry",
]

BODY_LIMIT = 1 << 20
# Non-streaming replies keep at most this much output (docs/reference/gateway-protocol.md §5.10).
NON_STREAMING_OUTPUT_CAP = 16 << 20
_CHAT_FIELDS: dict[str, FieldKind] = {"model": "string", "messages": "messages", "stream": "bool"}
_TEXT_FIELDS: dict[str, FieldKind] = {"model": "string", "prompt": "any", "stream": "bool"}
_SSE_HEADERS = [
    ("Content-Type", "text/event-stream"),
    ("Cache-Control", "no-cache"),
    ("Connection", "keep-alive"),
    ("X-Accel-Buffering", "no"),
]
_ZERO_USAGE = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def _fold_equal(left: str, right: str) -> bool:
    # Go's strings.EqualFold, close enough for agent names and engine strings.
    return left.casefold() == right.casefold()


# --- 5.9 ----------------------------------------------------------------------------------------


def _description(telemetry: Telemetry) -> str:
    """`<agent name> · <engine> — <agent description>`, empty parts left out
    (docs/reference/gateway-protocol.md §5.9)."""
    head = " · ".join(part for part in (telemetry.agent_name, telemetry.model) if part)
    if telemetry.agent_desc:
        return f"{head} — {telemetry.agent_desc}" if head else telemetry.agent_desc
    return head


def model_entry(boss: Boss, telemetry: Telemetry, created: int) -> dict[str, Any]:
    """One `/v1/models` entry in struct order with the presence rules of 5.9."""
    peer_id = telemetry.peer_id
    entry: dict[str, Any] = {
        "id": peer_id,
        "object": "model",
        "created": created,
        "owned_by": telemetry.author or "agentfm",
    }
    optional = {
        "description": _description(telemetry),
        "agentfm_name": telemetry.agent_name,
        "agentfm_engine": telemetry.model,
        "agentfm_status": telemetry.status,
        "agentfm_hardware": telemetry.hardware,
    }
    entry.update((key, value) for key, value in optional.items() if value)
    entry.update(
        {
            "agentfm_current_tasks": telemetry.current_tasks,
            "agentfm_max_tasks": telemetry.max_tasks,
            "agentfm_cpu_usage_pct": telemetry.cpu_usage_pct,
            "agentfm_ram_free_gb": telemetry.ram_free_gb,
            "agentfm_has_gpu": telemetry.has_gpu,
            "agentfm_gpu_used_gb": telemetry.gpu_used_gb,
            "agentfm_gpu_total_gb": telemetry.gpu_total_gb,
            "agentfm_gpu_usage_pct": telemetry.gpu_usage_pct,
        }
    )
    if not boss.config.generation.has_trust_fields:
        return entry  # 1.2.0's 17 keys (docs/reference/gateway-versions.md §8)
    images = {
        "agentfm_image_ref": telemetry.agent_image_ref,
        "agentfm_image_digest": telemetry.agent_image_digest,
        "agentfm_capability": telemetry.agent_capability,
    }
    entry.update((key, value) for key, value in images.items() if value)
    equivocator = boss.ledger.is_equivocator(peer_id)
    entry["agentfm_honesty_score"] = boss.ledger.honesty_score(peer_id)
    entry["agentfm_is_equivocator"] = equivocator
    entry["agentfm_dispatch_allowed"] = not equivocator
    if equivocator:
        entry["agentfm_dispatch_refuse_reason"] = "peer_is_equivocator"
    entry["agentfm_online"] = True
    return entry


async def handle_models(boss: Boss, request: Request) -> Reply:
    if request.method != "GET":
        return envelope_reply(405, "method_not_allowed", "GET only")
    created = int(time.time())
    # Every online worker, trust-filtered or not (docs/reference/gateway-protocol.md §5.9).
    data = [model_entry(boss, telemetry, created) for _, telemetry in boss.online_telemetry()]
    return json_reply({"object": "list", "data": data})


# --- shared by 5.10 / 5.11 ----------------------------------------------------------------------


def flatten_messages(messages: list[dict[str, str]]) -> str:
    """`<role>: <content>\\n\\n` per non-empty message (empty role: `user`), then `assistant:`."""
    parts = [
        f"{message['role'] or 'user'}: {message['content']}\n\n"
        for message in messages
        if message["content"]
    ]
    return "".join(parts) + "assistant:"


def _select_worker(boss: Boss, model: str) -> SimulatedWorker | Reply:
    """The three-tier matcher of 5.10 over trust-permitted online workers."""
    want = go_trim_space(model)
    tiers: tuple[list[tuple[SimulatedWorker, Telemetry]], ...] = ([], [], [])
    # 1.2.0 has no ledger, so nothing is filtered (docs/reference/gateway-versions.md §11).
    trust_filtered = boss.config.generation.filters_models_by_trust
    for worker, telemetry in boss.online_telemetry():
        if trust_filtered and boss.trust_refusal(worker.peer_id) is not None:
            # refused peers are invisible to routing: 404, never 403
            # (docs/reference/gateway-protocol.md §7)
            continue
        if telemetry.peer_id == want:
            tiers[0].append((worker, telemetry))
        elif _fold_equal(telemetry.agent_name, want):
            tiers[1].append((worker, telemetry))
        elif _fold_equal(telemetry.model, want):
            tiers[2].append((worker, telemetry))
    matched = next((tier for tier in tiers if tier), None)
    if matched is None:
        return envelope_reply(
            404,
            "model_not_found",
            f"model '{model}' not available on this mesh. GET /v1/models lists the peer ids you "
            "can pass as 'model'; agent names and engine strings are also accepted as routing "
            "shortcuts.",
        )
    # Lower tiers are never consulted, even when the matched one is full.
    available = [
        row for row in matched if row[1].max_tasks <= 0 or row[1].current_tasks < row[1].max_tasks
    ]
    if not available:
        return envelope_reply(
            503, "mesh_overloaded", f"all workers matching model '{model}' are at capacity"
        )

    def load(row: tuple[SimulatedWorker, Telemetry]) -> tuple[float, float, int]:
        telemetry = row[1]
        ratio = telemetry.current_tasks / telemetry.max_tasks if telemetry.max_tasks > 0 else 0.0
        return ratio, telemetry.cpu_usage_pct, row[0].index

    return min(available, key=load)[0]


class SentinelLineFilter:
    """Split the worker stream into lines and drop `[AGENTFM:` lines (5.10 output processing).

    Lines end at `\\n`; the gateway drops every carriage return at the end of a line (worker
    output `x\\r\\r\\n` reaches the client as `x\\n`, where a bare bufio.ScanLines would keep one).
    A final line without a newline is still a line, at a clean end and when the stream breaks
    alike. Each kept line comes back with `\\n`.
    """

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> list[str]:
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        return [kept for kept in map(self._keep, lines) if kept is not None]

    def finish(self) -> list[str]:
        rest, self._pending = self._pending, b""
        if not rest:
            return []
        kept = self._keep(rest)
        return [] if kept is None else [kept]

    @staticmethod
    def _keep(line: bytes) -> str | None:
        line = line.rstrip(b"\r")
        if line.lstrip(b" \t").startswith(b"[AGENTFM:"):
            return None
        return go_string(line) + "\n"


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + go_json(payload) + b"\n\n"


_DONE = b"data: [DONE]\n\n"


def _dispatch(
    boss: Boss, model: str, prompt: str, *, counted: bool
) -> tuple[TaskRun, SimulatedWorker] | Reply:
    selected = _select_worker(boss, model)
    if isinstance(selected, Reply):
        return selected
    try:
        run = boss.dispatch(selected, prompt, boss.mint_task_id(), counted=counted)
    except WorkerUnreachable as exc:
        return envelope_reply(502, "worker_unreachable", f"failed to reach worker: {exc}")
    return run, selected


async def _collect(run: TaskRun, *, capped: bool = True) -> str | Reply:
    """The whole filtered output (non-streaming), or the 502 of a read failure.

    `capped`: keep only the first 16 MiB (1.2.0 kept everything,
    docs/reference/gateway-versions.md §11).
    """
    line_filter = SentinelLineFilter()
    parts: list[str] = []
    size = 0
    try:
        async for chunk in run.reads():
            for line in line_filter.feed(chunk):
                if not capped or size < NON_STREAMING_OUTPUT_CAP:
                    parts.append(line)
                    size += len(line.encode("utf-8"))
    except WorkerStreamReset as exc:
        return envelope_reply(502, "worker_stream_failed", f"worker stream read failed: {exc}")
    finally:
        run.release()
    parts.extend(line_filter.finish())
    text = "".join(parts)
    encoded = text.encode("utf-8")
    if capped and len(encoded) > NON_STREAMING_OUTPUT_CAP:
        text = encoded[:NON_STREAMING_OUTPUT_CAP].decode("utf-8", "ignore")
    return text


ChunkMaker = Callable[[str, "str | None"], dict[str, Any]]


async def _stream_lines(
    run: TaskRun, make_chunk: ChunkMaker, first: bytes | None
) -> AsyncIterator[bytes]:
    """The SSE frames: optional first frame, one per kept line, then stop (or error) + DONE."""
    line_filter = SentinelLineFilter()
    if first is not None:
        yield first
    try:
        async for chunk in run.reads():
            for line in line_filter.feed(chunk):
                yield _sse(make_chunk(line, None))
    except WorkerStreamReset as exc:
        # The scanner hands out the unfinished last line before it reports the error.
        for line in line_filter.finish():
            yield _sse(make_chunk(line, None))
        yield _sse(make_chunk(f"\n[stream error: {exc}]\n", "stop"))
        yield _DONE
        return
    for line in line_filter.finish():
        yield _sse(make_chunk(line, None))
    yield _sse(make_chunk("", "stop"))
    yield _DONE


# --- 5.10 ---------------------------------------------------------------------------------------


async def handle_chat_completions(boss: Boss, request: Request) -> Reply | StreamReply:
    if request.method != "POST":
        return envelope_reply(405, "method_not_allowed", "POST only")
    try:
        fields = decode_go_object(await request.body(BODY_LIMIT), _CHAT_FIELDS)
    except GoJSONError:
        return envelope_reply(400, "invalid_request_error", "invalid JSON payload")
    model: str = fields.get("model", "")
    if not go_trim_space(model):
        return envelope_reply(400, "model_required", "field 'model' is required")
    messages: list[dict[str, str]] = fields.get("messages", [])
    if not messages:
        return envelope_reply(
            400, "prompt_required", "field 'messages' must contain at least one message"
        )
    generation = boss.config.generation
    dispatched = _dispatch(
        boss, model, flatten_messages(messages), counted=generation.counts_chat_tasks
    )
    if isinstance(dispatched, Reply):
        return dispatched
    run, worker = dispatched
    completion_id = "chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if not fields.get("stream", False):
        content = await _collect(run, capped=generation.caps_non_streaming_output)
        if isinstance(content, Reply):
            return content
        body = {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": _ZERO_USAGE,
        }
        return json_reply(body)

    def chat_chunk(content: str, finish_reason: str | None, role: str = "") -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": role, "content": content},
                    "finish_reason": finish_reason,
                }
            ],
        }
        if generation.chat_chunks_name_worker:
            chunk["agentfm_peer_id"] = worker.peer_id
            chunk["agentfm_task_id"] = run.task_id
        return chunk

    role_chunk = _sse(chat_chunk("", None, role="assistant"))
    frames = _stream_lines(run, chat_chunk, role_chunk)
    return StreamReply(200, list(_SSE_HEADERS), frames, on_close=run.release)


# --- 5.11 ---------------------------------------------------------------------------------------


async def handle_completions(boss: Boss, request: Request) -> Reply | StreamReply:
    if request.method != "POST":
        return envelope_reply(405, "method_not_allowed", "POST only")
    try:
        fields = decode_go_object(await request.body(BODY_LIMIT), _TEXT_FIELDS)
    except GoJSONError:
        return envelope_reply(400, "invalid_request_error", "invalid JSON payload")
    model: str = fields.get("model", "")
    if not go_trim_space(model):
        return envelope_reply(400, "model_required", "field 'model' is required")
    prompt = fields.get("prompt")
    if prompt is None:
        return envelope_reply(400, "prompt_required", "field 'prompt' is required")
    if isinstance(prompt, list):
        return envelope_reply(
            400,
            "unsupported_prompt_type",
            "array form of 'prompt' is not supported in this build; pass a single string",
        )
    if not isinstance(prompt, str):
        return envelope_reply(400, "unsupported_prompt_type", "field 'prompt' must be a string")
    if not go_trim_space(prompt):
        return envelope_reply(400, "prompt_required", "field 'prompt' must not be empty")
    # Text completions are not counted in agentfm_tasks_total
    # (docs/reference/gateway-protocol.md §5.2).
    dispatched = _dispatch(boss, model, prompt, counted=False)
    if isinstance(dispatched, Reply):
        return dispatched
    run, _ = dispatched
    completion_id = "cmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if not fields.get("stream", False):
        text = await _collect(run, capped=boss.config.generation.caps_non_streaming_output)
        if isinstance(text, Reply):
            return text
        body = {
            "id": completion_id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
            "usage": _ZERO_USAGE,
        }
        return json_reply(body)

    def text_chunk(text: str, finish_reason: str | None) -> dict[str, Any]:
        return {
            "id": completion_id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "text": text, "finish_reason": finish_reason}],
        }

    frames = _stream_lines(run, text_chunk, None)
    return StreamReply(200, list(_SSE_HEADERS), frames, on_close=run.release)
