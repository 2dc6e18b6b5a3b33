"""The scatter checkpoint: an append-only JSON-lines file of finished prompts, one run at a time.

One line per finished prompt, written, flushed and fsynced before the result is handed to the
caller, so a process killed at any moment loses at most the tasks in flight:

    {"index":3,"prompt_sha256":"<hex>","status":"success","text":"...","error":null,
     "error_code":null,"worker_id":"12D3KooW...","attempts":1,"duration_seconds":0.41,
     "task_id":"task_...","artifacts":[]}

The prompt itself is not stored (the caller passes the prompts again); its SHA-256 is, so a re-run
with different prompts is refused (`InvalidRequestError`, code `checkpoint_mismatch`) instead of
mixing answers to two batches. A torn last line (the process died mid-write) is ignored and cut
off; a damaged line before the last is refused (`checkpoint_corrupt`): the file is not ours to
guess about. A prompt whose last line says `failed` is dispatched again on a re-run (it did not
succeed); its new line supersedes the old one.

Only one process (and one scatter call) may use a checkpoint at a time: `<checkpoint>.lock` is
held with an OS lock that dies with the process, so a SIGKILLed run never leaves a stale lock.
The lock file itself stays on disk: deleting it while another process opens it would let two
runs lock two different files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import IO, Any

import attrs

from agentfm.exceptions import InvalidRequestError
from agentfm.models import ScatterResult

__all__ = ["Checkpoint", "CheckpointEntry", "prompt_digest"]

logger = logging.getLogger("agentfm.scatter")

_SHA256_HEX_CHARS = 64
_STATUSES = frozenset({"success", "failed"})


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


def _lock_exclusively(handle: IO[bytes]) -> bool:
    """Take the OS lock on `handle` without waiting; False when another holder has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        # flock (not lockf): two opens in one process conflict too, so two scatter calls of the
        # same program cannot share a checkpoint either.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


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

    def __init__(self, path: Path, lock: IO[bytes], appender: IO[bytes], reader: IO[bytes]):
        self.path = path
        self._lock = lock
        self._appender = appender
        self._reader = reader
        self._entries: dict[int, CheckpointEntry] = {}
        self._closed = False

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Checkpoint:
        """Lock the checkpoint, read what it records, and cut off a torn last line."""
        target = Path(path)
        lock_path = target.with_name(target.name + ".lock")
        try:
            lock = open(lock_path, "a+b")  # noqa: SIM115 - held until close()
        except OSError as error:
            raise _checkpoint_error(
                target,
                f"cannot create its lock file ({error.strerror or error})",
                "checkpoint_unusable",
            ) from None
        if not _lock_exclusively(lock):
            lock.close()
            raise _checkpoint_error(
                target,
                f"in use by another scatter run (it holds {lock_path.name}); one run at a time",
                "checkpoint_locked",
            )
        try:
            appender = open(target, "ab")  # noqa: SIM115 - held until close()
            reader = open(target, "rb")  # noqa: SIM115 - held until close()
        except OSError as error:
            lock.close()
            raise _checkpoint_error(
                target, f"cannot be opened ({error.strerror or error})", "checkpoint_unusable"
            ) from None
        checkpoint = cls(target, lock, appender, reader)
        try:
            checkpoint._load()
        except BaseException:
            checkpoint.close()
            raise
        return checkpoint

    def _load(self) -> None:
        offset = 0
        good_end = 0
        damaged_at: int | None = None
        self._reader.seek(0)
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
            self._appender.truncate(good_end)
            os.fsync(self._appender.fileno())

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
        self._reader.seek(entry.offset)
        record = _parse_line(self._reader.readline())
        if record is None:
            raise _checkpoint_error(self.path, "changed while in use", "checkpoint_corrupt")
        return _result_from_record(record, prompt)

    # --- writing ----------------------------------------------------------------------------

    def append(self, index: int, prompt: object, result: ScatterResult) -> None:
        """Record a finished prompt durably: written, flushed and fsynced before returning."""
        digest = prompt_digest(prompt)
        line = _record_line(index, digest, result)
        try:
            # O_APPEND writes land at the end; seek there too, so `offset` is where this line is.
            offset = self._appender.seek(0, os.SEEK_END)
            self._appender.write(line)
            self._appender.flush()
            os.fsync(self._appender.fileno())
        except OSError as error:
            raise _checkpoint_error(
                self.path, f"cannot be written ({error.strerror or error})", "checkpoint_unusable"
            ) from None
        previous = self._entries.get(index)
        if previous is None or not previous.succeeded:
            self._entries[index] = CheckpointEntry(digest, result.status == "success", offset)

    def close(self) -> None:
        """Close the file and release the lock. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for handle in (self._appender, self._reader, self._lock):
            handle.close()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
