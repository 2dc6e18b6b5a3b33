"""The scatter checkpoint file: durable lines, torn tails, damaged files, other prompts, locking."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentfm import AgentFMClient, InvalidRequestError
from agentfm._scatter_checkpoint import HEADER, Checkpoint, prompt_digest
from agentfm.models import ScatterResult
from agentfm.testing import MeshSimulator

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"


def answered(prompt: str, text: str = "an answer\nover two lines ✓") -> ScatterResult:
    return ScatterResult(
        prompt=prompt,
        status="success",
        text=text,
        worker_id=PEER,
        attempts=2,
        duration_seconds=1.25,
        task_id="task_0123456789abcdef01234567",
        artifacts=[Path("/tmp/out/task_x/policy.md")],
    )


def failed(prompt: str) -> ScatterResult:
    return ScatterResult(
        prompt=prompt,
        status="failed",
        error="the stream ended early",
        error_code="stream_incomplete",
        worker_id=PEER,
        attempts=3,
    )


def test_a_recorded_result_reads_back_identical(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "first", answered("first"))
        checkpoint.append(1, "second", failed("second"))
    header, *lines = path.read_bytes().splitlines(keepends=True)
    assert header == HEADER
    assert [json.loads(line)["index"] for line in lines] == [0, 1]
    with Checkpoint.open(path) as checkpoint:
        entry = checkpoint.check(0, "first")
        assert entry is not None
        assert entry.succeeded
        assert checkpoint.stored_result(entry, "first") == answered("first")
        second = checkpoint.check(1, "second")
        assert second is not None
        assert not second.succeeded
        assert checkpoint.check(2, "third") is None


def test_a_torn_last_line_is_ignored_and_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "first", answered("first"))
        checkpoint.append(1, "second", answered("second"))
    whole = path.read_bytes()
    # The process died in the middle of writing the third line.
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(2, "third", answered("third"))
    third_line = path.read_bytes()[len(whole) :]
    path.write_bytes(whole + third_line[: len(third_line) // 2])

    with Checkpoint.open(path) as checkpoint:
        assert checkpoint.check(2, "third") is None
        assert path.read_bytes() == whole
        checkpoint.append(2, "third", answered("third"))
        entry = checkpoint.check(2, "third")
        assert entry is not None
        assert checkpoint.stored_result(entry, "third").text == answered("third").text
    assert [json.loads(line)["index"] for line in path.read_bytes().splitlines()[1:]] == [0, 1, 2]


def test_a_damaged_line_before_good_ones_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "first", answered("first"))
        checkpoint.append(1, "second", answered("second"))
    header, first, second = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(header + first[:10] + b"\n" + second)
    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(path)
    assert caught.value.code == "checkpoint_corrupt"
    # Refusing must not damage it further, nor keep it locked.
    assert path.read_bytes() == header + first[:10] + b"\n" + second
    with pytest.raises(InvalidRequestError):
        Checkpoint.open(path)


def test_lines_written_for_other_prompts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "summarise doc 0", answered("summarise doc 0"))
    with Checkpoint.open(path) as checkpoint:
        with pytest.raises(InvalidRequestError) as caught:
            checkpoint.check(0, "translate doc 0")
        assert caught.value.code == "checkpoint_mismatch"
        assert "#0" in caught.value.message


def test_only_one_user_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    first = Checkpoint.open(path)
    try:
        with pytest.raises(InvalidRequestError) as caught:
            Checkpoint.open(path)
        assert caught.value.code == "checkpoint_locked"
    finally:
        first.close()
    Checkpoint.open(path).close()  # released on close


def test_a_later_success_supersedes_a_recorded_failure(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "flaky", failed("flaky"))
    with Checkpoint.open(path) as checkpoint:
        entry = checkpoint.check(0, "flaky")
        assert entry is not None
        assert not entry.succeeded
        checkpoint.append(0, "flaky", answered("flaky"))
    with Checkpoint.open(path) as checkpoint:
        entry = checkpoint.check(0, "flaky")
        assert entry is not None
        assert entry.succeeded
        assert checkpoint.stored_result(entry, "flaky").status == "success"


def test_the_prompt_hash_is_stable_and_handles_any_text() -> None:
    assert prompt_digest("hello") == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )
    assert prompt_digest("lone \ud800 surrogate") != prompt_digest("lone  surrogate")


# --- abuse: files that are not ours, other spellings of one file, a full disk ----------------


FOREIGN_FILES = {
    "notes": b"# my notes\nremember the milk\n",
    "one-line-no-newline": b"just one line",
    "json-document": json.dumps({"index": 0, "prompt_sha256": "0" * 64}).encode() + b"\n",
    "json-lines-of-results": json.dumps(
        {"index": 0, "prompt_sha256": "0" * 64, "status": "success"}
    ).encode()
    + b"\n",
    "binary": bytes(range(256)) * 64,
    "header-lookalike": b'{"format":"agentfm-scatter-checkpoint","version":1} \n',
    "newline-only": b"\n",
}


@pytest.mark.parametrize("content", FOREIGN_FILES.values(), ids=FOREIGN_FILES.keys())
def test_a_file_that_is_not_a_checkpoint_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    before = path.stat()

    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(path)

    assert caught.value.code == "checkpoint_foreign"
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert list(tmp_path.iterdir()) == [path]  # no lock file or other debris either


def test_a_checkpoint_of_a_future_format_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    content = b'{"format":"agentfm-scatter-checkpoint","version":2}\n{"whatever":1}\n'
    path.write_bytes(content)
    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(path)
    assert caught.value.code == "checkpoint_unusable"
    assert "version 2" in caught.value.message
    assert path.read_bytes() == content


@pytest.mark.parametrize("content", [b"", HEADER[:1], HEADER[:-1]], ids=["empty", "1", "torn"])
def test_an_empty_file_or_a_torn_header_becomes_a_checkpoint(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(content)
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "first", answered("first"))
    with Checkpoint.open(path) as checkpoint:
        entry = checkpoint.check(0, "first")
        assert entry is not None
        assert checkpoint.stored_result(entry, "first") == answered("first")
    assert path.read_bytes().startswith(HEADER)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(path)
    assert caught.value.code == "checkpoint_unusable"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(tmp_path)
    assert caught.value.code == "checkpoint_unusable"


def _other_spelling(tmp_path: Path, path: Path, kind: str) -> Path:
    if kind == "symlink":
        other = tmp_path / "elsewhere" / "alias.jsonl"
        other.parent.mkdir()
        other.symlink_to(path)
    elif kind == "hardlink":
        other = tmp_path / "hard.jsonl"
        os.link(path, other)
    else:
        other = tmp_path / "." / ".." / tmp_path.name / path.name
    return other


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dotted-path"])
def test_one_checkpoint_under_another_name_is_still_locked(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "results.jsonl"
    Checkpoint.open(path).close()
    other = _other_spelling(tmp_path, path, kind)

    with Checkpoint.open(path) as first:
        with pytest.raises(InvalidRequestError) as caught:
            Checkpoint.open(other)
        assert caught.value.code == "checkpoint_locked"
        first.append(0, "first", answered("first"))
    # Released on close, under either name; and both names see the same records.
    with Checkpoint.open(other) as again:
        assert again.check(0, "first") is not None


def test_a_symlink_to_a_new_path_creates_the_checkpoint_and_shares_its_lock(
    tmp_path: Path,
) -> None:
    target = tmp_path / "results.jsonl"
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(target)  # dangling until the checkpoint is created through it
    with Checkpoint.open(alias):
        assert target.read_bytes() == HEADER
        with pytest.raises(InvalidRequestError) as caught:
            Checkpoint.open(target)
        assert caught.value.code == "checkpoint_locked"


class FullDisk:
    """os.write/os.fsync as on a full disk, for one file only (matched by inode, whatever
    descriptor writes it): it takes `room` more bytes, then fails with ENOSPC; fsync fails too
    when `fsync_fails`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path, room: int) -> None:
        self.inode = path.stat().st_ino
        self.room = room
        self.fsync_fails = False
        self._whole_writes = 0
        self._partial = 0
        self._write, self._fsync = os.write, os.fsync
        monkeypatch.setattr(os, "write", self.write)
        monkeypatch.setattr(os, "fsync", self.fsync)

    def room_after_writes(self, writes: int, partial: int) -> None:
        """Let `writes` whole writes through, then only `partial` bytes more."""
        self._whole_writes = writes
        self._partial = partial

    def _ours(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == self.inode
        except OSError:
            return False

    def write(self, fd: int, data: bytes | memoryview) -> int:
        if not self._ours(fd):
            return self._write(fd, data)
        if self._whole_writes > 0:
            self._whole_writes -= 1
            return self._write(fd, data)
        if self._partial:
            self.room, self._partial = self._partial, 0
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = self._write(fd, bytes(data[: self.room]))
        self.room -= taken
        return taken

    def fsync(self, fd: int) -> None:
        if self.fsync_fails and self._ours(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._fsync(fd)


@pytest.mark.parametrize("room", [0, 1, 37])
def test_a_full_disk_is_checkpoint_unusable_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    path = tmp_path / "results.jsonl"
    checkpoint = Checkpoint.open(path)
    checkpoint.append(0, "first", answered("first"))
    recorded = path.read_bytes()
    disk = FullDisk(monkeypatch, path, room)

    with pytest.raises(InvalidRequestError) as caught:
        checkpoint.append(1, "second", answered("second"))
    assert caught.value.code == "checkpoint_unusable"
    assert "No space left" in caught.value.message
    assert path.read_bytes() == recorded  # the partial line was cut back off
    # Once failed, nothing more is appended (a line after a torn one would damage the file).
    disk.room = 10**6
    with pytest.raises(InvalidRequestError):
        checkpoint.append(2, "third", answered("third"))
    checkpoint.close()  # never a raw OSError
    monkeypatch.undo()

    with Checkpoint.open(path) as rerun:
        assert rerun.check(0, "first") is not None
        assert rerun.check(1, "second") is None  # to be dispatched again, not lost
        assert rerun.check(2, "third") is None
        rerun.append(1, "second", answered("second"))
    assert [json.loads(line)["index"] for line in path.read_bytes().splitlines()[1:]] == [0, 1]


def test_a_failing_fsync_is_checkpoint_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.jsonl"
    checkpoint = Checkpoint.open(path)
    recorded = path.read_bytes()
    disk = FullDisk(monkeypatch, path, room=10**6)
    disk.fsync_fails = True
    with pytest.raises(InvalidRequestError) as caught:
        checkpoint.append(0, "first", answered("first"))
    assert caught.value.code == "checkpoint_unusable"
    checkpoint.close()
    monkeypatch.undo()
    # Not known to be durable, so not kept: a re-run dispatches it again.
    assert path.read_bytes() == recorded


def test_a_partial_line_that_could_not_be_cut_off_is_dropped_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.jsonl"
    checkpoint = Checkpoint.open(path)
    checkpoint.append(0, "first", answered("first"))
    recorded = path.read_bytes()
    FullDisk(monkeypatch, path, room=20)

    def no_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "ftruncate", no_truncate)
    with pytest.raises(InvalidRequestError):
        checkpoint.append(1, "second", answered("second"))
    checkpoint.close()
    monkeypatch.undo()
    assert len(path.read_bytes()) == len(recorded) + 20

    with Checkpoint.open(path) as rerun:
        assert rerun.check(1, "second") is None
    assert path.read_bytes() == recorded


def test_a_scatter_that_fills_the_disk_stops_and_its_rerun_repeats_nothing(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mesh = agentfm_mesh_factory(
        workers=[{"name": "w", "engine": "m", "max_tasks": 2, "delay_seconds": 0.01}]
    )
    dispatched: list[str] = []
    original = mesh.boss.dispatch

    def dispatch(worker: Any, prompt: str, task_id: str, *, counted: bool) -> Any:
        dispatched.append(prompt)
        return original(worker, prompt, task_id, counted=counted)

    mesh.boss.dispatch = dispatch  # type: ignore[method-assign]
    path = tmp_path / "results.jsonl"
    Checkpoint.open(path).close()
    prompts = [f"p{i}" for i in range(12)]
    peer_ids = [worker.peer_id for worker in mesh.workers]
    with AgentFMClient(mesh.url, api_key=None) as client:
        # Room for three whole lines and part of a fourth, then the disk is full.
        disk = FullDisk(monkeypatch, path, room=0)
        disk.room_after_writes(3, partial=25)
        with pytest.raises(InvalidRequestError) as caught:
            client.tasks.scatter(prompts, peer_ids=peer_ids, checkpoint=path)
        assert caught.value.code == "checkpoint_unusable"
        assert disk.room == 0
        monkeypatch.undo()
        recorded = {json.loads(line)["index"] for line in path.read_bytes().splitlines()[1:]}
        assert 0 < len(recorded) < len(prompts)
        first_run = list(dispatched)
        dispatched.clear()

        results = client.tasks.scatter(prompts, peer_ids=peer_ids, checkpoint=path)

    assert [r.status for r in results] == ["success"] * len(prompts)  # nothing lost
    # Nothing recorded is dispatched again; everything else is, once.
    assert sorted(dispatched) == sorted(p for i, p in enumerate(prompts) if i not in recorded)
    assert set(first_run) | set(dispatched) == set(prompts)
