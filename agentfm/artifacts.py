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
taken from the headers), a compression ratio beyond `max_compression_ratio` (for each entry, and
for the whole archive: everything written against the zip's size on disk; both once past
`RATIO_GRACE_BYTES`), entries whose data overlap each other or reach into the central directory
(the trick that lets a tiny zip expand one compressed stream once per entry), and corrupt or
truncated archives. It writes into a temporary sibling folder and renames it into place only
when every entry was written, so a refusal leaves nothing behind: folders are created and
removed without recursion, so even a tree thousands of levels deep is cleaned up. File
permissions from the archive are not applied; the task folder is owner-only (0700).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
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
# ratio cap only applies once an entry (or the whole archive) has inflated past this many bytes.
RATIO_GRACE_BYTES = 1 << 20
# A local file header: signature, fixed fields, then the name and extra field (APPNOTE 4.3.7).
_LOCAL_HEADER_SIZE = 30
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"

_COPY_CHUNK = 64 * 1024
# How long a zip refused as corrupt must keep its size before the refusal is final (_PartialZip).
PARTIAL_ZIP_STABLE_SECONDS = 1.0
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


def _check_entry_count(infos: Sequence[zipfile.ZipInfo], archive: Path, limits: _Limits) -> None:
    if len(infos) > limits.max_entries:
        raise _refusal(
            archive,
            f"{len(infos)} entries, more than the cap of {limits.max_entries}",
            "artifact_too_many_entries",
        )


def _plan(
    infos: Sequence[zipfile.ZipInfo], archive: Path, limits: _Limits, archive_size: int
) -> list[_Entry]:
    """Check every entry before anything is written (no I/O). Sizes in the headers are only
    used to refuse early: the extraction counts the bytes it really writes."""
    _check_entry_count(infos, archive, limits)
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
            if _too_inflated(declared, archive_size, limits):
                raise _refusal(
                    archive,
                    f"its entries declare more than a compression ratio of {limits.max_ratio:g} "
                    "of the archive's size",
                    "artifact_ratio",
                )
        entries.append(_Entry(info=info, parts=parts, is_dir=is_dir))
    return entries


def _check_layout(
    archive: zipfile.ZipFile,
    archive_path: Path,
    infos: Sequence[zipfile.ZipInfo],
    archive_size: int,
) -> None:
    """Refuse entries whose bytes overlap or run into the central directory.

    In an honest zip every entry owns its own stretch of the file (header, then compressed data)
    and all of them end before the central directory. Overlapping entries let N directory records
    share one compressed stream, so each passes the per-entry ratio cap while the archive
    expands N times over; pointing into the central directory is the same trick with other bytes.
    """
    # zipfile's own offset of the central directory (after any prepended bytes); the file size
    # is a safe stand-in if a future zipfile drops the attribute.
    start_dir = getattr(archive, "start_dir", None)
    central_directory = start_dir if isinstance(start_dir, int) else archive_size
    handle = archive.fp
    if handle is None:  # pragma: no cover - the archive is open while this runs
        raise _refusal(archive_path, "the archive is closed", "artifact_corrupt")
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER_SIZE)
        if len(header) != _LOCAL_HEADER_SIZE or not header.startswith(_LOCAL_HEADER_SIGNATURE):
            raise _refusal(
                archive_path,
                f"entry {_shown(info.orig_filename)} has no local header where it says",
                "artifact_corrupt",
            )
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        end = (
            info.header_offset
            + _LOCAL_HEADER_SIZE
            + name_length
            + extra_length
            + info.compress_size
        )
        spans.append((info.header_offset, end, info.orig_filename))
    spans.sort()
    previous_end, previous_name = 0, ""
    for start, end, name in spans:
        if start < previous_end:
            raise _refusal(
                archive_path,
                f"entry {_shown(name)} overlaps entry {_shown(previous_name)} (one compressed "
                "stream shared by several entries)",
                "artifact_overlap",
            )
        if end > central_directory:
            raise _refusal(
                archive_path,
                f"entry {_shown(name)} reaches into the central directory",
                "artifact_overlap",
            )
        previous_end, previous_name = end, name


def _make_dirs(root: str, parts: Sequence[str], made: set[tuple[str, ...]]) -> None:
    """Create `root/<parts...>` one level at a time (no recursion, however deep); `made` holds
    the folders already created under `root`."""
    known = len(parts)
    while known > 0 and tuple(parts[:known]) not in made:
        known -= 1
    for depth in range(known + 1, len(parts) + 1):
        path = os.path.join(root, *parts[:depth])
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
        made.add(tuple(parts[:depth]))


def _remove_tree(root: Path) -> bool:
    """Delete `root` and everything under it, without recursion (a tree thousands of levels
    deep must not raise RecursionError) and without following symlinks. False, after a
    warning, when something could not be removed."""
    pending: list[tuple[str, bool]] = [(str(root), False)]
    failures: list[str] = []
    while pending:
        path, emptied = pending.pop()
        try:
            if emptied:
                os.rmdir(path)
                continue
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode):
                pending.append((path, True))
                with os.scandir(path) as children:
                    pending.extend((child.path, False) for child in children)
            else:
                os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            failures.append(f"{path}: {error.strerror or error}")
    if failures:
        logger.warning(
            "could not remove %d item(s) of %s, e.g. %s", len(failures), root, failures[0][:300]
        )
    return not failures


_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class _ByteBudget:
    """Counts what extraction really writes, against the archive's caps."""

    def __init__(self, archive: Path, limits: _Limits, archive_size: int) -> None:
        self._archive = archive
        self._limits = limits
        self._archive_size = archive_size
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
        if _too_inflated(self._total, self._archive_size, self._limits):
            raise _refusal(
                self._archive,
                f"the archive inflates beyond a compression ratio of {self._limits.max_ratio:g} "
                "of its own size",
                "artifact_ratio",
            )


def _unpack(archive_path: Path, staging: Path, limits: _Limits) -> list[tuple[str, ...]]:
    """Write the archive's entries under `staging`; the path parts of every file written."""
    written_files: list[tuple[str, ...]] = []
    made: set[tuple[str, ...]] = set()
    root = str(staging)
    try:
        with zipfile.ZipFile(archive_path) as archive:
            archive_size = os.fstat(archive.fp.fileno()).st_size if archive.fp else 0
            infos = archive.infolist()
            # Structure first (a bounded number of 30-byte reads), then names and sizes.
            _check_entry_count(infos, archive_path, limits)
            _check_layout(archive, archive_path, infos, archive_size)
            entries = _plan(infos, archive_path, limits, archive_size)
            budget = _ByteBudget(archive_path, limits, archive_size)
            for entry in entries:
                if entry.is_dir:
                    _make_dirs(root, entry.parts, made)
                    continue
                _make_dirs(root, entry.parts[:-1], made)
                target = os.path.join(root, *entry.parts)
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
        _remove_tree(retired)
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


def _modified_file(path: Path) -> float | None:
    """The modification time of `path` when it is a regular file, else None."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime if stat.S_ISREG(status.st_mode) else None


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _checked_interval(name: str, value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or value < 0
    ):
        raise InvalidRequestError(
            f"{name} must be a number of seconds >= 0, not {value!r}", code="invalid_argument"
        )
    return float(value)


def _wait_for_stable(
    find: Callable[[], Path | None], timeout: float, stable_for: float, poll_interval: float
) -> Path | None:
    """Poll `find` until it names a non-empty file whose size holds for `stable_for` seconds;
    None once `timeout` seconds have passed."""
    deadline = time.monotonic() + checked_timeout(timeout)
    stable_for = _checked_interval("stable_for", stable_for)
    poll_interval = _checked_interval("poll_interval", poll_interval)
    while True:
        found = find()
        size = None if found is None else _file_size(found)
        if found is not None and size:
            time.sleep(stable_for)
            if _file_size(found) == size:
                return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        time.sleep(min(poll_interval, remaining))


class _PartialZip:
    """Tells a zip still being written from a corrupt one.

    1.1.0 and 1.2.0 gateways write `<task_id>.zip` in place
    (docs/reference/gateway-versions.md §13), so it can be read while incomplete. A zip refused as
    corrupt is looked at again while its size keeps changing; once it has kept one size for
    `PARTIAL_ZIP_STABLE_SECONDS`, the refusal is final. On newer gateways a `.zip` is complete when
    it appears, so this costs a corrupt zip that long at most.
    """

    def __init__(self) -> None:
        self.error: ArtifactError | None = None
        self._size: int | None = None
        self._since = 0.0

    def refused(self, error: ArtifactError, zip_path: Path) -> None:
        """Record a refusal; raise it when it is final."""
        if error.code != "artifact_corrupt":
            raise error
        size, now = _file_size(zip_path), time.monotonic()
        if self.error is None or size != self._size:
            self.error, self._size, self._since = error, size, now
        elif now - self._since >= PARTIAL_ZIP_STABLE_SECONDS:
            raise error


class ArtifactManager:
    """Finds a task's zip in the gateway's artifact folder and extracts it into its own folder.

    `watch_dir`: the gateway's `agentfm_artifacts` folder (default `./agentfm_artifacts`).
    `extract_dir`: the extraction root (default `<watch_dir>/extracted`); each archive gets
    `<extract_dir>/<task_id>/`. The caps bound what one archive may extract. Safe to share
    between threads: each call works in folders of its own.

    Also 0.3.0's helpers: `latest_zip()`, `wait_for_task_zip(task_id, ...)`,
    `wait_for_new_zip(since, ...)` (a path or None after `timeout`), `collect_since(since)`
    (extract, then delete the zip) and `cleanup(zip_path)`.
    """

    def __init__(
        self,
        watch_dir: str | os.PathLike[str] | None = None,
        extract_dir: str | os.PathLike[str] | None = None,
        max_extract_bytes: int = DEFAULT_MAX_EXTRACT_BYTES,
        *,
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
        A zip that reads as corrupt is looked at again while it is still growing (1.1.0 and
        1.2.0 gateways write it in place), up to `timeout`.
        """
        zip_path = self.zip_path(task_id)
        schedule = _PollSchedule(checked_timeout(timeout))
        partial = _PartialZip()
        while True:
            if self._zip_ready(zip_path):
                try:
                    return self.extract(zip_path)
                except ArtifactError as error:
                    partial.refused(error, zip_path)
            delay = schedule.next_delay()
            if delay is None:
                raise partial.error or self._timeout_error(task_id, zip_path, timeout)
            time.sleep(delay)

    async def acollect_for_task(self, task_id: str, timeout: float = 120.0) -> list[Path]:
        """`collect_for_task` for asyncio: waits without blocking the event loop."""
        zip_path = self.zip_path(task_id)
        schedule = _PollSchedule(checked_timeout(timeout))
        partial = _PartialZip()
        while True:
            if await asyncio.to_thread(self._zip_ready, zip_path):
                try:
                    return await asyncio.to_thread(self.extract, zip_path)
                except ArtifactError as error:
                    partial.refused(error, zip_path)
            delay = schedule.next_delay()
            if delay is None:
                raise partial.error or self._timeout_error(task_id, zip_path, timeout)
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
            _remove_tree(staging)
            raise
        logger.debug("extracted %d file(s) from %s into %s", len(parts), archive, destination)
        return sorted(destination.joinpath(*entry) for entry in parts)

    # --- 0.3.0's polling helpers: find zips by name or by time, wait until they stop growing. ---

    def latest_zip(self) -> Path | None:
        """The most recently modified `*.zip` in `watch_dir`, or None (also when the folder
        does not exist). Races with concurrent tasks: prefer `collect_for_task`."""
        newest: tuple[float, Path] | None = None
        try:
            candidates = list(self.watch_dir.glob("*.zip"))
        except OSError as error:
            raise ArtifactError(
                f"cannot list {self.watch_dir}: {error}", code="artifact_io"
            ) from None
        for candidate in candidates:
            modified = _modified_file(candidate)
            if modified is not None and (newest is None or modified > newest[0]):
                newest = (modified, candidate)
        return None if newest is None else newest[1]

    def wait_for_task_zip(
        self,
        task_id: str,
        timeout: float = 120.0,
        stable_for: float = 1.0,
        poll_interval: float = 0.5,
    ) -> Path | None:
        """Wait up to `timeout` seconds for `<watch_dir>/<task_id>.zip` to exist, be non-empty
        and keep its size for `stable_for` seconds (1.1.0 and 1.2.0 gateways write the zip in
        place, docs/reference/gateway-versions.md §13); its path, or None on timeout. Looks every
        `poll_interval` seconds, at least once."""
        zip_path = self.zip_path(task_id)
        return _wait_for_stable(
            lambda: zip_path if _modified_file(zip_path) is not None else None,
            timeout,
            stable_for,
            poll_interval,
        )

    def wait_for_new_zip(
        self,
        since: float,
        timeout: float = 120.0,
        stable_for: float = 1.0,
        poll_interval: float = 0.5,
    ) -> Path | None:
        """Wait like `wait_for_task_zip` for the newest zip modified after `since` (a Unix
        time, e.g. `time.time()` taken before dispatch); its path, or None on timeout."""
        if isinstance(since, bool) or not isinstance(since, (int, float)):
            raise InvalidRequestError(
                f"since must be a Unix time in seconds, not {since!r}", code="invalid_argument"
            )

        def newer_zip() -> Path | None:
            latest = self.latest_zip()
            modified = None if latest is None else _modified_file(latest)
            return latest if modified is not None and modified > since else None

        return _wait_for_stable(newer_zip, timeout, stable_for, poll_interval)

    def collect_since(self, since: float, timeout: float = 120.0) -> list[Path]:
        """Wait for a zip newer than `since`, extract it, then delete the zip; the files, or
        `[]` when none arrived within `timeout` or `watch_dir` does not exist. Unsafe with
        tasks running concurrently (two calls may take the same zip): prefer
        `collect_for_task`."""
        if not self.watch_dir.is_dir():
            return []
        zip_path = self.wait_for_new_zip(since, timeout=timeout)
        if zip_path is None:
            return []
        files = self.extract(zip_path)
        self.cleanup(zip_path)
        return files

    def cleanup(self, zip_path: str | os.PathLike[str]) -> None:
        """Delete a zip after it was extracted; a zip already gone, or one that cannot be
        deleted, is only logged."""
        try:
            Path(zip_path).unlink(missing_ok=True)
        except OSError as error:
            logger.warning("could not delete %s: %s", zip_path, error)

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
