"""agentfm 0.3.0's text-level stream helpers, for code that imports them.

The clients decode task streams with `agentfm._task_output.TaskOutputDecoder` (bytes in, text and
marker chunks out, completion judged) and SSE bodies with `agentfm._sse.SSEDecoder`. This module
keeps 0.3.0's simpler, line-oriented tools for people who filter text they already hold:

* `SentinelFilter`: feed it text; it yields the text line by line with every protocol line
  (one starting with `[AGENTFM:` after optional blanks) removed, and records whether the worker
  announced files (`artifacts_incoming`) or none (`artifacts_complete`). `finalize()` returns the
  last line when it had no newline. A line longer than 64 KiB is passed on in pieces, so memory
  stays bounded whatever the input.
* `filter_iter(chunks)`: the same over an iterable.
* `classify_sse_line(line)` / `parse_sse_lines(lines)`: the `data:` payloads of an SSE body,
  stopping at `data: [DONE]` (`SSE_DONE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from agentfm._task_output import FILES_INCOMING, NO_FILES

__all__ = [
    "ARTIFACT_INCOMING",
    "ARTIFACT_NONE",
    "SENTINEL_PREFIX",
    "SSE_DONE",
    "SentinelFilter",
    "classify_sse_line",
    "filter_iter",
    "parse_sse_lines",
]

SENTINEL_PREFIX: Final = "[AGENTFM:"
ARTIFACT_INCOMING: Final = f"[AGENTFM: {FILES_INCOMING}]"
ARTIFACT_NONE: Final = f"[AGENTFM: {NO_FILES}]"
# A partial line longer than this cannot be a sentinel still arriving: pass it on.
_MAX_HELD_LINE: Final = 64 * 1024


class _Done:
    """The type of `SSE_DONE`."""

    def __repr__(self) -> str:
        return "SSE_DONE"


SSE_DONE: Final = _Done()
"""What `classify_sse_line` returns for the `data: [DONE]` terminator: stop reading there."""


class SentinelFilter:
    """Removes protocol lines from task output fed as text (see the module docstring)."""

    __slots__ = ("_line", "artifacts_complete", "artifacts_incoming")

    def __init__(self) -> None:
        self._line = ""
        self.artifacts_incoming = False
        self.artifacts_complete = False

    def feed(self, chunk: str) -> Iterator[str]:
        """Take the next text; yield each line it completed (with its newline), minus sentinels."""
        buffer = self._line + chunk
        start = 0
        while (end := buffer.find("\n", start)) != -1:
            if self._keeps(buffer[start:end]):
                yield buffer[start : end + 1]
            start = end + 1
        self._line = buffer[start:]
        if len(self._line) > _MAX_HELD_LINE and not self._line.lstrip(" \t").startswith(
            SENTINEL_PREFIX
        ):
            held, self._line = self._line, ""
            yield held

    def finalize(self) -> str:
        """The text after the last newline ("" when there is none, or it was a sentinel)."""
        line, self._line = self._line, ""
        return line if line and self._keeps(line) else ""

    def _keeps(self, line: str) -> bool:
        stripped = line.lstrip(" \t")
        if not stripped.startswith(SENTINEL_PREFIX):
            return True
        if ARTIFACT_INCOMING in stripped:
            self.artifacts_incoming = True
        elif ARTIFACT_NONE in stripped:
            self.artifacts_complete = True
        return False


def filter_iter(chunks: Iterable[str]) -> Iterator[str]:
    """`SentinelFilter` over an iterable of text chunks, including the unterminated last line."""
    sentinel_filter = SentinelFilter()
    for chunk in chunks:
        yield from sentinel_filter.feed(chunk)
    tail = sentinel_filter.finalize()
    if tail:
        yield tail


def classify_sse_line(raw: str) -> str | _Done | None:
    """The payload of one SSE line: its `data:` text, `SSE_DONE` for `data: [DONE]`, or None
    for blank lines, comments and other fields."""
    line = raw.rstrip("\r\n")
    if not line.startswith("data:"):
        return None
    payload = line[len("data:") :].lstrip()
    if payload == "[DONE]":
        return SSE_DONE
    return payload or None


def parse_sse_lines(lines: Iterable[str]) -> Iterator[str]:
    """The `data:` payloads of SSE lines, in order, up to the `data: [DONE]` terminator."""
    for raw in lines:
        payload = classify_sse_line(raw)
        if payload is SSE_DONE:
            return
        if isinstance(payload, str):
            yield payload
