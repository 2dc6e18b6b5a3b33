"""How `agentfm-py` writes: tables for people, JSON for programs, a progress bar, one-line errors.

Data goes to stdout: a table when stdout is a terminal, JSON when it is not (or with `--json`),
so `agentfm-py workers | jq` works without a flag. Progress and errors go to stderr; the progress
bar is drawn only when stderr is a terminal, so logs and pipes never fill with `\\r` frames.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["Output", "ProgressBar", "one_line"]

_BAR_WIDTH = 24
# Redraw at most this often: a batch of thousands of short prompts must not flood the terminal.
_REDRAW_SECONDS = 0.1


def one_line(message: str) -> str:
    """`message` with its line breaks and runs of blanks folded into single spaces."""
    return " ".join(message.split())


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Output:
    """stdout and stderr of one command run, and whether stdout wants JSON."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, force_json: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.json = force_json or not _is_terminal(stdout)
        self.stderr_is_terminal = _is_terminal(stderr)

    def write(self, text: str) -> None:
        """Text as it arrives (a streamed answer): written and flushed at once."""
        self.stdout.write(text)
        self.stdout.flush()

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def json_document(self, value: Any) -> None:
        """One JSON document, indented (a list or an object)."""
        self.line(json.dumps(value, indent=2, ensure_ascii=False, default=str))

    def json_line(self, value: Any) -> None:
        """One compact JSON value on one line (JSON lines), flushed so a reader sees it now."""
        self.line(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Left-aligned columns separated by two spaces; `(none)` for no rows."""
        cells = [[str(value) for value in row] for row in rows]
        if not cells:
            self.line("(none)")
            return
        widths = [
            max(len(header), *(len(row[column]) for row in cells))
            for column, header in enumerate(headers)
        ]
        for row in [list(headers), *cells]:
            self.line(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def fields(self, pairs: Sequence[tuple[str, object]]) -> None:
        """`name: value` lines with aligned values (one record, for a terminal)."""
        width = max(len(name) for name, _ in pairs)
        for name, value in pairs:
            self.line(f"{name + ':':<{width + 1}} {value}")

    def note(self, message: str) -> None:
        """A remark for the person at the terminal (stderr), never mixed into the data."""
        self.stderr.write(message + "\n")
        self.stderr.flush()


class ProgressBar:
    """`progress(done, failed, total)` drawn on one stderr line; silent when not a terminal."""

    def __init__(self, output: Output, *, label: str) -> None:
        self._stream = output.stderr
        self._enabled = output.stderr_is_terminal
        self._label = label
        self._started = time.monotonic()
        self._last_drawn = 0.0
        self._drawn = False

    def __call__(self, done: int, failed: int, total: int | None) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last_drawn < _REDRAW_SECONDS:
            return
        self._last_drawn = now
        if total:
            filled = min(_BAR_WIDTH, _BAR_WIDTH * done // total)
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            count = f"{done}/{total}"
        else:
            bar, count = "", str(done)
        elapsed = now - self._started
        text = f"{self._label} [{bar}] {count}  failed {failed}  {elapsed:.1f}s"
        self._stream.write("\r" + text + "\x1b[K")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line, so what follows starts on a fresh one."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
