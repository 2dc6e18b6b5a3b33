"""Decode the raw bytes of `/api/execute` into text and marker chunks, and judge completion.

The gateway relays the worker's output as it reads it, up to 1 KiB at a time, so chunk boundaries
are arbitrary: they split lines, UTF-8 sequences and sentinels
(docs/reference/gateway-protocol.md §5.4). The worker ends a completed task with a sentinel line
preceded by a newline, `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n`, and writes
nothing after it. A body that ends any other way (a refusal line, a crash, a dropped connection) is
still a 200, and is not a completed task.

`TaskOutputDecoder` is fed bytes as they arrive and returns chunks ready to hand to the caller.
It holds back only the bytes that could still turn out to be the start of a sentinel, and the
tail of an unfinished UTF-8 sequence. No I/O: the sync and async clients share it.
"""

from __future__ import annotations

import codecs
import re

from agentfm.models import TaskChunk

__all__ = ["COMPLETION_MARKERS", "FILES_INCOMING", "NO_FILES", "TaskOutputDecoder"]

FILES_INCOMING = "FILES_INCOMING"
NO_FILES = "NO_FILES"
COMPLETION_MARKERS = frozenset({FILES_INCOMING, NO_FILES})

_OPENING = b"\n[AGENTFM: "
_MARKER_LINE = re.compile(rb"\n\[AGENTFM: ([A-Z_]{1,40})\]\n")
# What a sentinel line looks like while it is still arriving.
_UNFINISHED_MARKER_LINE = re.compile(rb"\n\[AGENTFM: [A-Z_]{0,40}\]?")


def _held_back(buffer: bytes) -> int:
    """How many trailing bytes of `buffer` could begin a sentinel line."""
    for length in range(min(len(buffer), len(_OPENING) - 1), 0, -1):
        if _OPENING.startswith(buffer[-length:]):
            return length
    return 0


class TaskOutputDecoder:
    """Incremental decoder of one task's output stream."""

    def __init__(self) -> None:
        # A newline is prepended so a sentinel at the very start (empty output) still matches.
        self._pending = b"\n"
        self._prepended_newline = True
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._received: list[str] = []
        self._markers: list[str] = []
        self._completed = False

    @property
    def text(self) -> str:
        """All text delivered so far (sentinels excluded)."""
        return "".join(self._received)

    @property
    def markers(self) -> tuple[str, ...]:
        """Names of the markers seen so far, in order (e.g. `FILES_INCOMING`)."""
        return tuple(self._markers)

    @property
    def completed(self) -> bool:
        """True when the stream so far ends with a completion sentinel."""
        return self._completed

    @property
    def files_incoming(self) -> bool:
        """True when the worker announced an artifact zip."""
        return FILES_INCOMING in self._markers

    def _emit_text(self, raw: bytes, out: list[TaskChunk], *, final: bool = False) -> None:
        if self._prepended_newline and raw:
            raw = raw[1:]  # the newline this decoder prepended, not the worker's
            self._prepended_newline = False
        decoded = self._text.decode(raw, final=final)
        if decoded:
            self._received.append(decoded)
            out.append(TaskChunk(kind="text", text=decoded))
            self._completed = False

    def feed(self, data: bytes) -> list[TaskChunk]:
        """Take the next bytes of the body; return the chunks that are now certain."""
        out: list[TaskChunk] = []
        buffer = self._pending + data
        while True:
            start = buffer.find(_OPENING)
            if start == -1:
                keep = _held_back(buffer)
                self._emit_text(buffer[: len(buffer) - keep], out)
                self._pending = buffer[len(buffer) - keep :]
                return out
            self._emit_text(buffer[:start], out)
            buffer = buffer[start:]
            match = _MARKER_LINE.match(buffer)
            if match is not None:
                name = match.group(1).decode("ascii")
                self._prepended_newline = False
                self._markers.append(name)
                out.append(TaskChunk(kind="marker", text=f"[AGENTFM: {name}]", marker=name))
                self._completed = name in COMPLETION_MARKERS
                buffer = buffer[match.end() :]
                continue
            if _UNFINISHED_MARKER_LINE.fullmatch(buffer):
                self._pending = buffer  # maybe a sentinel still arriving
                return out
            # Not a sentinel after all: the newline is text; look again after it.
            self._emit_text(buffer[:1], out)
            buffer = buffer[1:]

    def finish(self) -> list[TaskChunk]:
        """The body ended: flush what was held back (it was text after all)."""
        out: list[TaskChunk] = []
        pending, self._pending = self._pending, b""
        self._emit_text(pending, out, final=True)
        return out
