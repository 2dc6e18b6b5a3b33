"""What each `agentfm-py` command does: one function per command, on the SDK's sync client.

Each takes the client, the parsed arguments and the `Output`, and returns the exit status;
failures are raised as `AgentFMError`s and reported by `agentfm.cli.main`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
from agentfm_gateway.api.health import get_health
from agentfm_gateway.records import Health

from agentfm._client import AgentFMClient
from agentfm._errors import redact_url
from agentfm._identifiers import checked_libp2p_peer_id, new_task_id
from agentfm._task_output import FILES_INCOMING
from agentfm._tasks import checked_artifact_timeout
from agentfm.cli._output import Output, ProgressBar
from agentfm.cli._parser import EXIT_OK, EXIT_PARTIAL
from agentfm.cli._prompts import parse_prompts
from agentfm.exceptions import InvalidRequestError
from agentfm.models import (
    LogEntry,
    MeshEvent,
    ScatterResult,
    WorkerOnlineEvent,
    WorkerProfile,
)

__all__ = ["COMMANDS"]

Command = Callable[[AgentFMClient, argparse.Namespace, Output], int]


def _short(peer_id: str) -> str:
    return peer_id if len(peer_id) <= 20 else f"{peer_id[:12]}...{peer_id[-6:]}"


def _worker_json(profile: WorkerProfile) -> dict[str, Any]:
    # The gateway's own object (every field, as sent), plus the engine it hides in `hardware`.
    return {**profile.raw, "model": profile.model}


# --- discovery ----------------------------------------------------------------------------------


def ping(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    health = client._call(get_health.sync_detailed, Health)
    where = redact_url(client.gateway_url)
    if out.json:
        out.json_document(
            {"gateway": where, "status": health.status, "online_workers": health.online_workers}
        )
    else:
        out.line(f"ok: {where} answers ({health.online_workers} workers online)")
    return EXIT_OK


def workers(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    profiles = client.workers.list(
        model=args.model,
        agent_name=args.agent_name,
        author=args.author,
        available_only=args.available,
        wait_for_workers=args.wait,
        poll_timeout=args.wait_timeout,
    )
    if out.json:
        out.json_document([_worker_json(profile) for profile in profiles])
        return EXIT_OK
    out.table(
        ["PEER ID", "NAME", "MODEL", "STATUS", "LOAD", "HONESTY", "AUTHOR"],
        [
            [
                p.peer_id,
                p.agent_name,
                p.model,
                p.status,
                f"{p.current_tasks}/{p.max_tasks}",
                f"{p.honesty_score:+.2f}",
                p.author,
            ]
            for p in profiles
        ],
    )
    return EXIT_OK


def models(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    listing = client.openai.models.list()
    if out.json:
        out.json_document([entry.raw for entry in listing])
        return EXIT_OK
    out.table(
        ["ID", "NAME", "ENGINE", "STATUS", "LOAD", "OWNER"],
        [
            [
                entry.id,
                entry.agentfm_name or "",
                entry.agentfm_engine or "",
                entry.agentfm_status or "",
                f"{entry.agentfm_current_tasks}/{entry.agentfm_max_tasks}",
                entry.owned_by,
            ]
            for entry in listing
        ],
    )
    return EXIT_OK


# --- dispatch -----------------------------------------------------------------------------------


class _Answer:
    """Writes a streamed answer, and ends it with a newline so what follows starts a line."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self._open = False

    def write(self, text: str) -> None:
        if text:
            self._out.write(text)
            self._open = not text.endswith("\n")

    def end(self) -> None:
        if self._open:
            self._out.write("\n")
            self._open = False


def chat(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    # `--peer` is a peer id, checked here: the route would also take a name
    # (docs/reference/gateway-protocol.md §5.10), but a name is not a verifiable identity and the
    # flag says peer.
    peer = checked_libp2p_peer_id(args.peer)
    messages = [{"role": "user", "content": args.prompt}]
    if args.stream:
        _chat_streamed(client, peer, messages, args, out)
        return EXIT_OK
    response = client.openai.chat.completions.create(model=peer, messages=messages)
    choice = response.choices[0] if response.choices else None
    text = (choice.message.content or "") if choice is not None else ""
    if args.json:
        out.json_document(
            {
                "id": response.id,
                "model": response.model,
                "text": text,
                "finish_reason": choice.finish_reason if choice is not None else None,
            }
        )
        return EXIT_OK
    answer = _Answer(out)
    answer.write(text)
    answer.end()
    return EXIT_OK


def _chat_streamed(
    client: AgentFMClient,
    peer: str,
    messages: list[dict[str, str]],
    args: argparse.Namespace,
    out: Output,
) -> None:
    answer = _Answer(out)
    try:
        for chunk in client.openai.chat.completions.create(
            model=peer, messages=messages, stream=True
        ):
            choice = chunk.choices[0] if chunk.choices else None
            text = choice.delta.content if choice is not None else ""
            if args.json:  # JSON lines, one per chunk
                out.json_line(
                    {
                        "id": chunk.id,
                        "peer_id": chunk.agentfm_peer_id,
                        "task_id": chunk.agentfm_task_id,
                        "text": text,
                        "finish_reason": choice.finish_reason if choice is not None else None,
                    }
                )
            elif text:
                answer.write(text)
    finally:
        answer.end()


def _stream_task(
    client: AgentFMClient, args: argparse.Namespace, out: Output, task_id: str
) -> bool:
    """Print the task's answer as it arrives (with --json: one JSON line per chunk); True when
    the worker announced files."""
    files_incoming = False
    answer = _Answer(out)
    try:
        for chunk in client.tasks.stream(
            worker_id=checked_libp2p_peer_id(args.peer), prompt=args.prompt, task_id=task_id
        ):
            if args.json:
                out.json_line({"kind": chunk.kind, "text": chunk.text, "marker": chunk.marker})
            elif chunk.kind == "text":
                answer.write(chunk.text)
            if chunk.marker == FILES_INCOMING:
                files_incoming = True
    finally:
        answer.end()
    return files_incoming


def run(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    if args.json:  # one document once the task is done: its text, files and identity
        result = client.tasks.run(
            worker_id=checked_libp2p_peer_id(args.peer),
            prompt=args.prompt,
            artifact_timeout=args.artifact_timeout,
        )
        out.json_document(
            {
                "task_id": result.task_id,
                "worker_id": result.worker_id,
                "text": result.text,
                "artifacts": [str(path) for path in result.artifacts],
                "duration_seconds": round(result.duration_seconds, 3),
            }
        )
        return EXIT_OK
    task_id = new_task_id()
    # Checked before dispatch, so a bad setting does not cost a task.
    checked_artifact_timeout(args.artifact_timeout)
    artifacts = client.artifacts
    # docs/reference/gateway-protocol.md §5.4 and §6: only FILES_INCOMING announces a zip; a
    # file-less task never waits. Without --artifacts-dir the gateway's folder is unknown: nothing
    # is harvested.
    if _stream_task(client, args, out, task_id) and artifacts is not None:
        for path in artifacts.collect_for_task(task_id, args.artifact_timeout):
            out.line(f"artifact: {path}")
    return EXIT_OK


def stream(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    _stream_task(client, args, out, new_task_id())
    return EXIT_OK


def submit(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    ack = client.tasks.submit_async(
        worker_id=checked_libp2p_peer_id(args.peer),
        prompt=args.prompt,
        webhook_url=args.webhook_url,
    )
    if out.json:
        out.json_document({"task_id": ack.task_id, "status": ack.status, "message": ack.message})
    else:
        out.line(f"{ack.status}: {ack.task_id} ({ack.message})")
    return EXIT_OK


# --- scatter ------------------------------------------------------------------------------------


def _read_prompts(args: argparse.Namespace) -> list[str]:
    source = args.prompts_file
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            # Bytes, decoded here: the text layer of stdin may pass undecodable bytes through
            # as lone surrogates (it does in the C locale), which no request can carry.
            stdin = sys.stdin.buffer if sys.stdin is not None else None
            if stdin is None:
                raise InvalidRequestError("stdin is closed: no prompts", code="invalid_prompts")
            raw = stdin.read()
        else:
            raw = Path(source).read_bytes()
    except OSError as error:
        raise InvalidRequestError(
            f"cannot read prompts from {name}: {error.strerror or type(error).__name__}",
            code="invalid_prompts",
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidRequestError(
            f"cannot read prompts from {name}: not UTF-8 text (byte {error.start} is "
            f"{raw[error.start]:#04x})",
            code="invalid_prompts",
        ) from None
    prompts = parse_prompts(text, source=name, format=args.input_format)
    if not prompts:
        raise InvalidRequestError(f"no prompts in {name}", code="invalid_prompts")
    return prompts


def _scatter_json(index: int, result: ScatterResult) -> dict[str, Any]:
    fields = result.to_dict()
    fields["duration_seconds"] = round(result.duration_seconds, 3)
    return {"index": index, **fields}


def _in_order(pairs: Iterator[tuple[int, ScatterResult]]) -> Iterator[tuple[int, ScatterResult]]:
    """Results that finish in any order, released in input order as soon as possible."""
    waiting: dict[int, ScatterResult] = {}
    next_index = 0
    for index, result in pairs:
        waiting[index] = result
        while next_index in waiting:
            yield next_index, waiting.pop(next_index)
            next_index += 1


def scatter(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    # Results are always JSON lines on stdout (--json is accepted for uniformity); progress is
    # one bar on stderr when it is a terminal, then a summary line.
    prompts = _read_prompts(args)
    progress = ProgressBar(out, label="scatter")
    failed = 0
    summary: str | None = None
    pairs = client.tasks.scatter_iter(
        prompts,
        peer_ids=args.peer_ids,
        model=args.model,
        max_workers=args.max_workers,
        max_concurrency=args.max_concurrency,
        max_retries=args.max_retries,
        checkpoint=args.checkpoint,
        progress=progress,
        artifact_timeout=args.artifact_timeout,
    )
    try:
        for index, result in _in_order(pairs):
            with progress.above():  # a result line must not land in the middle of the bar
                out.json_line(_scatter_json(index, result))
            failed += result.status != "success"
        summary = (
            f"scatter: {len(prompts)} prompts, {len(prompts) - failed} succeeded, "
            f"{failed} failed, {progress.elapsed():.1f}s"
        )
    finally:
        pairs.close()
        progress.close(summary)
    if failed and not out.stderr_is_terminal:
        out.note(summary or "")  # the bar's summary line was not drawn: say what failed
    return EXIT_PARTIAL if failed else EXIT_OK


# --- the trust layer ----------------------------------------------------------------------------


def _peer_list(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    profiles = client.peers.list(include_offline=args.include_offline)
    if out.json:
        out.json_document([_worker_json(profile) for profile in profiles])
        return EXIT_OK
    out.table(
        ["PEER ID", "NAME", "ONLINE", "HONESTY", "EQUIVOCATOR", "DISPATCH"],
        [
            [
                p.peer_id,
                p.agent_name,
                "yes" if p.online else "no",
                f"{p.honesty_score:+.2f}",
                "YES" if p.is_equivocator else "no",
                "allowed" if p.dispatch_allowed else (p.dispatch_refuse_reason or "refused"),
            ]
            for p in profiles
        ],
    )
    return EXIT_OK


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else "-"


def _peer_show(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    card = client.peers.get(args.peer_id)
    if out.json:
        out.json_document(card.raw)
        return EXIT_OK
    raters = card.rater_summary
    out.fields(
        [
            ("peer id", card.peer_id),
            ("agent name", card.agent_name or "-"),
            ("author", card.author or "-"),
            ("online", "yes" if card.online else "no"),
            ("last seen", _when(card.last_seen)),
            ("honesty", f"{card.honesty_score:+.3f}"),
            ("equivocator", "YES" if card.is_equivocator else "no"),
            (
                "dispatch",
                "allowed" if card.dispatch_allowed else card.dispatch_refuse_reason or "refused",
            ),
            ("log entries", card.entries_count),
            ("last entry", _when(card.last_entry_at)),
            (
                "raters",
                f"{raters.verified_raters_count} verified, "
                f"{raters.unverified_raters_count} unverified",
            ),
            ("image", card.advertised_image_ref or "-"),
            ("image digest", card.advertised_image_digest or "-"),
            ("capability", card.advertised_capability or "-"),
        ]
    )
    return EXIT_OK


def _entry_detail(entry: LogEntry) -> str:
    if entry.is_rating:
        score = f"{entry.score:+.2f}" if entry.score is not None else "?"
        return f"{entry.dimension or '-'} {score} ({entry.context or '-'})"
    return f"comment {entry.text_cid or '-'} ({entry.language or '-'})"


def _peer_log(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    if args.all:
        entries = list(client.peers.iter_log(args.peer_id))
    else:
        entries = client.peers.log(args.peer_id, limit=args.limit, offset=args.offset).entries
    if out.json:
        out.json_document([entry.raw for entry in entries])
        return EXIT_OK
    out.table(
        ["RECEIVED", "KIND", "RATER", "RATER STATUS", "DETAIL", "ENTRY HASH"],
        [
            [
                _when(entry.received_at),
                entry.kind,
                _short(entry.rater_peer_id),
                entry.rater_status,
                _entry_detail(entry),
                entry.entry_hash,
            ]
            for entry in entries
        ],
    )
    if not args.all and len(entries) == args.limit:
        out.note(f"more entries may follow: --offset {args.offset + len(entries)}, or --all")
    return EXIT_OK


def _peer_verify(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    # Raises ProofVerificationError when the proof does not fold to the signed root.
    proof = client.peers.verify(args.peer_id, args.entry_hash)
    head = proof.head
    if out.json:
        out.json_document(
            {
                "verified": True,
                "entry_hash": proof.entry_hash,
                "position": proof.position,
                "tree_size": head.tree_size,
                "root_hash": head.root_hash,
                "signed_at": head.signed_at.isoformat(),
            }
        )
    else:
        out.line(
            f"verified: entry {proof.entry_hash} is at position {proof.position} of the "
            f"gateway's log ({head.tree_size} entries, root {head.root_hash}, "
            f"signed {head.signed_at.isoformat()})"
        )
    return EXIT_OK


def peers(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    handler = {
        None: _peer_list,
        "show": _peer_show,
        "log": _peer_log,
        "verify": _peer_verify,
    }[args.peers_command]
    return handler(client, args, out)


# --- events -------------------------------------------------------------------------------------


def _event_line(event: MeshEvent, received: datetime) -> str:
    if isinstance(event, WorkerOnlineEvent):
        details = f"  {event.agent_name}  honesty {event.honesty_score:+.2f}"
    else:
        details = ""
    return f"{received:%H:%M:%S}  {event.name:<14}  {event.peer_id}{details}"


def events(client: AgentFMClient, args: argparse.Namespace, out: Output) -> int:
    # Runs until Ctrl-C (exit 130), or with --no-reconnect until the connection drops.
    with client.events.stream(reconnect=not args.no_reconnect) as stream:
        for event in stream:
            received = datetime.now().astimezone()
            if out.json:
                out.json_line(
                    {
                        "event": event.name,
                        **attrs.asdict(event),
                        "received_at": received.isoformat(),
                    }
                )
            else:
                out.line(_event_line(event, received))
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "ping": ping,
    "workers": workers,
    "models": models,
    "chat": chat,
    "run": run,
    "stream": stream,
    "submit": submit,
    "scatter": scatter,
    "peers": peers,
    "events": events,
}
