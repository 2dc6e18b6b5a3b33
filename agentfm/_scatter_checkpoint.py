"""The scatter checkpoint: an append-only JSON-lines file of finished prompts, one run at a time.

The first line is the header that marks the file as ours,

    {"format":"agentfm-scatter-checkpoint","version":1}

then one line per finished prompt, written, flushed and fsynced before the result is handed to
the caller, so a process killed at any moment loses at most the tasks in flight:

    {"index":3,"prompt_sha256":"<hex>","status":"success","text":"...","error":null,
     "error_code":null,"worker_id":"12D3KooW...","attempts":1,"duration_seconds":0.41,
     "task_id":"task_...","artifacts":[]}

A path that does not exist, or an empty file, becomes a new checkpoint. Any other file whose first
line is not that header (your notes, a JSON document, a binary) is refused with
`InvalidRequestError` code `checkpoint_foreign` and left byte for byte as it was; so is anything
that is not a regular file (`checkpoint_unusable`).

The prompt itself is not stored (the caller passes the prompts again); its SHA-256 is, so a re-run
with different prompts is refused (`InvalidRequestError`, code `checkpoint_mismatch`) instead of
mixing answers to two batches. A torn last line (the process died mid-write) is ignored and cut
off; a damaged line before the last is refused (`checkpoint_corrupt`): the file is not ours to
guess about. A prompt whose last line says `failed` is dispatched again on a re-run (it did not
succeed); its new line supersedes the old one.

A write that fails (disk full, quota, I/O error) is `checkpoint_unusable`: the partial line is cut
back off (or, if even that fails, left as a torn last line that the next run drops) and nothing
more is appended, so a re-run after freeing space repeats only the prompts that were not recorded.

Only one process (and one scatter call) may use a checkpoint at a time (`checkpoint_locked`). On
POSIX the lock is an OS lock on the checkpoint file itself, so it belongs to the file (its inode),
whatever path, symlink or hard link names it, and dies with the process (a SIGKILLed run never
leaves a stale lock). On Windows the lock is `<real path>.lock`, which resolves symlinks but not
hard links. Deleting or renaming the checkpoint while a run uses it is not detected.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
from pathlib import Path
from typing import IO, Any

import attrs

from agentfm.exceptions import InvalidRequestError
from agentfm.models import ScatterResult

__all__ = ["HEADER", "Checkpoint", "CheckpointEntry", "prompt_digest"]

logger = logging.getLogger("agentfm.scatter")

_SHA256_HEX_CHARS = 64
_STATUSES = frozenset({"success", "failed"})
_FORMAT = "agentfm-scatter-checkpoint"
_VERSION = 1
# The first line of every checkpoint: what marks a file as ours.
HEADER = (
    json.dumps({"format": _FORMAT, "version": _VERSION}, separators=(",", ":")).encode() + b"\n"
)
# A first line longer than this is not a header: read no further into a file that is not ours.
_MAX_HEADER_BYTES = 256
# O_NONBLOCK: opening a FIFO someone named as the checkpoint must not hang; it is refused after.
_OPEN_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_APPEND
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)
)


def prompt_digest(prompt: object) -> str:
    """The SHA-256 (hex) that identifies a prompt in a checkpoint line."""
    text = prompt if isinstance(prompt, str) else repr(prompt)
    # surrogatepass: a str may hold lone surrogates; it must still hash, and hash the same way.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen
class CheckpointEntry:
    """What the checkpoint knows about one prompt index: its last recorded line."""

    digest: str
    succeeded: bool
    offset: int


def _checkpoint_error(path: Path, message: str, code: str) -> InvalidRequestError:
    return InvalidRequestError(f"checkpoint {path}: {message}", code=code)


def _flock_exclusively(fd: int) -> bool:
    """Take the OS lock on the open file `fd` without waiting; False when another holder has it.

    flock (not lockf): the lock belongs to the open file, so two opens in one process conflict
    too (two scatter calls of one program cannot share a checkpoint), and it is keyed by the
    inode, so every path that names the file meets the same lock.
    """
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _windows_lock(target: Path) -> IO[bytes] | None:
    """The held `<real path>.lock`, or None when another holder has it (Windows: msvcrt locks
    are mandatory byte ranges, so locking the checkpoint itself would block reading it)."""
    import msvcrt

    lock = open(os.path.realpath(target) + ".lock", "a+b")  # noqa: SIM115 - held until close()
    try:
        msvcrt.locking(lock.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        lock.close()
        return None
    return lock


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data` (os.write may write fewer) and make it durable."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _same_file(first: os.stat_result, second: os.stat_result) -> bool:
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _parse_line(line: bytes) -> dict[str, Any] | None:
    """The record on one line, or None when the line is not a well-formed record."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    index, digest = record.get("index"), record.get("prompt_sha256")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return None
    if not isinstance(digest, str) or len(digest) != _SHA256_HEX_CHARS:
        return None
    if record.get("status") not in _STATUSES:
        return None
    return record


def _text_field(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) else None


def _result_from_record(record: dict[str, Any], prompt: str) -> ScatterResult:
    attempts = record.get("attempts")
    duration = record.get("duration_seconds")
    artifacts = record.get("artifacts")
    return ScatterResult(
        prompt=prompt,
        status="success" if record["status"] == "success" else "failed",
        text=_text_field(record, "text") or "",
        error=_text_field(record, "error"),
        worker_id=_text_field(record, "worker_id"),
        artifacts=[Path(item) for item in artifacts if isinstance(item, str)]
        if isinstance(artifacts, list)
        else [],
        attempts=attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 0,
        duration_seconds=float(duration) if isinstance(duration, (int, float)) else 0.0,
        task_id=_text_field(record, "task_id"),
        error_code=_text_field(record, "error_code"),
    )


def _record_line(index: int, digest: str, result: ScatterResult) -> bytes:
    # The prompt itself is recorded by its hash: a re-run supplies the prompts again.
    fields = result.to_dict()
    del fields["prompt"]
    record = {"index": index, "prompt_sha256": digest, **fields}
    # ASCII escapes keep every line valid UTF-8 whatever the text holds; JSON escapes newlines,
    # so one record is always exactly one line.
    return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


class Checkpoint:
    """An open, locked checkpoint file: what it records, and appending to it."""

    def __init__(self, path: Path, fd: int, reader: IO[bytes], lock: IO[bytes] | None) -> None:
        self.path = path
        self._fd = fd  # O_APPEND, unbuffered: nothing is ever half-held in a buffer
        self._reader = reader
        self._lock = lock
        self._entries: dict[int, CheckpointEntry] = {}
        self._broken: str | None = None
        self._closed = False

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Checkpoint:
        """Lock the checkpoint, check it is ours, read what it records, cut a torn last line.

        Never writes to a file that is not a checkpoint (see the module docstring).
        """
        target = Path(path)
        try:
            fd = os.open(target, _OPEN_FLAGS, 0o644)
        except OSError as error:
            raise _checkpoint_error(
                target, f"cannot be opened ({error.strerror or error})", "checkpoint_unusable"
            ) from None
        lock: IO[bytes] | None = None
        reader: IO[bytes] | None = None
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise _checkpoint_error(
                    target, "is not a regular file; refusing to use it", "checkpoint_unusable"
                )
            if sys.platform == "win32":
                lock = _windows_lock(target)
                locked = lock is not None
            else:
                locked = _flock_exclusively(fd)
            if not locked:
                raise _checkpoint_error(
                    target, "in use by another scatter run; one run at a time", "checkpoint_locked"
                )
            reader = open(target, "rb")  # noqa: SIM115 - held until close()
            if not _same_file(opened, os.fstat(reader.fileno())):
                raise _checkpoint_error(
                    target, "was replaced while being opened", "checkpoint_unusable"
                )
        except BaseException as error:
            for handle in (reader, lock):
                if handle is not None:
                    handle.close()
            os.close(fd)
            if isinstance(error, OSError):
                raise _checkpoint_error(
                    target, f"cannot be opened ({error.strerror or error})", "checkpoint_unusable"
                ) from None
            raise
        checkpoint = cls(target, fd, reader, lock)
        try:
            checkpoint._load()
        except OSError as error:
            checkpoint.close()
            raise _checkpoint_error(
                target, f"cannot be read ({error.strerror or error})", "checkpoint_unusable"
            ) from None
        except BaseException:
            checkpoint.close()
            raise
        return checkpoint

    def _claim(self) -> int:
        """Check the file is ours (writing the header into an empty one); where records start."""
        self._reader.seek(0)
        first = self._reader.readline(_MAX_HEADER_BYTES)
        if first == HEADER:
            return len(first)
        if not first or (
            not first.endswith(b"\n") and HEADER.startswith(first) and not self._reader.read(1)
        ):
            # Empty, or only a header torn by a crash while it was written: a new checkpoint.
            self._write(HEADER, truncate_to=0)
            return len(HEADER)
        try:
            header = json.loads(first)
        except ValueError:
            header = None
        version = header.get("version") if isinstance(header, dict) else None
        if isinstance(header, dict) and header.get("format") == _FORMAT and version != _VERSION:
            raise _checkpoint_error(
                self.path,
                f"was written in checkpoint format version {version!r}; this "
                f"agentfm reads version {_VERSION}",
                "checkpoint_unusable",
            )
        raise _checkpoint_error(
            self.path,
            "is not a scatter checkpoint (its first line is not the agentfm checkpoint header); "
            "it was left untouched: pass a new path or an empty file",
            "checkpoint_foreign",
        )

    def _load(self) -> None:
        offset = good_end = self._claim()
        damaged_at: int | None = None
        self._reader.seek(offset)
        for line in self._reader:
            start, offset = offset, offset + len(line)
            record = _parse_line(line) if line.endswith(b"\n") else None
            if record is None:
                if damaged_at is None:
                    damaged_at = start
                continue
            if damaged_at is not None:
                raise _checkpoint_error(
                    self.path,
                    f"damaged line at byte {damaged_at} followed by valid lines; "
                    "refusing to guess which results it held",
                    "checkpoint_corrupt",
                )
            good_end = offset
            index = record["index"]
            previous = self._entries.get(index)
            succeeded = record["status"] == "success"
            # A success is final: a later line for the same index cannot undo it.
            if previous is None or not previous.succeeded:
                self._entries[index] = CheckpointEntry(record["prompt_sha256"], succeeded, start)
        if damaged_at is not None:
            logger.warning(
                "scatter checkpoint %s: dropping a torn last line (%d bytes)",
                self.path,
                offset - good_end,
            )
            try:
                os.ftruncate(self._fd, good_end)
                os.fsync(self._fd)
            except OSError as error:
                raise _checkpoint_error(
                    self.path,
                    f"cannot cut off its torn last line ({error.strerror or error})",
                    "checkpoint_unusable",
                ) from None

    # --- reading ----------------------------------------------------------------------------

    def entry(self, index: int) -> CheckpointEntry | None:
        return self._entries.get(index)

    @property
    def lowest_index(self) -> int | None:
        """The smallest recorded index (a re-run checks it before dispatching anything)."""
        return min(self._entries) if self._entries else None

    @property
    def highest_index(self) -> int | None:
        return max(self._entries) if self._entries else None

    def check(self, index: int, prompt: object) -> CheckpointEntry | None:
        """The entry for `index`, after checking it was written for this very prompt."""
        entry = self._entries.get(index)
        if entry is not None and entry.digest != prompt_digest(prompt):
            raise _checkpoint_error(
                self.path,
                f"it was written for different prompts (prompt #{index} differs); use another "
                "checkpoint file, or delete this one to start over",
                "checkpoint_mismatch",
            )
        return entry

    def stored_result(self, entry: CheckpointEntry, prompt: str) -> ScatterResult:
        """The result a line recorded (read back from disk: texts are not kept in memory)."""
        try:
            self._reader.seek(entry.offset)
            record = _parse_line(self._reader.readline())
        except OSError as error:
            raise _checkpoint_error(
                self.path, f"cannot be read ({error.strerror or error})", "checkpoint_unusable"
            ) from None
        if record is None:
            raise _checkpoint_error(self.path, "changed while in use", "checkpoint_corrupt")
        return _result_from_record(record, prompt)

    # --- writing ----------------------------------------------------------------------------

    def _write(self, data: bytes, *, truncate_to: int | None = None) -> int:
        """Append `data` durably; the offset it starts at. On failure cut the file back to
        where it was, stop appending for good, and raise `checkpoint_unusable`."""
        if self._broken is not None:
            raise _checkpoint_error(
                self.path, f"is no longer written to ({self._broken})", "checkpoint_unusable"
            )
        before: int | None = None
        try:
            if truncate_to is not None:
                os.ftruncate(self._fd, truncate_to)
            before = os.lseek(self._fd, 0, os.SEEK_END)
            _write_all(self._fd, data)
        except OSError as error:
            reason = f"cannot be written ({error.strerror or error})"
            self._broken = reason
            if before is not None:
                try:
                    # A partial line must not stay: a later line after it would make the file
                    # look damaged in the middle. If even this fails, it is a torn last line,
                    # which the next run cuts off.
                    os.ftruncate(self._fd, before)
                    os.fsync(self._fd)
                except OSError:
                    logger.warning("scatter checkpoint %s: a partial line remains", self.path)
            raise _checkpoint_error(self.path, reason, "checkpoint_unusable") from None
        return before

    def append(self, index: int, prompt: object, result: ScatterResult) -> None:
        """Record a finished prompt durably: written and fsynced before returning.

        Raises `checkpoint_unusable` when the write fails (then and on every later call).
        """
        digest = prompt_digest(prompt)
        offset = self._write(_record_line(index, digest, result))
        previous = self._entries.get(index)
        if previous is None or not previous.succeeded:
            self._entries[index] = CheckpointEntry(digest, result.status == "success", offset)

    def close(self) -> None:
        """Close the file and release the lock. Idempotent; never raises (every line already
        reached the disk when it was appended)."""
        if self._closed:
            return
        self._closed = True
        for close in (self._reader.close, lambda: os.close(self._fd)) + (
            (self._lock.close,) if self._lock is not None else ()
        ):
            try:
                close()
            except OSError as error:
                logger.warning("scatter checkpoint %s: closing failed: %s", self.path, error)

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
