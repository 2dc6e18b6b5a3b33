"""How `agentfm-py` writes: tables for people, JSON for programs, a progress bar, one-line errors.

Data goes to stdout: a table when stdout is a terminal, JSON when it is not (or with `--json`),
so `agentfm-py workers | jq` works without a flag. Progress and errors go to stderr; the progress
bar is drawn only when stderr is a terminal, as one line redrawn in place, so logs and pipes
never fill with `\\r` frames.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Sequence
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
        self.stdout_is_terminal = _is_terminal(stdout)
        self.json = force_json or not self.stdout_is_terminal
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
    """`progress(done, failed, total)` as one stderr line redrawn in place; silent when stderr is
    not a terminal.

    The bar is one line, never wider than the terminal (a wrapped line cannot be redrawn with
    `\\r`), redrawn at most every 0.1 s. When stdout is the same terminal, `above()` lifts the bar
    out of the way while a result line is printed, then draws it again under it; otherwise the
    bar never moves. `close()` replaces it with a summary line.
    """

    def __init__(self, output: Output, *, label: str) -> None:
        self._stream = output.stderr
        self._enabled = output.stderr_is_terminal
        self._shares_stdout = self._enabled and output.stdout_is_terminal
        self._label = label
        self._started = time.monotonic()
        self._last_drawn = -_REDRAW_SECONDS
        self._drawn = False
        self._counts: tuple[int, int, int | None] = (0, 0, None)

    def __call__(self, done: int, failed: int, total: int | None) -> None:
        self._counts = (done, failed, total)
        if not self._enabled:
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if finished or now - self._last_drawn >= _REDRAW_SECONDS:
            self._draw(now)

    @contextlib.contextmanager
    def above(self) -> Iterator[None]:
        """Print a line on stdout above the bar (the bar is erased, then drawn again)."""
        lifted = self._shares_stdout and self._drawn
        if lifted:
            self._erase()
        yield
        if lifted:
            self._draw(time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def close(self, summary: str | None = None) -> None:
        """Replace the bar with `summary` (on a terminal), or end its line so output that
        follows starts on a fresh one (no summary: e.g. interrupted)."""
        if not self._enabled:
            return
        if summary is not None:
            self._erase()
            self._write(summary + "\n")
        elif self._drawn:
            self._write("\n")
        self._drawn = False

    def _draw(self, now: float) -> None:
        done, failed, total = self._counts
        if total:
            filled = min(_BAR_WIDTH, _BAR_WIDTH * done // total)
            bar = f" [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total}"
        else:
            bar = f" {done} done"
        text = f"{self._label}{bar}  failed {failed}  {now - self._started:.1f}s"
        self._write("\r" + text[: _columns(self._stream) - 1] + "\x1b[K")
        self._last_drawn = now
        self._drawn = True

    def _erase(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def _columns(stream: TextIO) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    return max(columns, 20) if columns else 80  # 0: a terminal that never said its size
