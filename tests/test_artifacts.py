"""Artifacts: waiting for the gateway's zip, per-task folders, and refusing hostile archives."""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import stat
import struct
import threading
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    ArtifactError,
    ArtifactManager,
    ArtifactTimeoutError,
    AsyncAgentFMClient,
    InvalidRequestError,
)
from agentfm.testing import MeshSimulator

WORKER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
FILES_INCOMING = b"\n[AGENTFM: FILES_INCOMING]\n"
NO_FILES = b"\n[AGENTFM: NO_FILES]\n"


# --- building archives --------------------------------------------------------------------


def zip_bytes(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def write_zip_atomically(watch_dir: Path, task_id: str, data: bytes) -> Path:
    """What the gateway does (section 6): write `<id>.zip.part`, then rename it."""
    watch_dir.mkdir(parents=True, exist_ok=True)
    partial = watch_dir / f"{task_id}.zip.part"
    partial.write_bytes(data)
    final = watch_dir / f"{task_id}.zip"
    os.replace(partial, final)
    return final


def symlink_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix: the mode is in the high 16 bits of external_attr
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def marked_encrypted() -> bytes:
    """An entry whose flag bits say it is encrypted (zipfile would ask for a password)."""
    data = bytearray(zip_bytes([GOOD, ("secret.txt", b"x")]))
    # General-purpose flags: offset 6 in a local header, 8 in a central directory entry.
    local = bytes(data).rindex(b"PK\x03\x04")
    central = bytes(data).rindex(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    return bytes(data)


def truncated(data: bytes, cut: int) -> bytes:
    return data[: len(data) - cut]


def with_bad_crc() -> bytes:
    content = b"the quick brown fox jumps over the lazy dog"
    data = bytearray(zip_bytes([("fox.txt", content)], compression=zipfile.ZIP_STORED))
    offset = bytes(data).index(content)
    data[offset] ^= 0xFF
    return bytes(data)


def with_lying_size() -> bytes:
    """The headers claim 10 bytes; the deflate stream holds 4000 (the CRC is of all 4000)."""
    content = secrets.token_bytes(4000)
    data = bytearray(zip_bytes([("payload.bin", content)]))
    real = (4000).to_bytes(4, "little")
    lie = (10).to_bytes(4, "little")
    # Uncompressed size: offset 22 in the local header, 24 in the central directory entry.
    local = bytes(data).index(b"PK\x03\x04")
    central = bytes(data).index(b"PK\x01\x02")
    assert data[local + 22 : local + 26] == real
    assert data[central + 24 : central + 28] == real
    data[local + 22 : local + 26] = lie
    data[central + 24 : central + 28] = lie
    return bytes(data)


ESCAPE_NAME = f"agentfm-escape-{secrets.token_hex(6)}.txt"
GOOD = ("notes/good.txt", b"fine\n")


def good_then_bad_crc() -> bytes:
    """A valid first entry (it gets written) followed by a corrupt one."""
    content = b"corrupted entry content, long enough to find"
    data = bytearray(zip_bytes([GOOD, ("bad.txt", content)], compression=zipfile.ZIP_STORED))
    offset = bytes(data).index(content)
    data[offset + 3] ^= 0xFF
    return bytes(data)


# --- raw archives that zipfile cannot write: entries sharing bytes ---------------------------


def local_header(name: bytes, crc: int, compressed: int, size: int, method: int) -> bytes:
    return (
        struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, compressed, size, len(name), 0
        )
        + name
    )


def central_record(
    name: bytes, crc: int, compressed: int, size: int, method: int, offset: int, comment: bytes
) -> bytes:
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0,
            crc,
            compressed,
            size,
            len(name),
            0,
            len(comment),
            0,
            0,
            0,
            offset,
        )
        + name
        + comment
    )


def end_record(count: int, directory_size: int, directory_offset: int) -> bytes:
    return struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory_size, directory_offset, 0
    )


def overlapping_bomb(entries: int = 40, kernel_size: int = (1 << 20) - 8192) -> bytes:
    """Every entry's compressed data runs to the end of the file: a stored deflate block quotes
    the next entry's local header, and all of them end in one shared stream of zeros. Each entry
    stays under the ratio grace (about 1 MiB), so only their sum gives it away: about 40 MiB from
    about 4 KiB. (The overlapped construction published by David Fifield, 2019.)"""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = compressor.compress(bytes(kernel_size)) + compressor.flush()
    names = [f"part{i:04d}.bin".encode() for i in range(entries)]
    # Built from the last entry back: a header holds the CRC and sizes of what follows it.
    data, output_crc, output_size = kernel, zlib.crc32(bytes(kernel_size)), kernel_size
    headers: list[bytes] = []
    records: list[tuple[bytes, int, int, int]] = []
    for name in reversed(names):
        header = local_header(name, output_crc, len(data), output_size, zipfile.ZIP_DEFLATED)
        headers.insert(0, header)
        records.insert(0, (name, output_crc, len(data), output_size))
        quote = b"\x00" + struct.pack("<HH", len(header), len(header) ^ 0xFFFF)
        # What the previous entry inflates to: this header, then all this entry inflates to.
        output_crc = zlib.crc32(bytes(kernel_size), zlib.crc32(b"".join(headers)))
        output_size = len(b"".join(headers)) + kernel_size
        data = quote + header + data
    body = data[5 + len(headers[0]) :]  # the first header is not quoted by anything
    body = headers[0] + body
    offsets, position = [], 0
    for header in headers:
        offsets.append(position)
        position += len(header) + 5  # the header, then the next quote's five bytes
    directory = b"".join(
        central_record(name, crc, compressed, size, zipfile.ZIP_DEFLATED, offset, b"")
        for (name, crc, compressed, size), offset in zip(records, offsets, strict=True)
    )
    return body + directory + end_record(entries, len(directory), len(body))


def entry_inside_the_central_directory() -> bytes:
    """A second directory record whose "local header" is hidden in the first record's comment,
    inside the central directory itself."""
    content = b"honest content\n"
    crc = zlib.crc32(content)
    first_name, hidden_name = b"honest.txt", b"hidden.txt"
    body = local_header(first_name, crc, len(content), len(content), 0) + content
    hidden = local_header(hidden_name, crc, len(content), len(content), 0) + content
    first_record_size = len(central_record(first_name, crc, 0, 0, 0, 0, hidden))
    # The comment starts after the first record's fixed 46 bytes and its name.
    hidden_offset = len(body) + first_record_size - len(hidden)
    directory = central_record(
        first_name, crc, len(content), len(content), 0, 0, hidden
    ) + central_record(hidden_name, crc, len(content), len(content), 0, hidden_offset, b"")
    return body + directory + end_record(2, len(directory), len(body))


def many_grace_sized_bombs() -> bytes:
    """Forty separate 1 MiB runs of zeros, each within the per-entry grace: only the
    archive-wide ratio refuses 40 MiB out of about 45 KiB."""
    return zip_bytes([(f"zeros{i:02d}.bin", bytes(1 << 20)) for i in range(40)])


def deep_tree_then_corrupt(depth: int = 1500, step: int = 20) -> bytes:
    """Folders 1500 levels deep (made 20 levels per entry), then an entry with a bad CRC: the
    refusal must remove the deep tree it already created."""
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("d/" * level, b"") for level in range(step, depth + 1, step)
    ]
    content = b"a corrupt entry after the deep tree"
    entries.append(("d/" * depth + "bad.txt", content))
    data = bytearray(zip_bytes(entries, compression=zipfile.ZIP_STORED))
    offset = bytes(data).index(content)
    data[offset] ^= 0xFF
    return bytes(data)


HOSTILE: dict[str, tuple[Callable[[], bytes], str, dict[str, int]]] = {
    # name: (archive builder, expected error code, ArtifactManager caps)
    "zip-slip": (
        lambda: zip_bytes([GOOD, (f"../../{ESCAPE_NAME}", b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "nested-slip": (
        lambda: zip_bytes([GOOD, (f"docs/../../../{ESCAPE_NAME}", b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "absolute": (
        lambda: zip_bytes([GOOD, (zipfile.ZipInfo(f"/tmp/{ESCAPE_NAME}"), b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "drive-letter": (
        lambda: zip_bytes([GOOD, (f"C:/{ESCAPE_NAME}", b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "drive-relative": (
        lambda: zip_bytes([GOOD, (f"C:{ESCAPE_NAME}", b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "backslash": (
        lambda: zip_bytes([GOOD, (f"..\\..\\{ESCAPE_NAME}", b"x")]),
        "artifact_unsafe_path",
        {},
    ),
    "symlink": (
        lambda: zip_bytes([GOOD, (symlink_entry("link"), b"/etc/passwd")]),
        "artifact_symlink",
        {},
    ),
    "encrypted": (marked_encrypted, "artifact_encrypted", {}),
    "bomb-by-ratio": (
        lambda: zip_bytes([GOOD, ("zeros.bin", bytes(8 << 20))]),
        "artifact_ratio",
        {},
    ),
    "bomb-by-count": (
        lambda: zip_bytes([(f"f{i}.txt", b"x") for i in range(21)]),
        "artifact_too_many_entries",
        {"max_entries": 20},
    ),
    "bomb-by-size": (
        lambda: zip_bytes(
            [GOOD, ("a.bin", secrets.token_bytes(700)), ("b.bin", secrets.token_bytes(700))]
        ),
        "artifact_too_large",
        {"max_extract_bytes": 1000},
    ),
    "size-lie": (with_lying_size, "artifact_corrupt", {}),
    "truncated-end": (
        lambda: truncated(zip_bytes([GOOD, ("b.txt", b"b")]), 10),
        "artifact_corrupt",
        {},
    ),
    "truncated-central-directory": (
        lambda: truncated(zip_bytes([GOOD, ("b.txt", b"b")]), 40),
        "artifact_corrupt",
        {},
    ),
    "bad-crc": (with_bad_crc, "artifact_corrupt", {}),
    "good-then-bad-crc": (good_then_bad_crc, "artifact_corrupt", {}),
    "not-a-zip": (lambda: b"this is not an archive", "artifact_corrupt", {}),
    "duplicate-name": (
        lambda: zip_bytes([GOOD, ("policy.md", b"one"), ("policy.md", b"two")]),
        "artifact_duplicate",
        {},
    ),
    "duplicate-by-case": (
        lambda: zip_bytes([("Policy.md", b"one"), ("policy.md", b"two")]),
        "artifact_duplicate",
        {},
    ),
    "overlapping-entries": (overlapping_bomb, "artifact_overlap", {}),
    "overlapping-entries-under-lax-ratio-caps": (
        overlapping_bomb,
        "artifact_overlap",
        {"max_compression_ratio": 10**9},
    ),
    "entry-inside-the-central-directory": (
        entry_inside_the_central_directory,
        "artifact_overlap",
        {},
    ),
    "many-grace-sized-bombs": (many_grace_sized_bombs, "artifact_ratio", {}),
    "deep-tree-then-corrupt": (deep_tree_then_corrupt, "artifact_corrupt", {}),
    "file-then-dir-of-same-name": (
        lambda: zip_bytes([("report", b"one"), ("report/inner.txt", b"two")]),
        "artifact_duplicate",
        {},
    ),
}


def tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


# --- extraction ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused_and_leaves_nothing(tmp_path: Path, case: str) -> None:
    build, code, caps = HOSTILE[case]
    watch = tmp_path / "gateway" / "agentfm_artifacts"
    zip_path = write_zip_atomically(watch, "task_hostile", build())
    manager = ArtifactManager(watch, extract_dir=tmp_path / "out", **caps)
    before = tree(tmp_path)

    with pytest.raises(ArtifactError) as refused:
        manager.extract(zip_path)

    assert refused.value.code == code
    # Only the (empty) extraction root may have appeared: no task folder, no staging folder.
    assert tree(tmp_path) - before <= {tmp_path / "out"}
    assert list((tmp_path / "out").iterdir()) == []
    assert not Path("/tmp", ESCAPE_NAME).exists()


def test_extract_writes_every_file_into_a_folder_named_after_the_task(tmp_path: Path) -> None:
    data = zip_bytes(
        [
            ("docs/", b""),
            ("docs/policy.md", b"# Policy\n"),
            ("empty/", b""),
            ("b.txt", b"bee"),
            ("a.txt", "ä".encode()),
        ]
    )
    zip_path = write_zip_atomically(tmp_path / "watch", "task_abc", data)
    manager = ArtifactManager(tmp_path / "watch", extract_dir=tmp_path / "out")

    paths = manager.extract(zip_path)

    folder = tmp_path / "out" / "task_abc"
    assert paths == [folder / "a.txt", folder / "b.txt", folder / "docs" / "policy.md"]
    assert [p.read_bytes() for p in paths] == ["ä".encode(), b"bee", b"# Policy\n"]
    assert (folder / "empty").is_dir()
    assert zip_path.exists(), "the gateway's zip is left in place"


def test_default_extraction_root_is_under_the_watched_folder(tmp_path: Path) -> None:
    zip_path = write_zip_atomically(tmp_path, "task_default", zip_bytes([("x.txt", b"x")]))

    paths = ArtifactManager(tmp_path).extract(zip_path)

    assert paths == [tmp_path / "extracted" / "task_default" / "x.txt"]


def test_extracting_again_replaces_the_task_folder(tmp_path: Path) -> None:
    zip_path = write_zip_atomically(tmp_path, "task_again", zip_bytes([("x.txt", b"x")]))
    manager = ArtifactManager(tmp_path)
    first = manager.extract(zip_path)
    (first[0].parent / "stray.txt").write_text("left over")

    second = manager.extract(zip_path)

    assert second == first
    assert sorted(p.name for p in first[0].parent.iterdir()) == ["x.txt"]


def test_large_but_ordinary_text_is_not_mistaken_for_a_bomb(tmp_path: Path) -> None:
    lines = "".join(f"line {i}: {secrets.token_hex(8)}\n" for i in range(60_000))
    zip_path = write_zip_atomically(tmp_path, "task_log", zip_bytes([("run.log", lines.encode())]))

    [path] = ArtifactManager(tmp_path).extract(zip_path)

    assert path.read_text() == lines


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors after each entry's data."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def test_honest_layouts_are_not_mistaken_for_overlap(tmp_path: Path) -> None:
    files = {f"docs/part{i}.txt": secrets.token_hex(3000).encode() for i in range(5)}
    streamed = Unseekable()
    with zipfile.ZipFile(streamed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    # A self-extracting stub before the zip shifts every offset; zipfile accounts for it.
    with_stub = b"#!/bin/sh\necho stub\n" * 50 + zip_bytes(list(files.items()))

    for task, data in (("task_streamed", bytes(streamed.data)), ("task_stub", with_stub)):
        zip_path = write_zip_atomically(tmp_path, task, data)
        paths = ArtifactManager(tmp_path).extract(zip_path)
        assert {p.relative_to(tmp_path / "extracted" / task).as_posix() for p in paths} == set(
            files
        )
        assert all(p.read_bytes() == files[p.relative_to(p.parents[1]).as_posix()] for p in paths)


def test_a_deep_but_honest_tree_extracts(tmp_path: Path) -> None:
    name = "d/" * 1500 + "leaf.txt"
    zip_path = write_zip_atomically(tmp_path, "task_deep", zip_bytes([(name, b"leaf\n")]))
    manager = ArtifactManager(tmp_path)
    manager.extract(zip_path)
    # Extracting again replaces the earlier deep folder (removed without recursion).
    [path] = manager.extract(zip_path)
    assert path.read_bytes() == b"leaf\n"
    assert len(path.relative_to(tmp_path).parts) > 1500
    assert [p.name for p in (tmp_path / "extracted").iterdir()] == ["task_deep"]
    # A shallow archive of the same task replaces the deep tree, which must go entirely (this
    # also spares pytest's own recursive clean-up of tmp_path a 1500-level tree).
    write_zip_atomically(tmp_path, "task_deep", zip_bytes([("leaf.txt", b"shallow")]))
    manager.extract(zip_path)
    assert tree(tmp_path / "extracted") == {
        tmp_path / "extracted" / "task_deep",
        tmp_path / "extracted" / "task_deep" / "leaf.txt",
    }


def test_caps_must_be_positive() -> None:
    with pytest.raises(InvalidRequestError):
        ArtifactManager(max_extract_bytes=0)
    with pytest.raises(InvalidRequestError):
        ArtifactManager(max_compression_ratio=-1.0)


# --- waiting for the zip ------------------------------------------------------------------


def test_collect_waits_for_the_rename_and_never_reads_the_part_file(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    complete = zip_bytes([("policy.md", b"# final\n")])
    # A transfer in progress: a half-written `.part` (read as a zip it would be refused).
    (tmp_path / "task_part.zip.part").write_bytes(complete[:20])

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(manager.collect_for_task, "task_part", 30.0)
        assert not waiting.done()
        time.sleep(0.2)  # give the collector time to (wrongly) look at the .part
        assert not waiting.done()
        write_zip_atomically(tmp_path, "task_part", complete)
        paths = waiting.result(timeout=30)

    assert [p.read_bytes() for p in paths] == [b"# final\n"]


def test_collect_times_out_when_only_a_part_file_exists(tmp_path: Path) -> None:
    (tmp_path / "task_stuck.zip.part").write_bytes(b"partial")

    with pytest.raises(ArtifactTimeoutError) as timed_out:
        ArtifactManager(tmp_path).collect_for_task("task_stuck", timeout=0.2)

    assert timed_out.value.task_id == "task_stuck"
    assert timed_out.value.code == "artifact_timeout"
    assert not (tmp_path / "extracted" / "task_stuck").exists()


def test_two_concurrent_tasks_writing_the_same_name_keep_both_files(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    write_zip_atomically(tmp_path, "task_one", zip_bytes([("policy.md", b"first\n")]))
    write_zip_atomically(tmp_path, "task_two", zip_bytes([("policy.md", b"second\n")]))

    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(manager.collect_for_task, "task_one", 10.0)
        two = pool.submit(manager.collect_for_task, "task_two", 10.0)
        [first], [second] = one.result(), two.result()

    assert first != second
    assert first.read_text() == "first\n"
    assert second.read_text() == "second\n"


@pytest.mark.parametrize("task_id", ["../escape", "", "a/b", ".hidden"])
def test_collect_refuses_what_is_not_a_task_id(tmp_path: Path, task_id: str) -> None:
    with pytest.raises(InvalidRequestError):
        ArtifactManager(tmp_path).collect_for_task(task_id, timeout=0)


async def test_async_collect_waits_without_blocking_the_loop(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    collecting = asyncio.create_task(manager.acollect_for_task("task_async", 30.0))
    await asyncio.sleep(0.2)
    assert not collecting.done()
    await asyncio.to_thread(
        write_zip_atomically, tmp_path, "task_async", zip_bytes([("out.txt", b"async")])
    )
    paths = await asyncio.wait_for(collecting, 30)
    ticker.cancel()

    assert [p.read_bytes() for p in paths] == [b"async"]
    assert ticks > 5, "the event loop kept running while the collector waited"


async def test_async_collect_times_out(tmp_path: Path) -> None:
    with pytest.raises(ArtifactTimeoutError):
        await ArtifactManager(tmp_path).acollect_for_task("task_never", timeout=0.1)


# --- tasks.run ----------------------------------------------------------------------------


class FakeGateway:
    """`/api/execute` answering `output`; with `files`, it writes the task's zip like section 6."""

    def __init__(self, watch_dir: Path, output: bytes, files: dict[str, bytes] | None = None):
        self.watch_dir = watch_dir
        self.output = output
        self.files = files
        self.task_ids: list[str] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        task_id = json.loads(request.content)["task_id"]
        self.task_ids.append(task_id)
        if self.files is not None:
            write_zip_atomically(self.watch_dir, task_id, zip_bytes(list(self.files.items())))
        return httpx.Response(200, content=self.output, headers={"Content-Type": "text/plain"})

    def client(self, artifacts_dir: Path | None = None) -> AgentFMClient:
        transport = httpx.MockTransport(self._answer)
        return AgentFMClient(
            "http://gateway.test",
            api_key=None,
            artifacts_dir=artifacts_dir,
            http_client=httpx.Client(transport=transport),
        )

    def async_client(self, artifacts_dir: Path | None = None) -> AsyncAgentFMClient:
        async def answer(request: httpx.Request) -> httpx.Response:
            return self._answer(request)

        transport = httpx.MockTransport(answer)
        return AsyncAgentFMClient(
            "http://gateway.test",
            api_key=None,
            artifacts_dir=artifacts_dir,
            http_client=httpx.AsyncClient(transport=transport),
        )


def test_run_extracts_announced_files_into_the_tasks_folder(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"drafted" + FILES_INCOMING, {"policy.md": b"# P\n"})
    with gateway.client(artifacts_dir=tmp_path) as client:
        result = client.tasks.run(worker_id=WORKER, prompt="draft")

    assert result.text == "drafted"
    assert gateway.task_ids == [result.task_id]
    assert result.artifacts == [tmp_path / "extracted" / result.task_id / "policy.md"]
    assert result.artifacts[0].read_bytes() == b"# P\n"


def test_run_without_announced_files_never_waits(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"just text" + NO_FILES)
    with gateway.client(artifacts_dir=tmp_path / "missing") as client:
        started = time.monotonic()
        result = client.tasks.run(worker_id=WORKER, prompt="hi", artifact_timeout=60)

    assert result.artifacts == []
    assert time.monotonic() - started < 30
    assert not (tmp_path / "missing").exists()


def test_run_raises_with_the_answer_when_the_zip_never_arrives(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"the answer\nin two lines" + FILES_INCOMING)
    with (
        gateway.client(artifacts_dir=tmp_path) as client,
        pytest.raises(ArtifactTimeoutError) as timed_out,
    ):
        client.tasks.run(worker_id=WORKER, prompt="draft", artifact_timeout=0.2)

    assert timed_out.value.text == "the answer\nin two lines"
    assert timed_out.value.task_id == gateway.task_ids[0]


def test_run_without_artifacts_dir_harvests_nothing_and_returns_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in 0.3.0: without artifacts_dir the gateway's folder is unknown, so nothing is awaited,
    # even when the zip would be in ./agentfm_artifacts.
    monkeypatch.chdir(tmp_path)
    gateway = FakeGateway(tmp_path / "agentfm_artifacts", b"ok" + FILES_INCOMING, {"r.txt": b"r"})
    with gateway.client() as client:
        assert client.artifacts is None
        started = time.monotonic()
        result = client.tasks.run(worker_id=WORKER, prompt="go", artifact_timeout=30)
    assert time.monotonic() - started < 5
    assert result.text == "ok"
    assert result.artifacts == []
    assert not (tmp_path / "agentfm_artifacts" / "extracted").exists()


def test_run_refuses_a_bad_artifact_timeout_before_dispatching(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"x" + NO_FILES)
    with gateway.client(artifacts_dir=tmp_path) as client, pytest.raises(InvalidRequestError):
        client.tasks.run(worker_id=WORKER, prompt="x", artifact_timeout=-1)

    assert gateway.task_ids == []


def test_run_refuses_a_hostile_zip_but_keeps_the_answer(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"the answer" + FILES_INCOMING, {"../../evil.txt": b"x"})
    with gateway.client(artifacts_dir=tmp_path) as client, pytest.raises(ArtifactError) as refused:
        client.tasks.run(worker_id=WORKER, prompt="x")

    assert refused.value.code == "artifact_unsafe_path"
    assert refused.value.text == "the answer"
    assert refused.value.task_id == gateway.task_ids[0]
    assert not (tmp_path.parent / "evil.txt").exists()
    assert list((tmp_path / "extracted").iterdir()) == []


async def test_async_run_extracts_announced_files(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"drafted" + FILES_INCOMING, {"policy.md": b"# A\n"})
    async with gateway.async_client(artifacts_dir=tmp_path) as client:
        result = await client.tasks.run(worker_id=WORKER, prompt="draft")

    assert result.artifacts == [tmp_path / "extracted" / result.task_id / "policy.md"]
    assert result.artifacts[0].read_bytes() == b"# A\n"


async def test_async_run_raises_with_the_answer_when_the_zip_never_arrives(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"async answer" + FILES_INCOMING)
    async with gateway.async_client(artifacts_dir=tmp_path) as client:
        with pytest.raises(ArtifactTimeoutError) as timed_out:
            await client.tasks.run(worker_id=WORKER, prompt="draft", artifact_timeout=0.2)

    assert timed_out.value.text == "async answer"
    assert timed_out.value.task_id == gateway.task_ids[0]


async def test_async_run_without_announced_files_returns_none(tmp_path: Path) -> None:
    gateway = FakeGateway(tmp_path, b"plain" + NO_FILES)
    async with gateway.async_client(artifacts_dir=tmp_path) as client:
        result = await client.tasks.run(worker_id=WORKER, prompt="hi", artifact_timeout=60)

    assert result.artifacts == []


# --- against the simulator ----------------------------------------------------------------

POLICY_WRITERS = [
    {
        "name": "policy-writer",
        "engine": "mistral",
        "max_tasks": 2,
        "delay_seconds": 0.3,
        "files": {"policy.md": "# Policy\n", "appendix/notes.md": "notes\n"},
    }
]


@pytest.fixture
def policy_mesh(agentfm_mesh_factory: Callable[..., MeshSimulator]) -> MeshSimulator:
    return agentfm_mesh_factory(POLICY_WRITERS)


def test_simulated_run_extracts_the_workers_files(policy_mesh: MeshSimulator) -> None:
    worker = policy_mesh.worker("policy-writer")
    with AgentFMClient(
        policy_mesh.url, api_key=None, artifacts_dir=policy_mesh.artifacts_dir
    ) as client:
        result = client.tasks.run(worker_id=worker.peer_id, prompt="draft a policy")

    folder = policy_mesh.artifacts_dir / "extracted" / result.task_id
    assert result.artifacts == [folder / "appendix" / "notes.md", folder / "policy.md"]
    assert (folder / "policy.md").read_text() == "# Policy\n"


def test_simulated_concurrent_tasks_keep_their_own_files(policy_mesh: MeshSimulator) -> None:
    worker = policy_mesh.worker("policy-writer")
    barrier = threading.Barrier(2)
    with AgentFMClient(
        policy_mesh.url, api_key=None, artifacts_dir=policy_mesh.artifacts_dir
    ) as client:

        def run(prompt: str) -> list[Path]:
            barrier.wait(timeout=10)
            return client.tasks.run(worker_id=worker.peer_id, prompt=prompt).artifacts

        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(run, ["one", "two"])

    assert {p.name for p in first} == {p.name for p in second} == {"notes.md", "policy.md"}
    assert not set(first) & set(second)
    assert all(p.is_file() for p in [*first, *second])


async def test_simulated_async_runs_keep_their_own_files(policy_mesh: MeshSimulator) -> None:
    worker = policy_mesh.worker("policy-writer")
    async with AsyncAgentFMClient(
        policy_mesh.url, api_key=None, artifacts_dir=policy_mesh.artifacts_dir
    ) as client:
        first, second = await asyncio.gather(
            client.tasks.run(worker_id=worker.peer_id, prompt="one"),
            client.tasks.run(worker_id=worker.peer_id, prompt="two"),
        )

    assert first.task_id != second.task_id
    for result in (first, second):
        folder = policy_mesh.artifacts_dir / "extracted" / result.task_id
        assert result.artifacts == [folder / "appendix" / "notes.md", folder / "policy.md"]
