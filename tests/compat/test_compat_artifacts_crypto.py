"""`ArtifactManager`'s and `SwarmKey`'s 0.3.0 methods, with 0.3.0's semantics."""

from __future__ import annotations

import io
import os
import stat
import threading
import time
import zipfile
from pathlib import Path

import pytest

from agentfm import ArtifactManager, InvalidRequestError, SwarmKey
from agentfm.crypto import HEADER, KEY_HEX_LEN


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _aged(path: Path, seconds_ago: float) -> None:
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_the_0_3_0_constructor_takes_positional_folders(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path / "watch", tmp_path / "out", 1024)
    assert (manager.watch_dir, manager.extract_dir) == (tmp_path / "watch", tmp_path / "out")
    assert manager.max_extract_bytes == 1024


def test_latest_zip_is_the_newest_zip_or_none(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path / "absent")
    assert manager.latest_zip() is None  # no folder yet
    manager = ArtifactManager(tmp_path)
    assert manager.latest_zip() is None
    old, new = tmp_path / "task_old.zip", tmp_path / "task_new.zip"
    old.write_bytes(_zip_bytes({"a": b"1"}))
    new.write_bytes(_zip_bytes({"b": b"2"}))
    (tmp_path / "newest.txt").write_text("not a zip")
    _aged(old, 60)
    assert manager.latest_zip() == new


def test_wait_for_task_zip_returns_the_path_or_none_after_the_timeout(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    started = time.monotonic()
    missing = manager.wait_for_task_zip("task_abc", timeout=0.2, stable_for=0, poll_interval=0.05)
    assert missing is None
    assert 0.15 < time.monotonic() - started < 5
    (tmp_path / "task_abc.zip").write_bytes(_zip_bytes({"x": b"y"}))
    found = manager.wait_for_task_zip("task_abc", timeout=5, stable_for=0.05, poll_interval=0.01)
    assert found == tmp_path / "task_abc.zip"


def test_wait_for_task_zip_waits_until_a_growing_zip_is_stable(tmp_path: Path) -> None:
    # 1.1.0 and 1.2.0 gateways write the zip in place: it exists before it is complete.
    target = tmp_path / "task_growing.zip"
    data = _zip_bytes({"big": os.urandom(4096)})
    target.write_bytes(data[:100])
    done = threading.Event()

    def finish_writing() -> None:
        time.sleep(0.3)
        target.write_bytes(data)
        done.set()

    writer = threading.Thread(target=finish_writing)
    writer.start()
    try:
        found = ArtifactManager(tmp_path).wait_for_task_zip(
            "task_growing", timeout=10, stable_for=0.5, poll_interval=0.05
        )
    finally:
        writer.join()
    assert found == target
    assert done.is_set()
    assert zipfile.is_zipfile(found)


def test_wait_for_new_zip_only_counts_zips_newer_than_since(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    stale = tmp_path / "task_stale.zip"
    stale.write_bytes(_zip_bytes({"a": b"1"}))
    _aged(stale, 60)
    since = time.time() - 1
    assert manager.wait_for_new_zip(since, timeout=0.1, stable_for=0, poll_interval=0.02) is None
    fresh = tmp_path / "task_fresh.zip"
    fresh.write_bytes(_zip_bytes({"b": b"2"}))
    assert manager.wait_for_new_zip(since=since, timeout=5, stable_for=0.01) == fresh
    with pytest.raises(InvalidRequestError):
        manager.wait_for_new_zip("yesterday", timeout=0)  # type: ignore[arg-type]


def test_collect_since_extracts_then_deletes_the_zip(tmp_path: Path) -> None:
    assert ArtifactManager(tmp_path / "absent").collect_since(0, timeout=5) == []
    manager = ArtifactManager(tmp_path, tmp_path / "out")
    since = time.time() - 1
    assert manager.collect_since(since, timeout=0.1) == []
    archive = tmp_path / "task_report.zip"
    archive.write_bytes(_zip_bytes({"report.md": b"# done"}))
    files = manager.collect_since(since, timeout=5)
    assert [f.read_bytes() for f in files] == [b"# done"]
    assert all(tmp_path / "out" in f.parents for f in files)
    assert not archive.exists()


def test_cleanup_deletes_and_never_raises(tmp_path: Path) -> None:
    manager = ArtifactManager(tmp_path)
    archive = tmp_path / "task_x.zip"
    archive.write_bytes(b"zip")
    manager.cleanup(archive)
    assert not archive.exists()
    manager.cleanup(archive)  # already gone: fine
    manager.cleanup(str(tmp_path / "never-there.zip"))


def test_swarm_key_0_3_0_api(tmp_path: Path) -> None:
    key_hex = "AB" * 32
    key = SwarmKey(key_hex)
    assert key.key_hex == key_hex.lower()
    assert len(key.key_hex) == KEY_HEX_LEN
    assert key.to_text() == f"{HEADER}{key_hex.lower()}\n"
    assert SwarmKey.from_string(key.to_text()) == key
    assert SwarmKey(bytes.fromhex(key_hex)) == key
    assert key_hex.lower() not in repr(key)  # the repr stays redacted

    # 0.3.0 users save keys these ways; each must give a valid key file.
    by_str = tmp_path / "by-str.key"
    by_str.write_text(str(key))
    saved = key.save(tmp_path / "nested" / "swarm.key")
    assert saved.is_absolute()
    assert SwarmKey.load(by_str) == SwarmKey.load(saved) == key
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    other = SwarmKey.generate()
    other.save(saved)  # 0.3.0 replaced an existing file
    assert SwarmKey.load(saved) == other


@pytest.mark.parametrize("bad", ["ab" * 31, "zz" * 32, "ab" * 33, ""])
def test_a_bad_key_is_a_value_error_as_in_0_3_0(bad: str) -> None:
    with pytest.raises(ValueError, match="swarm key") as raised:
        SwarmKey(bad)
    assert isinstance(raised.value, InvalidRequestError)
    with pytest.raises(ValueError, match="swarm key"):
        SwarmKey.from_string(f"/key/swarm/psk/1.0.0/\n/base16/\n{bad}\n")


def test_collect_for_task_waits_for_a_zip_a_1_2_0_gateway_is_still_writing(
    tmp_path: Path,
) -> None:
    # 1.1.0 and 1.2.0 write <task_id>.zip in place: it can be read while incomplete.
    target = tmp_path / "task_inplace.zip"
    data = _zip_bytes({"report.md": os.urandom(20_000)})
    target.write_bytes(data[: len(data) // 3])

    def finish_writing() -> None:
        time.sleep(0.3)
        target.write_bytes(data[: 2 * len(data) // 3])
        time.sleep(0.3)
        target.write_bytes(data)

    writer = threading.Thread(target=finish_writing)
    writer.start()
    try:
        files = ArtifactManager(tmp_path).collect_for_task("task_inplace", timeout=30)
    finally:
        writer.join()
    assert [f.name for f in files] == ["report.md"]


def test_a_zip_that_stays_corrupt_is_refused_without_waiting_out_the_timeout(
    tmp_path: Path,
) -> None:
    from agentfm import ArtifactError

    (tmp_path / "task_broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    started = time.monotonic()
    with pytest.raises(ArtifactError) as refused:
        ArtifactManager(tmp_path).collect_for_task("task_broken", timeout=60)
    assert refused.value.code == "artifact_corrupt"
    assert time.monotonic() - started < 10
