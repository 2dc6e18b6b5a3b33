"""Wait for the artifact zips the gateway writes for tasks, and extract them safely.

There is no HTTP download (docs/reference/gateway-protocol.md §6): the gateway writes each task's
zip on its own disk as `<gateway cwd>/agentfm_artifacts/<task_id>.zip`, first as
`<task_id>.zip.part` and then renamed, so a `.zip` that exists is complete and a `.part` is never
read. Only a client on the gateway's host can read it.

    manager = ArtifactManager("/srv/gateway/agentfm_artifacts")
    paths = manager.collect_for_task(task_id, timeout=60)   # list[Path], sorted, files only

Where things go:

* `watch_dir`: the gateway's artifact folder. Default `./agentfm_artifacts`, relative to this
  process's working directory when the manager is made (the 0.3.0 default, right when the
  gateway runs in the same directory).
* `extract_dir`: the extraction root. Default `<watch_dir>/extracted`. Every archive gets a
  folder of its own, `<extract_dir>/<task_id>/` (for `extract(zip_path)`: the zip's stem), so
  two tasks that both write `policy.md` keep both files. Extracting the same task again
  replaces its folder. The zip itself is left where the gateway put it.

Extraction refuses, with `ArtifactError`, anything a worker should not be able to do to the
caller's disk: paths that leave the folder (`../`, absolute, drive letters, backslashes),
symlink or device entries, encrypted entries, duplicate names (also differing only in case),
more entries than `max_entries`, more bytes than `max_extract_bytes` (counted while writing, not
taken from the headers), a compression ratio beyond `max_compression_ratio`, and corrupt or
truncated archives. It writes into a temporary sibling folder and renames it into place only
when every entry was written, so a refusal leaves nothing behind. File permissions from the
archive are not applied; the task folder is owner-only (0700).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import attrs

from agentfm._identifiers import is_task_id
from agentfm.exceptions import ArtifactError, ArtifactTimeoutError, InvalidRequestError

__all__ = [
    "DEFAULT_MAX_COMPRESSION_RATIO",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_EXTRACT_BYTES",
    "DEFAULT_WATCH_DIR",
    "ArtifactManager",
    "checked_timeout",
]

logger = logging.getLogger("agentfm.artifacts")

# docs/reference/gateway-protocol.md §6: the gateway writes artifacts to `./agentfm_artifacts` under
# its working directory.
DEFAULT_WATCH_DIR = "agentfm_artifacts"
EXTRACTED_SUBDIR = "extracted"
DEFAULT_MAX_EXTRACT_BYTES = 1 << 30
DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_COMPRESSION_RATIO = 100.0
# Small entries reach absurd ratios harmlessly (100 KiB of spaces deflates about 1000:1), so the
# ratio cap only applies once an entry has inflated past this many bytes.
RATIO_GRACE_BYTES = 1 << 20

_COPY_CHUNK = 64 * 1024
# The zip lands within milliseconds of the task's response ending
# (docs/reference/gateway-protocol.md §6): poll fast at first, then back off.
_FIRST_POLL_SECONDS = 0.01
_MAX_POLL_SECONDS = 0.25
_DRIVE = re.compile(r"^[A-Za-z]:")
_SHOWN_NAME_CHARS = 120
# What a broken archive makes zipfile raise while it is opened or read.
_CORRUPT_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def checked_timeout(value: float) -> float:
    """`value` as seconds to wait, refused when it is not a number >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or value < 0
    ):
        raise InvalidRequestError(
            f"artifact timeout must be a number of seconds >= 0, not {value!r}",
            code="invalid_timeout",
        )
    return float(value)


def _checked_cap(name: str, value: float, kind: type[int] | type[float]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidRequestError(
            f"{name} must be a positive number, not {value!r}", code="invalid_artifact_cap"
        )
    if kind is int and not isinstance(value, int):
        raise InvalidRequestError(
            f"{name} must be a whole number, not {value!r}", code="invalid_artifact_cap"
        )
    return value


def _shown(name: str) -> str:
    """An entry name fit for a message: escaped (it comes from the worker) and shortened."""
    shown = repr(name)
    return shown if len(shown) <= _SHOWN_NAME_CHARS else shown[:_SHOWN_NAME_CHARS] + "..."


def _refusal(archive: Path, reason: str, code: str) -> ArtifactError:
    return ArtifactError(f"artifact {archive.name} refused: {reason}", code=code)


@attrs.frozen
class _Limits:
    max_bytes: int
    max_entries: int
    max_ratio: float


@attrs.frozen
class _Entry:
    """One archive member that passed the checks, with its path split into safe parts."""

    info: zipfile.ZipInfo
    parts: tuple[str, ...]
    is_dir: bool


def _entry_parts(info: zipfile.ZipInfo, archive: Path) -> tuple[str, ...]:
    """The path parts of an entry, refusing every name that could leave the task folder."""
    name = info.orig_filename
    if "\x00" in name:
        raise _refusal(
            archive, f"entry {_shown(name)} has a NUL in its name", "artifact_unsafe_path"
        )
    if "\\" in name:
        # The gateway writes `/` separators only (docs/reference/gateway-protocol.md §6); a
        # backslash is a Windows path trick.
        raise _refusal(
            archive, f"entry {_shown(name)} contains a backslash", "artifact_unsafe_path"
        )
    if name.startswith("/"):
        raise _refusal(archive, f"entry {_shown(name)} is an absolute path", "artifact_unsafe_path")
    parts = name.split("/")
    if info.is_dir():
        parts = parts[:-1]
    if not parts:
        raise _refusal(archive, f"entry {_shown(name)} has an empty name", "artifact_unsafe_path")
    for part in parts:
        if part in ("", ".", ".."):
            raise _refusal(
                archive,
                f"entry {_shown(name)} has a {part or 'empty'!r} path part",
                "artifact_unsafe_path",
            )
        if _DRIVE.match(part) or (os.name == "nt" and ":" in part):
            raise _refusal(
                archive, f"entry {_shown(name)} names a drive or stream", "artifact_unsafe_path"
            )
    return tuple(parts)


def _check_kind(info: zipfile.ZipInfo, archive: Path) -> None:
    """Only regular files and directories: no symlinks, devices or encrypted members."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise _refusal(
            archive, f"entry {_shown(info.orig_filename)} is a symlink", "artifact_symlink"
        )
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR) or (kind == stat.S_IFDIR and not info.is_dir()):
        raise _refusal(
            archive,
            f"entry {_shown(info.orig_filename)} is not a regular file or directory",
            "artifact_special_file",
        )
    if info.flag_bits & 0x1:
        raise _refusal(
            archive, f"entry {_shown(info.orig_filename)} is encrypted", "artifact_encrypted"
        )


def _too_inflated(written: int, compressed: int, limits: _Limits) -> bool:
    return written > RATIO_GRACE_BYTES and written > limits.max_ratio * max(compressed, 1)


def _plan(infos: Sequence[zipfile.ZipInfo], archive: Path, limits: _Limits) -> list[_Entry]:
    """Check every entry before anything is written (no I/O). Sizes in the headers are only
    used to refuse early: the extraction counts the bytes it really writes."""
    if len(infos) > limits.max_entries:
        raise _refusal(
            archive,
            f"{len(infos)} entries, more than the cap of {limits.max_entries}",
            "artifact_too_many_entries",
        )
    entries: list[_Entry] = []
    files: set[str] = set()
    directories: set[str] = set()  # `dir/` entries
    parents: set[str] = set()  # folders that entries are inside of
    declared = 0
    for info in infos:
        _check_kind(info, archive)
        parts = _entry_parts(info, archive)
        is_dir = info.is_dir()
        # Case-folded, so two names cannot land on one file on a case-insensitive disk.
        key = "/".join(parts).casefold()
        if key in files or key in directories or (not is_dir and key in parents):
            raise _refusal(
                archive,
                f"entry {_shown(info.orig_filename)} is a duplicate name",
                "artifact_duplicate",
            )
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth]).casefold()
            if parent in files:
                raise _refusal(
                    archive,
                    f"entry {_shown(info.orig_filename)} is inside a file entry",
                    "artifact_duplicate",
                )
            parents.add(parent)
        (directories if is_dir else files).add(key)
        if not is_dir:
            declared += info.file_size
            if declared > limits.max_bytes:
                raise _refusal(
                    archive,
                    f"it would extract more than the cap of {limits.max_bytes} bytes",
                    "artifact_too_large",
                )
            if _too_inflated(info.file_size, info.compress_size, limits):
                raise _refusal(
                    archive,
                    f"entry {_shown(info.orig_filename)} has a compression ratio beyond "
                    f"{limits.max_ratio:g}",
                    "artifact_ratio",
                )
        entries.append(_Entry(info=info, parts=parts, is_dir=is_dir))
    return entries


_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class _ByteBudget:
    """Counts what extraction really writes, against the archive's caps."""

    def __init__(self, archive: Path, limits: _Limits) -> None:
        self._archive = archive
        self._limits = limits
        self._total = 0

    def spend(self, entry: _Entry, written: int, chunk: int) -> None:
        self._total += chunk
        if self._total > self._limits.max_bytes:
            raise _refusal(
                self._archive,
                f"it inflates past the cap of {self._limits.max_bytes} bytes",
                "artifact_too_large",
            )
        if _too_inflated(written, entry.info.compress_size, self._limits):
            raise _refusal(
                self._archive,
                f"entry {_shown(entry.info.orig_filename)} inflates beyond a compression ratio "
                f"of {self._limits.max_ratio:g}",
                "artifact_ratio",
            )


def _unpack(archive_path: Path, staging: Path, limits: _Limits) -> list[tuple[str, ...]]:
    """Write the archive's entries under `staging`; the path parts of every file written."""
    written_files: list[tuple[str, ...]] = []
    try:
        with zipfile.ZipFile(archive_path) as archive:
            entries = _plan(archive.infolist(), archive_path, limits)
            budget = _ByteBudget(archive_path, limits)
            for entry in entries:
                target = staging.joinpath(*entry.parts)
                if entry.is_dir:
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with (
                    archive.open(entry.info) as source,
                    open(os.open(target, _NEW_FILE_FLAGS, 0o644), "wb") as sink,
                ):
                    written = 0
                    while chunk := source.read(_COPY_CHUNK):
                        written += len(chunk)
                        budget.spend(entry, written, len(chunk))
                        sink.write(chunk)
                written_files.append(entry.parts)
    except _CORRUPT_ARCHIVE_ERRORS as error:
        # zipfile's messages quote entry names, which come from the worker: keep them short.
        detail = str(error)[:_SHOWN_NAME_CHARS]
        raise _refusal(
            archive_path, f"the archive is corrupt or truncated ({detail})", "artifact_corrupt"
        ) from None
    except OSError as error:
        raise ArtifactError(
            f"artifact {archive_path.name} could not be extracted: {error}", code="artifact_io"
        ) from None
    return written_files


def _publish(staging: Path, destination: Path) -> None:
    """Move a fully written folder into place, replacing an earlier extraction of the same
    archive (a directory rename cannot overwrite a non-empty directory)."""
    if os.path.lexists(destination):
        retired = staging.with_name(staging.name + ".old")
        os.replace(destination, retired)
        os.replace(staging, destination)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, destination)


class _PollSchedule:
    """When to look for the zip again, until `timeout` seconds have passed."""

    def __init__(self, timeout: float) -> None:
        self._deadline = time.monotonic() + timeout
        self._delay = _FIRST_POLL_SECONDS

    def next_delay(self) -> float | None:
        """Seconds to wait before the next look, or None when the time is up."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            return None
        delay = min(self._delay, remaining)
        self._delay = min(self._delay * 2, _MAX_POLL_SECONDS)
        return delay


class ArtifactManager:
    """Finds a task's zip in the gateway's artifact folder and extracts it into its own folder.

    `watch_dir`: the gateway's `agentfm_artifacts` folder (default `./agentfm_artifacts`).
    `extract_dir`: the extraction root (default `<watch_dir>/extracted`); each archive gets
    `<extract_dir>/<task_id>/`. The caps bound what one archive may extract. Safe to share
    between threads: each call works in folders of its own.
    """

    def __init__(
        self,
        watch_dir: str | os.PathLike[str] | None = None,
        *,
        extract_dir: str | os.PathLike[str] | None = None,
        max_extract_bytes: int = DEFAULT_MAX_EXTRACT_BYTES,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_compression_ratio: float = DEFAULT_MAX_COMPRESSION_RATIO,
    ) -> None:
        # Absolute now, so a later chdir does not move where this manager looks or writes.
        self.watch_dir = Path(
            os.path.abspath(DEFAULT_WATCH_DIR if watch_dir is None else watch_dir)
        )
        self.extract_dir = (
            self.watch_dir / EXTRACTED_SUBDIR
            if extract_dir is None
            else Path(os.path.abspath(extract_dir))
        )
        self._limits = _Limits(
            max_bytes=int(_checked_cap("max_extract_bytes", max_extract_bytes, int)),
            max_entries=int(_checked_cap("max_entries", max_entries, int)),
            max_ratio=float(_checked_cap("max_compression_ratio", max_compression_ratio, float)),
        )

    @property
    def max_extract_bytes(self) -> int:
        return self._limits.max_bytes

    @property
    def max_entries(self) -> int:
        return self._limits.max_entries

    @property
    def max_compression_ratio(self) -> float:
        return self._limits.max_ratio

    def __repr__(self) -> str:
        return (
            f"ArtifactManager(watch_dir={str(self.watch_dir)!r}, "
            f"extract_dir={str(self.extract_dir)!r}, max_extract_bytes={self.max_extract_bytes})"
        )

    def zip_path(self, task_id: str) -> Path:
        """Where the gateway puts the task's zip: `<watch_dir>/<task_id>.zip`."""
        if not isinstance(task_id, str) or not is_task_id(task_id):
            raise InvalidRequestError(
                f"task_id {task_id!r} is not a gateway task id (1-128 of [A-Za-z0-9_.-])",
                code="invalid_task_id",
            )
        return self.watch_dir / f"{task_id}.zip"

    def task_dir(self, task_id: str) -> Path:
        """The folder the task's files are extracted into: `<extract_dir>/<task_id>`."""
        return self.extract_dir / self.zip_path(task_id).stem

    def collect_for_task(self, task_id: str, timeout: float = 120.0) -> list[Path]:
        """Wait up to `timeout` seconds for the task's zip, then extract it.

        Raises `ArtifactTimeoutError` when the zip does not appear in time (the worker's transfer
        failed, or `watch_dir` is not the gateway's folder), `ArtifactError` when it is refused.
        """
        zip_path = self.zip_path(task_id)
        schedule = _PollSchedule(checked_timeout(timeout))
        while True:
            if self._zip_ready(zip_path):
                return self.extract(zip_path)
            delay = schedule.next_delay()
            if delay is None:
                raise self._timeout_error(task_id, zip_path, timeout)
            time.sleep(delay)

    async def acollect_for_task(self, task_id: str, timeout: float = 120.0) -> list[Path]:
        """`collect_for_task` for asyncio: waits without blocking the event loop."""
        zip_path = self.zip_path(task_id)
        schedule = _PollSchedule(checked_timeout(timeout))
        while True:
            if await asyncio.to_thread(self._zip_ready, zip_path):
                return await asyncio.to_thread(self.extract, zip_path)
            delay = schedule.next_delay()
            if delay is None:
                raise self._timeout_error(task_id, zip_path, timeout)
            await asyncio.sleep(delay)

    def extract(self, zip_path: str | os.PathLike[str]) -> list[Path]:
        """Extract a zip into `<extract_dir>/<zip stem>/`; the files written, sorted.

        All or nothing: on any refusal (`ArtifactError`) no file of the archive is left.
        """
        archive = Path(os.path.abspath(zip_path))
        folder = archive.stem if archive.suffix.lower() == ".zip" else archive.name
        if folder in ("", ".", ".."):
            raise ArtifactError(
                f"cannot name an extraction folder after {archive.name!r}", code="artifact_name"
            )
        destination = self.extract_dir / folder
        try:
            self.extract_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{folder}.", dir=self.extract_dir))
        except OSError as error:
            raise ArtifactError(
                f"cannot create the extraction folder under {self.extract_dir}: {error}",
                code="artifact_io",
            ) from None
        try:
            parts = _unpack(archive, staging, self._limits)
            try:
                _publish(staging, destination)
            except OSError as error:
                raise ArtifactError(
                    f"cannot move the files of {archive.name} into {destination}: {error}",
                    code="artifact_io",
                ) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        logger.debug("extracted %d file(s) from %s into %s", len(parts), archive, destination)
        return sorted(destination.joinpath(*entry) for entry in parts)

    @staticmethod
    def _zip_ready(zip_path: Path) -> bool:
        # Only the renamed `.zip` counts: `.zip.part` is a transfer still running
        # (docs/reference/gateway-protocol.md §6).
        try:
            return zip_path.is_file()
        except OSError as error:
            raise ArtifactError(
                f"cannot look for {zip_path}: {error}", code="artifact_io"
            ) from None

    @staticmethod
    def _timeout_error(task_id: str, zip_path: Path, timeout: float) -> ArtifactTimeoutError:
        return ArtifactTimeoutError(
            f"task {task_id}: the worker announced files but {zip_path} did not appear within "
            f"{timeout:g} s. The gateway writes it under its own working directory, so "
            "artifacts_dir must be <gateway cwd>/agentfm_artifacts; it never appears when the "
            "worker's transfer failed",
            code="artifact_timeout",
            task_id=task_id,
        )
