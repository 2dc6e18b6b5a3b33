"""Decode the raw bytes of `/api/execute` into text and marker chunks, and judge completion.

The gateway relays the worker's output as it reads it, up to 1 KiB at a time, so chunk boundaries
are arbitrary: they split lines, UTF-8 sequences and sentinels
(docs/reference/gateway-protocol.md §5.4). The worker ends a completed task with a sentinel line
preceded by a newline, `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n`, and writes
nothing after it. A body that ends any other way (a refusal line, a crash, a dropped connection) is
still a 200, and is not a completed task.

What is text: a sentinel is a whole line, `[AGENTFM: <NAME>]`, at the start of the body or after
a newline, ended by a newline. It becomes a marker chunk (empty text, `marker=<NAME>`). The
newline the worker writes before its closing sentinel is the worker's, not the agent's: when
nothing but sentinels follows it, it is not text (`"hi"` + `\\n[AGENTFM: NO_FILES]\\n` reads
`"hi"`). When text does follow (an agent that printed a sentinel-like line itself), that newline
is delivered before the text, so the lines on either side of a sentinel never run together
(`"a\\n[AGENTFM: X]\\nb"` reads `"a\\nb"`, as in 0.3.0). So the text differs from 0.3.0's, and
from the OpenAI routes' (docs/reference/gateway-protocol.md §5.10), only by that one trailing
newline of a completed task. Text after a sentinel is delivered; the task counts as completed only
when a completion sentinel is the last thing in the body.

`TaskOutputDecoder` is fed bytes as they arrive and returns chunks ready to hand to the caller.
It holds back only the bytes that could still turn out to be a sentinel line (under 60), a
trailing newline (which may yet precede a sentinel) and the tail of an unfinished UTF-8 sequence;
each byte is examined a constant number of times. The text it keeps for `.text` is capped
(`keep_text_bytes`), so an endless stream costs bounded memory. No I/O: the sync and async
clients share it.
"""

from __future__ import annotations

import codecs
import re

from agentfm._bounded_text import BoundedText
from agentfm.exceptions import InvalidRequestError, WorkerStreamError
from agentfm.models import TaskChunk

__all__ = [
    "COMPLETION_MARKERS",
    "FILES_INCOMING",
    "NO_FILES",
    "RUN_MAX_TEXT_BYTES",
    "STREAM_KEPT_TEXT_BYTES",
    "TaskOutputDecoder",
    "checked_max_text_bytes",
    "output_too_large_error",
]

FILES_INCOMING = "FILES_INCOMING"
NO_FILES = "NO_FILES"
COMPLETION_MARKERS = frozenset({FILES_INCOMING, NO_FILES})

STREAM_KEPT_TEXT_BYTES = 64 * 1024
"""What `tasks.stream()` keeps of the text for errors' `partial_text` (the caller got all of it as
chunks): enough for any refusal line, small enough that an endless stream costs nothing."""

_MAX_MARKERS_KEPT = 16

# A sentinel line at a line start, and what one looks like while it is still arriving.
_SENTINEL_LINE = re.compile(rb"\[AGENTFM: ([A-Z_]{1,40})\]\n")
_UNFINISHED_SENTINEL_LINE = re.compile(
    rb"\[(?:A(?:G(?:E(?:N(?:T(?:F(?:M(?::(?: (?:[A-Z_]{0,40}\]?)?)?)?)?)?)?)?)?)?)?"
)


class TaskOutputDecoder:
    """Incremental decoder of one task's output stream.

    `keep_text_bytes` caps the text kept for `.text` (the chunks returned carry all of it);
    `text_overflowed` tells when more arrived.
    """

    def __init__(self, *, keep_text_bytes: int = STREAM_KEPT_TEXT_BYTES) -> None:
        self._pending = b""  # bytes at a line start that may still become a sentinel line
        self._at_line_start = True
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._kept = BoundedText(keep_text_bytes)
        self._markers: list[str] = []
        self._files_incoming = False
        self._completed = False
        # A text newline not delivered yet: it goes out before the next text, or, when only
        # sentinels follow it to the end, it was the worker's newline before its sentinel.
        self._held_newline = False
        self._marker_after_newline = False

    @property
    def text(self) -> str:
        """The text delivered so far (sentinel lines excluded), up to `keep_text_bytes`."""
        return self._kept.text

    @property
    def text_limit_bytes(self) -> int:
        """How much of the text `.text` keeps (`keep_text_bytes`)."""
        return self._kept.limit_bytes

    @property
    def text_overflowed(self) -> bool:
        """True once more text arrived than `.text` keeps."""
        return self._kept.overflowed

    @property
    def received_text_bytes(self) -> int:
        """Bytes of text received so far, kept or not."""
        return self._kept.received_bytes

    @property
    def markers(self) -> tuple[str, ...]:
        """Names of the first markers seen (at most 16), in order (e.g. `FILES_INCOMING`)."""
        return tuple(self._markers)

    @property
    def completed(self) -> bool:
        """True when the stream so far ends with a completion sentinel."""
        return self._completed

    @property
    def files_incoming(self) -> bool:
        """True when the worker announced an artifact zip."""
        return self._files_incoming

    def feed(self, data: bytes) -> list[TaskChunk]:
        """Take the next bytes of the body; return the chunks that are now certain."""
        out: list[TaskChunk] = []
        buffer = self._pending + data if self._pending else data
        self._pending = b""
        text_start = position = 0
        end = len(buffer)
        while position < end:
            if self._at_line_start:
                sentinel = _SENTINEL_LINE.match(buffer, position)
                if sentinel is not None:
                    self._emit_text(buffer[text_start:position], out)
                    self._emit_marker(sentinel.group(1).decode("ascii"), out)
                    text_start = position = sentinel.end()
                    continue
                if _UNFINISHED_SENTINEL_LINE.fullmatch(buffer, position):
                    self._emit_text(buffer[text_start:position], out)
                    self._pending = buffer[position:]  # may still become a sentinel line
                    return out
            newline = buffer.find(b"\n", position)
            if newline == -1:
                self._at_line_start = False
                break
            position = newline + 1
            self._at_line_start = True
        self._emit_text(buffer[text_start:], out)
        return out

    def finish(self) -> list[TaskChunk]:
        """The body ended: flush what was held back (it was text after all)."""
        out: list[TaskChunk] = []
        pending, self._pending = self._pending, b""
        self._emit_text(pending, out, final=True)
        if self._held_newline and not self._marker_after_newline:
            self._held_newline = False
            self._deliver("\n", out)
        return out

    def _emit_text(self, raw: bytes, out: list[TaskChunk], *, final: bool = False) -> None:
        text = self._utf8.decode(raw, final=final)
        if not text:
            return
        self._completed = False
        if self._held_newline:
            text = "\n" + text
        self._held_newline = text.endswith("\n")
        self._marker_after_newline = False
        if self._held_newline:
            text = text[:-1]
        if text:
            self._deliver(text, out)

    def _deliver(self, text: str, out: list[TaskChunk]) -> None:
        self._kept.append(text)
        out.append(TaskChunk(kind="text", text=text))

    def _emit_marker(self, name: str, out: list[TaskChunk]) -> None:
        self._marker_after_newline = self._held_newline
        if len(self._markers) < _MAX_MARKERS_KEPT:
            self._markers.append(name)
        self._files_incoming = self._files_incoming or name == FILES_INCOMING
        self._completed = name in COMPLETION_MARKERS
        out.append(TaskChunk(kind="marker", text="", marker=name))


RUN_MAX_TEXT_BYTES = 16 * 1024 * 1024
"""`tasks.run(max_text_bytes=)`'s default: 16 MiB of UTF-8, the most the gateway itself returns
for one non-streamed answer on its OpenAI routes (docs/reference/gateway-protocol.md §5.10, §9)."""


def checked_max_text_bytes(max_text_bytes: object) -> int:
    """`max_text_bytes` as given, or `InvalidRequestError` unless it is a positive integer."""
    if isinstance(max_text_bytes, bool) or not isinstance(max_text_bytes, int):
        raise InvalidRequestError(
            f"max_text_bytes must be a positive integer, not {max_text_bytes!r}",
            code="invalid_argument",
        )
    if max_text_bytes <= 0:
        raise InvalidRequestError(
            f"max_text_bytes must be a positive integer, not {max_text_bytes}",
            code="invalid_argument",
        )
    return max_text_bytes


def output_too_large_error(decoder: TaskOutputDecoder, worker_id: str) -> WorkerStreamError:
    """`run` stopped reading: the task's text passed `max_text_bytes` (kept in `partial_text`)."""
    return WorkerStreamError(
        f"the task on worker {worker_id} produced more than {decoder.text_limit_bytes} bytes of "
        "text, the max_text_bytes of tasks.run; the connection was closed and the first "
        f"{decoder.text_limit_bytes} bytes are in partial_text (use tasks.stream to read "
        "output of any length)",
        code="output_too_large",
        status=200,
        partial_text=decoder.text,
    )
