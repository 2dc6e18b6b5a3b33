"""The scatter checkpoint file: durable lines, torn tails, damaged files, other prompts, locking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentfm import InvalidRequestError
from agentfm._scatter_checkpoint import Checkpoint, prompt_digest
from agentfm.models import ScatterResult

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
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2
    assert all(json.loads(line)["index"] in (0, 1) for line in lines)
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
    assert [json.loads(line)["index"] for line in path.read_bytes().splitlines()] == [0, 1, 2]


def test_a_damaged_line_before_good_ones_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Checkpoint.open(path) as checkpoint:
        checkpoint.append(0, "first", answered("first"))
        checkpoint.append(1, "second", answered("second"))
    first, second = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(first[:10] + b"\n" + second)
    with pytest.raises(InvalidRequestError) as caught:
        Checkpoint.open(path)
    assert caught.value.code == "checkpoint_corrupt"
    # Refusing must not damage it further, nor keep it locked.
    assert path.read_bytes() == first[:10] + b"\n" + second
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
