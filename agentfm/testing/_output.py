"""What a simulated worker prints for a task, and how the Boss's reads cut it into chunks.

Pure and deterministic: the same seed, worker and prompt always give the same text and the same
chunk boundaries, so recorded cassettes replay and tests can rely on them.

The real task stream (docs/reference/gateway-protocol.md §5.4) is the container's stdout+stderr
followed by a sentinel the worker writes after the container exits; the Boss relays it in reads of
at most 1024 bytes, each written and flushed at once. Read boundaries therefore fall anywhere:
inside a line, inside a UTF-8 sequence, inside the sentinel. The plan below reproduces all three on
purpose (seeded) so that clients meet them in tests, and some outputs exceed 1 KiB.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

__all__ = [
    "FILES_INCOMING",
    "NO_FILES",
    "PROMPT_PLACEHOLDER",
    "READ_SIZE",
    "TaskScript",
    "capacity_refusal",
    "fill_prompt",
    "plan_reads",
    "task_script",
    "worker_output",
]

# docs/reference/gateway-protocol.md §5.4: each sentinel is preceded by a newline and ends the
# worker's writes.
FILES_INCOMING = b"\n[AGENTFM: FILES_INCOMING]\n"
NO_FILES = b"\n[AGENTFM: NO_FILES]\n"
# The Boss's read buffer on /api/execute (docs/reference/gateway-protocol.md §5.4).
READ_SIZE = 1024

Ending = Literal["sentinel", "refused", "dropped"]

_WORDS = (
    "mesh",
    "agent",
    "peer",
    "stream",
    "sandbox",
    "ledger",
    "token",
    "worker",
    "relay",
    "prompt",
    "naïve",
    "café",
    "résumé",
    "Grüße",
    "μ-service",
    "日本語",
    "→",
    "✓",
    "😀",
)


def capacity_refusal(current: int, maximum: int) -> bytes:
    """The line a full worker answers with instead of running the task
    (docs/reference/gateway-protocol.md §5.4)."""
    return (
        f"❌ ERROR: Worker is at max capacity ({current}/{maximum}). Try another worker.\n".encode()
    )


PROMPT_PLACEHOLDER = "{prompt}"


def fill_prompt(template: str, prompt: str) -> str:
    """A mesh file's `output` or file text with every `{prompt}` replaced by the prompt."""
    return template.replace(PROMPT_PLACEHOLDER, prompt)


def _rng(seed: int, peer_id: str, prompt: str, purpose: str) -> random.Random:
    # String seeds hash with SHA-512 inside `random`, independent of PYTHONHASHSEED.
    return random.Random(f"agentfm-sim|{purpose}|{seed}|{peer_id}|{prompt}")  # noqa: S311


def worker_output(
    *,
    seed: int,
    peer_id: str,
    name: str,
    engine: str,
    prompt: str,
    files: Mapping[str, str],
    output: str | None = None,
) -> bytes:
    """The container output (without sentinel) of one task: `output` with the prompt filled
    in when the worker declares one, else the prompt verbatim, then seeded lines."""
    if output is not None:
        return fill_prompt(output, prompt).encode("utf-8")
    rng = _rng(seed, peer_id, prompt, "text")
    lines = [f"{name} ({engine}) received: {prompt}"]
    line_count = rng.randint(2, 5)
    if rng.random() < 0.3:
        # A long answer: more than one 1024-byte read, so the Boss splits it.
        line_count += rng.randint(16, 28)
    for number in range(1, line_count + 1):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 11)))
        lines.append(f"{number}. {words}")
    lines.extend(f"wrote {file_name}" for file_name in sorted(files))
    lines.append(f"done: {line_count} lines from {name}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def plan_reads(data: bytes, rng: random.Random, *, sentinel_start: int | None) -> list[bytes]:
    """Cut `data` into the reads the Boss relays: arbitrary boundaries, none over 1024 bytes.

    `sentinel_start` is where the worker's sentinel write begins in `data` (None: no sentinel).
    """
    if not data:
        return []
    body_end = len(data) if sentinel_start is None else sentinel_start
    cuts: set[int] = set()
    # The container writes in a few bursts at arbitrary offsets (not line-aligned).
    if body_end > 1:
        for _ in range(rng.randint(2, 6)):
            cuts.add(rng.randint(1, body_end - 1))
    # Sometimes one read ends inside a multi-byte UTF-8 sequence.
    continuation = [index for index in range(1, body_end) if data[index] & 0xC0 == 0x80]
    if continuation and rng.random() < 0.4:
        cuts.add(rng.choice(continuation))
    if sentinel_start is not None:
        sentinel_length = len(data) - sentinel_start
        choice = rng.random()
        if choice < 0.3 and sentinel_length > 1:
            # The tail and the sentinel arrived together but the read ended inside the sentinel.
            cuts.discard(sentinel_start)
            cuts.add(sentinel_start + rng.randint(1, sentinel_length - 1))
        elif choice < 0.65:
            cuts.add(sentinel_start)  # the sentinel is its own write and its own read
        # else: the tail of the output and the whole sentinel arrive in one read
    boundaries = [0, *sorted(cut for cut in cuts if 0 < cut < len(data)), len(data)]
    reads: list[bytes] = []
    for start, end in pairwise(boundaries):
        # A burst longer than the read buffer takes several reads.
        reads.extend(
            data[offset : min(offset + READ_SIZE, end)] for offset in range(start, end, READ_SIZE)
        )
    return reads


@dataclass(frozen=True)
class TaskScript:
    """Everything the Boss will relay for one task, and how the stream ends."""

    reads: tuple[bytes, ...]
    ending: Ending

    @property
    def data(self) -> bytes:
        return b"".join(self.reads)


def task_script(
    *,
    seed: int,
    peer_id: str,
    name: str,
    engine: str,
    prompt: str,
    files: Mapping[str, str],
    ending: Ending,
    refusal: bytes = b"",
    output: str | None = None,
) -> TaskScript:
    """The reads of one task. `ending` comes from the worker's state and its fault draw.

    * `sentinel`: the output, then FILES_INCOMING (when `files`) or NO_FILES.
    * `refused`: only `refusal` (one line), no sentinel; the stream closes cleanly.
    * `dropped`: a prefix of the output, then the stream is reset (no sentinel).
    """
    if ending == "refused":
        return TaskScript((refusal,), "refused")
    printed = worker_output(
        seed=seed,
        peer_id=peer_id,
        name=name,
        engine=engine,
        prompt=prompt,
        files=files,
        output=output,
    )
    rng = _rng(seed, peer_id, prompt, "reads")
    if ending == "dropped":
        cut = rng.randint(max(1, len(printed) // 3), max(1, 2 * len(printed) // 3))
        return TaskScript(tuple(plan_reads(printed[:cut], rng, sentinel_start=None)), "dropped")
    sentinel = FILES_INCOMING if files else NO_FILES
    reads = plan_reads(printed + sentinel, rng, sentinel_start=len(printed))
    return TaskScript(tuple(reads), "sentinel")
