"""SwarmKey: the libp2p pre-shared key file, generated, parsed strictly, saved owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agentfm import InvalidRequestError, SwarmKey

HEX = "0123456789abcdef" * 4
FILE_TEXT = f"/key/swarm/psk/1.0.0/\n/base16/\n{HEX}\n"


def test_generated_keys_round_trip_through_the_file_text() -> None:
    key = SwarmKey.generate()

    text = key.to_file_text()

    assert text.splitlines()[:2] == ["/key/swarm/psk/1.0.0/", "/base16/"]
    assert SwarmKey.parse(text) == key
    assert SwarmKey.generate() != key


def test_parse_reads_the_key_bytes() -> None:
    key = SwarmKey.parse(FILE_TEXT)
    assert key.to_bytes() == bytes.fromhex(HEX)
    assert key.to_file_text() == FILE_TEXT


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(FILE_TEXT.replace("\n", "\r\n"), id="crlf"),
        pytest.param(FILE_TEXT.rstrip("\n"), id="no-final-newline"),
        pytest.param(FILE_TEXT + "\n\n", id="trailing-blank-lines"),
        pytest.param(FILE_TEXT.replace(HEX, HEX.upper()), id="uppercase-hex"),
    ],
)
def test_parse_tolerates_harmless_variations(text: str) -> None:
    assert SwarmKey.parse(text) == SwarmKey.parse(FILE_TEXT)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("", "first line", id="empty"),
        pytest.param(
            FILE_TEXT.replace("/key/swarm/psk/1.0.0/", "/key/swarm/psk/2.0.0/"),
            "first line",
            id="version",
        ),
        pytest.param(" " + FILE_TEXT, "first line", id="leading-space"),
        pytest.param(FILE_TEXT.replace("/base16/", "/base64/"), "base64", id="base64"),
        pytest.param(FILE_TEXT.replace("/base16/", "/bin/"), "bin", id="bin"),
        pytest.param(FILE_TEXT.replace("/base16/", "/hex/"), "second line", id="unknown-encoding"),
        pytest.param(FILE_TEXT.replace(HEX, HEX[:-2]), "64 hex", id="31-bytes"),
        pytest.param(FILE_TEXT.replace(HEX, HEX + "00"), "64 hex", id="33-bytes"),
        pytest.param(FILE_TEXT.replace(HEX, "zz" + HEX[2:]), "64 hex", id="not-hex"),
        pytest.param(
            FILE_TEXT.replace(HEX, HEX[:32] + " " + HEX[33:]), "64 hex", id="space-inside"
        ),
        pytest.param(FILE_TEXT + "extra\n", "three lines", id="fourth-line"),
        pytest.param("/key/swarm/psk/1.0.0/\n/base16/\n", "three lines", id="no-key"),
    ],
)
def test_parse_refuses_anything_else(text: str, reason: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        SwarmKey.parse(text)
    assert refused.value.code == "invalid_swarm_key"
    assert reason in refused.value.message


def test_a_key_must_be_32_bytes() -> None:
    with pytest.raises(InvalidRequestError):
        SwarmKey(b"\x00" * 31)


def test_save_creates_an_owner_only_file_that_loads_back(tmp_path: Path) -> None:
    key = SwarmKey.generate()
    path = tmp_path / "swarm.key"
    old_umask = os.umask(0)  # even with a permissive umask the file is 0600
    try:
        key.save(path)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == key.to_file_text()
    assert SwarmKey.load(path) == key


def test_save_replaces_an_existing_file_unless_told_not_to(tmp_path: Path) -> None:
    path = tmp_path / "swarm.key"
    first, second = SwarmKey.generate(), SwarmKey.generate()
    first.save(path)

    with pytest.raises(InvalidRequestError) as refused:
        second.save(path, overwrite=False)
    assert refused.value.code == "swarm_key_exists"
    assert SwarmKey.load(path) == first

    # 0.3.0's save() replaced the file; it does here too, atomically.
    assert second.save(path) == path
    assert SwarmKey.load(path) == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["swarm.key"]


def test_overwrite_keeps_the_file_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "swarm.key"
    path.write_text(FILE_TEXT)
    path.chmod(0o644)

    SwarmKey.generate().save(path, overwrite=True)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_load_errors_are_sdk_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError) as missing:
        SwarmKey.load(tmp_path / "absent.key")
    assert missing.value.code == "swarm_key_not_found"
    assert isinstance(missing.value, FileNotFoundError)  # what 0.3.0 raised

    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe" * 10)
    with pytest.raises(InvalidRequestError) as garbled:
        SwarmKey.load(binary)
    assert isinstance(garbled.value, ValueError)  # what 0.3.0 raised

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(InvalidRequestError):
        SwarmKey.generate().save(blocked / "swarm.key")


def test_save_creates_missing_folders_as_0_3_0_did(tmp_path: Path) -> None:
    key = SwarmKey.generate()
    path = key.save(tmp_path / "new" / "dir" / "swarm.key")
    assert SwarmKey.load(path) == key


def test_repr_never_shows_the_key_and_str_is_a_valid_key_file(tmp_path: Path) -> None:
    key = SwarmKey.parse(FILE_TEXT)
    for text in (repr(key), repr([key])):
        assert HEX not in text
        assert HEX[:16] not in text
        assert key.fingerprint in text
    assert len(key.fingerprint) == 16
    # 0.3.0 code saves keys with `path.write_text(str(key))`: that must stay a working key file.
    path = tmp_path / "written-by-str.key"
    path.write_text(f"{key}")
    assert SwarmKey.load(path) == key


def test_equal_keys_hash_alike() -> None:
    assert (
        len({SwarmKey.parse(FILE_TEXT), SwarmKey.parse(FILE_TEXT.replace(HEX, HEX.upper()))}) == 1
    )
    assert SwarmKey.parse(FILE_TEXT) != FILE_TEXT
