"""The gateway's own routes: health, metrics, workers, execute (sync and async), relay test,
about, events and the peer page (docs/reference/gateway-protocol.md §5.1-§5.8 and §5.13).

Each handler gets the Boss and the request after the CORS/Origin/auth gates ran
(docs/reference/gateway-protocol.md §4) and answers with the exact status, content type and bytes of
the real gateway. Where an older release differs (docs/reference/gateway-versions.md), the handler
asks the Boss's `generation`.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from agentfm._identifiers import is_peer_id, is_task_id
from agentfm.testing._boss import (
    Boss,
    SimulatedWorker,
    TaskRun,
    Telemetry,
    WorkerStreamReset,
    WorkerUnreachable,
)
from agentfm.testing._godecode import GoJSONError, decode_go_object, go_trim_space
from agentfm.testing._gowire import go_time
from agentfm.testing._http import (
    AbortConnection,
    Reply,
    Request,
    StreamReply,
    envelope_reply,
    json_reply,
    plain_reply,
)
from agentfm.testing._metrics import METRICS_CONTENT_TYPE
from agentfm.testing._multiaddr import MultiaddrError, disallowed_relay_ip, parse_multiaddr
from agentfm.testing._ui_page import PEER_PAGE_HTML
from agentfm.testing._webhook import deliver_webhook, webhook_body

__all__ = [
    "GATEWAY_VERSION",
    "handle_about",
    "handle_events",
    "handle_execute",
    "handle_execute_async",
    "handle_health",
    "handle_metrics",
    "handle_peer_page",
    "handle_relay_test",
    "handle_workers",
    "worker_object",
]

logger = logging.getLogger("agentfm.sim")

GATEWAY_VERSION = "1.3.0"
# docs/reference/gateway-protocol.md §2.1; matched against the whole string (Go's `$` does not
# accept a trailing newline).
EXECUTE_BODY_LIMIT = 1 << 20
RELAY_BODY_LIMIT = 4 << 10
METHOD_NOT_ALLOWED = "Method not allowed"
_EXECUTE_FIELDS: dict[str, Any] = {
    "worker_id": "string",
    "prompt": "string",
    "task_id": "string",
    "feedback": "string",
    "feedback_rating": "float",
}
_ASYNC_FIELDS: dict[str, Any] = {"worker_id": "string", "prompt": "string", "webhook_url": "string"}
# Before 1.3.0 the request struct had no feedback fields (docs/reference/gateway-versions.md §9).
_LEGACY_EXECUTE_FIELDS: dict[str, Any] = {
    "worker_id": "string",
    "prompt": "string",
    "task_id": "string",
}
# 1.1.0 logs `task_id[:8]`: a shorter client id panics the handler
# (docs/reference/gateway-versions.md §9).
_LEGACY_LOGGED_ID_CHARS = 8
# 1.1.0 waits a fixed 2 s after the stream before its webhook
# (docs/reference/gateway-versions.md §10).
_LEGACY_WEBHOOK_WAIT_SECONDS = 2.0
_ARTIFACTS_BUILT_FAMILY = "agentfm_artifacts_built_total"


# --- 5.1 / 5.2 ----------------------------------------------------------------------------------


async def handle_health(boss: Boss, request: Request) -> Reply:
    if request.method != "GET":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    return json_reply({"online_workers": boss.online_count(), "status": "ok"}, sort_keys=True)


async def handle_metrics(boss: Boss, request: Request) -> Reply:
    # promhttp serves any method; the CORS wrapper around it already ran
    # (docs/reference/gateway-protocol.md §4.1).
    body = boss.metrics.render()
    if not boss.config.generation.has_artifacts_built_metric:
        body = b"".join(
            line
            for line in body.splitlines(keepends=True)
            if _ARTIFACTS_BUILT_FAMILY.encode() not in line
        )
    headers = [("Content-Type", METRICS_CONTENT_TYPE)]
    accepted = ",".join(request.header_values("Accept-Encoding")).lower()
    if "gzip" in [item.split(";")[0].strip() for item in accepted.split(",")]:
        body = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    return Reply(200, headers, body)


# --- 5.3 ----------------------------------------------------------------------------------------


def _telemetry_fields(telemetry: Telemetry | None) -> dict[str, Any]:
    if telemetry is None:
        # A peer known only from the ledger, never seen live in this process.
        return {
            "author": "",
            "name": "",
            "status": "",
            "hardware": " (CPU: 0 Cores)",
            "description": "",
            "cpu_usage_pct": 0.0,
            "ram_free_gb": 0.0,
            "current_tasks": 0,
            "max_tasks": 0,
            "has_gpu": False,
            "gpu_used_gb": 0.0,
            "gpu_total_gb": 0.0,
            "gpu_usage_pct": 0.0,
        }
    return {
        "author": telemetry.author,
        "name": telemetry.agent_name,
        "status": telemetry.status,
        "hardware": telemetry.hardware,
        "description": telemetry.agent_desc,
        "cpu_usage_pct": telemetry.cpu_usage_pct,
        "ram_free_gb": telemetry.ram_free_gb,
        "current_tasks": telemetry.current_tasks,
        "max_tasks": telemetry.max_tasks,
        "has_gpu": telemetry.has_gpu,
        "gpu_used_gb": telemetry.gpu_used_gb,
        "gpu_total_gb": telemetry.gpu_total_gb,
        "gpu_usage_pct": telemetry.gpu_usage_pct,
    }


def worker_object(
    boss: Boss, peer_id: str, telemetry: Telemetry | None, *, online: bool
) -> dict[str, Any]:
    """One `/api/workers` entry in struct order, with the presence rules of 5.3."""
    entry: dict[str, Any] = {"peer_id": peer_id, **_telemetry_fields(telemetry)}
    if telemetry is not None:
        for key in ("agent_image_ref", "agent_image_digest", "agent_capability"):
            value = getattr(telemetry, key)
            if value:
                entry[key] = value
    equivocator = boss.ledger.is_equivocator(peer_id)
    entry["honesty_score"] = boss.ledger.honesty_score(peer_id)
    entry["is_equivocator"] = equivocator
    # Only the equivocator check is previewed here, never the reputation floor
    # (docs/reference/gateway-protocol.md §7).
    entry["dispatch_allowed"] = not equivocator
    if equivocator:
        entry["dispatch_refuse_reason"] = "peer_is_equivocator"
    entry["online"] = online
    if online and telemetry is not None:
        entry["last_seen"] = go_time(telemetry.last_seen)
    return entry


def _legacy_worker_object(peer_id: str, telemetry: Telemetry) -> dict[str, Any]:
    """The 14 keys of a worker before 1.3.0 (docs/reference/gateway-versions.md §7)."""
    return {"peer_id": peer_id, **_telemetry_fields(telemetry)}


async def handle_workers(boss: Boss, request: Request) -> Reply:
    if request.method != "GET":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    online_rows = boss.online_telemetry()
    if not boss.config.generation.has_trust_fields:
        # No counts, no trust fields, `include_offline` ignored
        # (docs/reference/gateway-versions.md §7).
        legacy = [
            _legacy_worker_object(worker.peer_id, telemetry) for worker, telemetry in online_rows
        ]
        return json_reply({"agents": legacy, "success": True})
    agents = [
        worker_object(boss, worker.peer_id, telemetry, online=True)
        for worker, telemetry in online_rows
    ]
    offline_count = 0
    if request.query("include_offline") == "true":
        online_ids = {worker.peer_id for worker, _ in online_rows}
        # Offline = subjects of ledger entries that are not live; order unspecified upstream,
        # sorted here so the simulator's answers are stable.
        for peer_id in sorted(boss.ledger.subjects() - online_ids):
            agents.append(
                worker_object(boss, peer_id, boss.last_known_telemetry(peer_id), online=False)
            )
            offline_count += 1
    # A Go map at the top (keys already in alphabetical order), structs inside: no sort_keys,
    # which would also reorder the struct-ordered worker objects.
    body = {
        "agents": agents,
        "offline_count": offline_count,
        "online_count": len(online_rows),
        "success": True,
    }
    return json_reply(body)


# --- 5.4 / 5.5 ----------------------------------------------------------------------------------


def _dispatch_target(
    boss: Boss, fields: dict[str, Any]
) -> tuple[SimulatedWorker | None, Reply | None]:
    """The worker lookup and trust gate shared by both execute routes
    (docs/reference/gateway-protocol.md §5.4, §5.5, §7)."""
    worker_id: str = fields.get("worker_id", "")
    worker = boss.online_worker(worker_id)
    if worker is None:
        return None, plain_reply(404, "Worker not found or offline")
    if not is_peer_id(worker_id):
        return None, plain_reply(400, "Invalid Worker ID format")
    refusal = (
        boss.trust_refusal(worker_id) if boss.config.generation.gates_execute_on_trust else None
    )
    if refusal is not None:
        return None, plain_reply(403, f"dispatch refused: {refusal}")
    return worker, None


def _append_feedback(boss: Boss, worker_id: str, fields: dict[str, Any]) -> None:
    """The Boss-signed Comment (+ paired honesty Rating) of `feedback`
    (docs/reference/gateway-protocol.md §5.4).

    The Rating is appended only when `feedback_rating` was sent (simulator's reading of "used
    only when feedback is non-empty"), one nanosecond after the Comment, like comments/self.
    """
    try:
        comment = boss.ledger.append_comment(worker_id, text=fields["feedback"], language="en")
        if "feedback_rating" in fields:
            boss.ledger.append_rating(
                worker_id,
                dimension="honesty",
                score=fields["feedback_rating"],
                context="interactive",
                timestamp_unix_ns=comment.timestamp_unix_ns + 1,
            )
    except (ValueError, OSError) as exc:
        # Failures are only logged, invisible to the client
        # (docs/reference/gateway-protocol.md §5.4).
        logger.warning("feedback not recorded", extra={"worker": worker_id, "error": str(exc)})


def _counted_refusal(boss: Boss, started: float, reply: Reply) -> Reply:
    """An /api/execute answer that dispatched nothing, counted and timed like any task
    (docs/reference/gateway-protocol.md §5.2): a 404 (no such worker) or 403 (trust gate) as
    `rejected`, a 400 as `error`."""
    status = "rejected" if reply.status in (403, 404) else "error"
    boss.metrics.count_task(status, time.monotonic() - started)
    return reply


async def handle_execute(boss: Boss, request: Request) -> Reply | StreamReply | AbortConnection:
    if request.method != "POST":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    # Past the method check every request is a task for agentfm_tasks_total
    # (docs/reference/gateway-protocol.md §5.2).
    started = time.monotonic()
    generation = boss.config.generation
    known_fields = _EXECUTE_FIELDS if generation.has_trust_fields else _LEGACY_EXECUTE_FIELDS
    try:
        fields = decode_go_object(await request.body(EXECUTE_BODY_LIMIT), known_fields)
    except GoJSONError:
        return _counted_refusal(boss, started, plain_reply(400, "Invalid JSON payload"))
    prompt: str = fields.get("prompt", "")
    if generation.requires_worker_and_prompt:
        if not fields.get("worker_id"):
            return _counted_refusal(boss, started, plain_reply(400, "worker_id is required"))
        if not prompt:
            return _counted_refusal(boss, started, plain_reply(400, "prompt is required"))
    task_id: str = fields.get("task_id", "")
    if task_id and generation.validates_task_id and not is_task_id(task_id):
        return _counted_refusal(boss, started, plain_reply(400, "Invalid task_id format"))
    worker, refusal = _dispatch_target(boss, fields)
    if worker is None:
        assert refusal is not None
        return _counted_refusal(boss, started, refusal)
    if generation.panics_on_short_task_id and 0 < len(task_id) < _LEGACY_LOGGED_ID_CHARS:
        return AbortConnection()
    task_id = task_id or boss.mint_task_id()
    try:
        run = boss.dispatch(worker, prompt, task_id, counted=True)
    except WorkerUnreachable:
        # 1.1.0 and 1.2.0 answer only after a pause (docs/reference/gateway-versions.md §9).
        if generation.dial_failure_pause_seconds:
            await asyncio.sleep(generation.dial_failure_pause_seconds)
        return plain_reply(500, "Failed to connect to worker via DHT or Relay")

    async def relay_reads() -> AsyncIterator[bytes]:
        try:
            async for chunk in run.reads():
                yield chunk
        except WorkerStreamReset:
            # The Boss just stops: a clean end of the chunked body, no in-band error
            # (docs/reference/gateway-protocol.md §5.4).
            return
        if fields.get("feedback"):
            _append_feedback(boss, worker.peer_id, fields)

    headers = [
        ("Content-Type", "text/plain"),
        ("Cache-Control", "no-cache"),
        ("Connection", "keep-alive"),
    ]
    return StreamReply(
        200, headers, relay_reads(), on_close=run.release, headers_with_first_chunk=True
    )


async def _run_async_job(
    boss: Boss, worker: SimulatedWorker, prompt: str, task_id: str, webhook_url: str
) -> None:
    """Dispatch, drain, wait for the zip, then the one webhook
    (docs/reference/gateway-protocol.md §5.5).

    The task is counted when the job returns, so its duration includes the artifact wait.
    """
    config = boss.config
    started = time.monotonic()
    run: TaskRun | None = None
    try:
        try:
            run = boss.dispatch(worker, prompt, task_id, counted=False)
        except WorkerUnreachable as exc:
            logger.warning("async dispatch failed", extra={"task_id": task_id, "error": str(exc)})
            return
        try:
            await run.drain()
        except WorkerStreamReset:
            logger.warning("async task stream reset", extra={"task_id": task_id})
            return
        finally:
            run.release()
        if not config.generation.polls_for_async_artifact:
            await asyncio.sleep(_LEGACY_WEBHOOK_WAIT_SECONDS)
        else:
            # Poll the disk for the zip like the Boss does (every 100 ms, up to 10 s): tasks
            # without an artifact delay the webhook by the whole wait.
            deadline = time.monotonic() + config.async_artifact_wait_seconds
            while time.monotonic() < deadline:
                if boss.artifact_path(task_id).exists():
                    break
                await asyncio.sleep(config.async_artifact_poll_seconds)
        if webhook_url:
            guarded = config.generation.guards_webhooks
            # 1.1.0: no signature, no target check, redirects followed
            # (docs/reference/gateway-versions.md §10.1).
            await deliver_webhook(
                webhook_url,
                webhook_body(task_id, worker.peer_id),
                secret=config.webhook_secret if guarded else "",
                allow_private=config.webhook_allow_private or not guarded,
                timeout_seconds=config.webhook_timeout_seconds,
                follow_redirects=not guarded,
            )
    finally:
        # A refusal line is a clean end too: the job carried on like a completed task.
        clean = run is not None and run.ending in ("completed", "refused")
        boss.metrics.count_task("ok" if clean else "error", time.monotonic() - started)
        boss.release_async_slot()


async def handle_execute_async(boss: Boss, request: Request) -> Reply:
    if request.method != "POST":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    try:
        fields = decode_go_object(await request.body(EXECUTE_BODY_LIMIT), _ASYNC_FIELDS)
    except GoJSONError:
        return plain_reply(400, "Invalid JSON payload")
    generation = boss.config.generation
    if generation.requires_worker_and_prompt:
        if not fields.get("worker_id"):
            return plain_reply(400, "worker_id is required")
        if not fields.get("prompt"):
            return plain_reply(400, "prompt is required")
    worker, refusal = _dispatch_target(boss, fields)
    if worker is None:
        assert refusal is not None
        return refusal
    if not generation.has_async_capacity:
        boss.reserve_async_slot_unbounded()
    elif not boss.try_reserve_async_slot():
        return envelope_reply(
            503,
            "async_capacity_exhausted",
            "too many async tasks in flight; retry shortly",
            headers=[("Retry-After", "5")],
        )
    task_id = boss.mint_task_id()
    # `webhook_url` is not validated here: a bad one is dropped silently at delivery
    # (docs/reference/gateway-protocol.md §5.5).
    job = asyncio.ensure_future(
        _run_async_job(
            boss, worker, fields.get("prompt", ""), task_id, fields.get("webhook_url", "")
        )
    )
    boss.async_jobs.add(job)
    job.add_done_callback(boss.async_jobs.discard)
    body = {"message": "Task dispatched to P2P mesh.", "status": "queued", "task_id": task_id}
    return json_reply(body, 202, sort_keys=True)


# --- 5.6 ----------------------------------------------------------------------------------------


def _relay_reply(status: int, *, ok: bool, peer_id: str = "", error: str = "") -> Reply:
    body: dict[str, Any] = {"ok": ok}
    if peer_id:
        body["peer_id"] = peer_id
    if error:
        body["error"] = error
    return json_reply(body, status, escape_html=False)


async def handle_relay_test(boss: Boss, request: Request) -> Reply:
    if request.method != "POST":
        return _relay_reply(405, ok=False, error="POST only")
    try:
        fields = decode_go_object(
            await request.body(RELAY_BODY_LIMIT),
            {"multiaddr": "string"},
            struct_name="relayTestReq",
        )
    except GoJSONError as exc:
        return _relay_reply(400, ok=False, error=f"invalid JSON: {exc}")
    text = go_trim_space(fields.get("multiaddr", ""))
    if not text:
        return _relay_reply(400, ok=False, error="field 'multiaddr' is required")
    try:
        address = parse_multiaddr(text)
    except MultiaddrError as exc:
        return _relay_reply(200, ok=False, error=f"invalid multiaddr: {exc}")
    peer_id = address.peer_id()
    if peer_id is None:
        return _relay_reply(
            200, ok=False, error="multiaddr missing /p2p/<peer> suffix: invalid p2p multiaddr"
        )
    if any(disallowed_relay_ip(ip) for ip in address.ip_literals()):
        return _relay_reply(
            200, ok=False, error="relay address is in a disallowed (private/link-local) range"
        )
    # Simulated dial: the only reachable peers of a simulated mesh are its online workers.
    if peer_id == boss.ledger.boss_peer_id:
        return _relay_reply(200, ok=False, peer_id=peer_id, error="dial to self attempted")
    if boss.online_worker(peer_id) is not None:
        return _relay_reply(200, ok=True, peer_id=peer_id)
    return _relay_reply(
        200, ok=False, peer_id=peer_id, error=f"failed to dial {peer_id}: all dials failed"
    )


# --- 5.7 / 5.8 ----------------------------------------------------------------------------------


async def handle_about(boss: Boss, request: Request) -> Reply:
    if request.method != "GET":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    body = {
        "boss_peer_id": boss.ledger.boss_peer_id,
        # No relay is ever connected in the simulator (docs/reference/gateway-protocol.md §5.7: ""
        # while not connected).
        "relay_peer_id": "",
        "relay_multiaddr": "",
        "reputation_floor": boss.config.reputation_floor,
        "ledger_tree_size": boss.ledger.tree_size,
        "version": boss.config.generation.version_constant,
        "uptime_seconds": int(time.monotonic() - boss.created_monotonic),
    }
    return json_reply(body, escape_html=False)


async def handle_events(boss: Boss, request: Request) -> Reply | StreamReply:
    if request.method != "GET":
        return plain_reply(405, METHOD_NOT_ALLOWED)
    queue = boss.events.subscribe()
    heartbeat = boss.config.heartbeat_seconds

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield b":ready\n\n"
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), timeout=heartbeat)
                except asyncio.TimeoutError:
                    yield b":heartbeat\n\n"
                    continue
                if item is None:
                    return  # the server is shutting down
                yield item
        finally:
            boss.events.unsubscribe(queue)

    headers = [
        ("Content-Type", "text/event-stream"),
        ("Cache-Control", "no-cache"),
        ("Connection", "keep-alive"),
        ("X-Accel-Buffering", "no"),
    ]
    return StreamReply(200, headers, stream(), on_close=lambda: boss.events.unsubscribe(queue))


# --- 5.13 ---------------------------------------------------------------------------------------


async def handle_peer_page(boss: Boss, request: Request) -> Reply:
    if request.method != "GET":
        return plain_reply(405, "only GET")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    return Reply(200, headers, PEER_PAGE_HTML.encode("utf-8"))
