"""The sans-I/O decoders: task output with its sentinels, and server-sent events.

The gateway's chunk boundaries are arbitrary (gateway-protocol.md 5.4), so every body here is
also fed cut at many random places: the decoded result must not depend on where the cuts fall.
Hostile bodies check the bounds: work linear in the bytes, memory independent of the stream's
length, typed errors beyond the caps.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest

from agentfm import GatewayProtocolError
from agentfm._sse import EVENTS_MAX_LINE_BYTES, ServerSentEvent, SSEDecoder
from agentfm._task_output import TaskOutputDecoder
from agentfm.models import TaskChunk


def _cuts(rng: random.Random, size: int) -> list[int]:
    return sorted(rng.sample(range(size + 1), rng.randint(0, min(10, size)))) if size else []


def _feed_task(body: bytes, cuts: list[int]) -> tuple[TaskOutputDecoder, list[TaskChunk]]:
    decoder = TaskOutputDecoder()
    chunks: list[TaskChunk] = []
    position = 0
    for cut in [*cuts, len(body)]:
        chunks += decoder.feed(body[position:cut])
        position = cut
    chunks += decoder.finish()
    return decoder, chunks


TASK_BODIES = [
    # (body, text the caller sees, markers, completed). A sentinel is a whole line; the newline
    # before a closing sentinel is the worker's, not text, unless text follows the sentinel.
    ("hi\n\n[AGENTFM: NO_FILES]\n", "hi\n", ("NO_FILES",), True),
    ("hi" + "\n[AGENTFM: NO_FILES]\n", "hi", ("NO_FILES",), True),
    ("\n[AGENTFM: NO_FILES]\n", "", ("NO_FILES",), True),
    ("[AGENTFM: NO_FILES]\n", "", ("NO_FILES",), True),
    (
        "héllo ✓ wörld\nline 2\n\n[AGENTFM: FILES_INCOMING]\n",
        "héllo ✓ wörld\nline 2\n",
        ("FILES_INCOMING",),
        True,
    ),
    (
        "❌ ERROR: Worker is at max capacity (1/1). Try another worker.\n",
        "❌ ERROR: Worker is at max capacity (1/1). Try another worker.\n",
        (),
        False,
    ),
    (
        "partial output, then the connection died",
        "partial output, then the connection died",
        (),
        False,
    ),
    ("", "", (), False),
    ("\n\nleading newlines are the agent's\n", "\n\nleading newlines are the agent's\n", (), False),
    (
        "a\n[AGENTFM: not a sentinel\nmore\n\n[AGENTFM: NO_FILES]\n",
        "a\n[AGENTFM: not a sentinel\nmore\n",
        ("NO_FILES",),
        True,
    ),
    # Text after a sentinel is delivered, and then the task is not (yet) complete.
    ("x\n\n[AGENTFM: NO_FILES]\ntext after it", "x\n\ntext after it", ("NO_FILES",), False),
    ("x\n[AGENTFM: NO_FILES]\n\n", "x\n\n", ("NO_FILES",), False),
    # A sentinel line in the middle never glues its neighbours together.
    ("a\n[AGENTFM: FILES_INCOMING]\nb\n", "a\nb\n", ("FILES_INCOMING",), False),
    (
        "a\n[AGENTFM: NO_FILES]\n[AGENTFM: FILES_INCOMING]\n",
        "a",
        ("NO_FILES", "FILES_INCOMING"),
        True,
    ),
    # Only a whole sentinel line is one: not mid-line, not with more on its line, not unfinished.
    ("x[AGENTFM: NO_FILES]\n", "x[AGENTFM: NO_FILES]\n", (), False),
    ("x\n[AGENTFM: NO_FILES] \n", "x\n[AGENTFM: NO_FILES] \n", (), False),
    ("\n[AGENTFM: NO_FIL", "\n[AGENTFM: NO_FIL", (), False),
    ("\n[AGENTFM: NO_FILES]", "\n[AGENTFM: NO_FILES]", (), False),
    ("\n[AGENT", "\n[AGENT", (), False),
    ("x" * 3000 + "\n\n[AGENTFM: NO_FILES]\n", "x" * 3000 + "\n", ("NO_FILES",), True),
]


@pytest.mark.parametrize(("body", "text", "markers", "completed"), TASK_BODIES)
def test_task_output_decodes_the_same_wherever_the_chunks_split(
    body: str, text: str, markers: tuple[str, ...], completed: bool
) -> None:
    raw = body.encode("utf-8")
    rng = random.Random(body)
    for _ in range(300):
        decoder, chunks = _feed_task(raw, _cuts(rng, len(raw)))
        delivered = "".join(chunk.text for chunk in chunks if chunk.kind == "text")
        assert delivered == text
        assert decoder.text == text
        assert decoder.markers == markers
        assert decoder.completed is completed
        assert [c.marker for c in chunks if c.kind == "marker"] == list(markers)
        assert all(c.text == "" for c in chunks if c.kind == "marker")


@pytest.mark.parametrize("marker", ["NO_FILES", "FILES_INCOMING"])
def test_a_sentinel_straddling_the_gateways_1_kib_reads_at_every_offset(marker: str) -> None:
    # Section 5.4: the Boss relays reads of up to 1024 bytes, not aligned to lines.
    sentinel = f"\n[AGENTFM: {marker}]\n".encode()
    for offset in range(len(sentinel) + 1):
        body = b"a" * (1024 - offset) + sentinel
        decoder, chunks = _feed_task(body, [1024])
        assert decoder.text == "a" * (1024 - offset)
        assert [c.marker for c in chunks if c.kind == "marker"] == [marker]
        assert decoder.completed


def test_a_sentinel_split_byte_by_byte_never_leaks_as_text() -> None:
    body = b"answer\n\n[AGENTFM: FILES_INCOMING]\n"
    decoder = TaskOutputDecoder()
    chunks = [chunk for byte in body for chunk in decoder.feed(bytes([byte]))] + decoder.finish()
    assert [c.kind for c in chunks if c.kind == "marker"] == ["marker"]
    assert all("AGENTFM" not in c.text for c in chunks if c.kind == "text")
    assert decoder.files_incoming
    assert decoder.completed


def test_a_multibyte_character_split_across_chunks_is_delivered_whole() -> None:
    decoder = TaskOutputDecoder()
    euro = "€".encode()
    first = decoder.feed(b"price " + euro[:1])
    second = decoder.feed(euro[1:] + b" 5\n")
    text = "".join(c.text for c in first + second + decoder.finish())
    assert text == "price € 5\n"
    assert all("\ufffd" not in c.text for c in first + second)


SSE_BODY = (
    ":ready\n\n"
    'event: worker_online\ndata: {"agent_name":"é","honesty_score":0,"peer_id":"p"}\n\n'
    ":heartbeat\n\n"
    "data: first\r\ndata: second\r\n\r\n"
    "data: [DONE]\n\n"
    "data: never finished"
).encode()

SSE_EVENTS = [
    ServerSentEvent(event="", comment="ready"),
    ServerSentEvent(
        event="worker_online", data='{"agent_name":"é","honesty_score":0,"peer_id":"p"}'
    ),
    ServerSentEvent(event="", comment="heartbeat"),
    ServerSentEvent(event="message", data="first\nsecond"),
    ServerSentEvent(event="message", data="[DONE]"),
]


def test_server_sent_events_decode_the_same_wherever_the_chunks_split() -> None:
    rng = random.Random(5)
    for _ in range(500):
        decoder = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES)
        events: list[ServerSentEvent] = []
        position = 0
        for cut in [*_cuts(rng, len(SSE_BODY)), len(SSE_BODY)]:
            events += decoder.feed(SSE_BODY[position:cut])
            position = cut
        events += decoder.finish()
        # The unterminated last event is discarded, as the SSE standard requires.
        assert events == SSE_EVENTS


def test_sse_id_and_retry_fields_are_kept() -> None:
    decoder = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES)
    events = decoder.feed(b"id: 7\nretry: 1500\nevent: x\ndata: y\n\n")
    assert events == [ServerSentEvent(event="x", data="y", id="7", retry=1500)]


def test_a_retry_field_that_is_not_ascii_digits_is_ignored() -> None:
    events = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES).feed(
        "retry: ²\nretry: 99999999999999999999\ndata: y\n\n".encode()
    )
    assert events == [ServerSentEvent(data="y")]


def test_a_crlf_split_by_an_empty_chunk_is_still_one_line_end() -> None:
    decoder = SSEDecoder(max_line_bytes=EVENTS_MAX_LINE_BYTES)
    events = decoder.feed(b"data: a\r") + decoder.feed(b"") + decoder.feed(b"\n\r\n")
    assert events == [ServerSentEvent(data="a")]


# --- Bounds: linear time, bounded memory, typed errors on hostile input --------------------------

MIB = 1 << 20


def _pieces(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _cpu_seconds(work: Callable[[], object]) -> float:
    """Best of five, in CPU seconds of this process (steadier than wall time on a busy box)."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return max(best, 1e-4)


def _sse_one_line(mebibytes: int) -> Callable[[], object]:
    body = b"data: " + b"x" * (mebibytes * MIB) + b"\n\n"

    def decode() -> object:
        decoder = SSEDecoder(max_line_bytes=64 * MIB)
        events = [event for piece in _pieces(body, 4096) for event in decoder.feed(piece)]
        assert len(events) == 1
        assert len(events[0].data) == mebibytes * MIB
        return events

    return decode


def test_sse_decoding_is_linear_in_the_bytes_received() -> None:
    # One long line in 4 KiB pieces: rescanning the unfinished line on every read made this
    # quadratic (1 MiB took 15 s of CPU). Four times the bytes must cost about four times the work.
    ratio = _cpu_seconds(_sse_one_line(8)) / _cpu_seconds(_sse_one_line(2))
    assert ratio < 10, f"4x the bytes cost {ratio:.1f}x the time (linear: ~4, quadratic: ~16)"


def _task_hostile_body(kibibytes: int) -> Callable[[], object]:
    # What a hostile worker might send to make sentinel matching slow: a long line without a
    # newline, and lines that start like a sentinel but never become one.
    near_misses = b"[AGENTFM: NO_FILE\n[AGENTFM\n[AGENTFM: X]x\n" * (kibibytes * 1024 // 80)
    body = b"y" * (kibibytes * 1024 // 2) + b"\n" + near_misses

    def decode() -> object:
        decoder = TaskOutputDecoder()
        for piece in _pieces(body, 1024):
            decoder.feed(piece)
        decoder.finish()
        assert decoder.markers == ()
        return decoder

    return decode


def test_task_output_decoding_is_linear_in_the_bytes_received() -> None:
    ratio = _cpu_seconds(_task_hostile_body(1024)) / _cpu_seconds(_task_hostile_body(256))
    assert ratio < 10, f"4x the bytes cost {ratio:.1f}x the time (linear: ~4, quadratic: ~16)"


def _held_after_feeding(mebibytes: int) -> tuple[int, int]:
    """(bytes still allocated, peak) while a task stream of `mebibytes` MiB goes through a
    stream-mode decoder whose chunks the caller drops."""
    piece = b"z" * 1023 + b"\n"
    tracemalloc.start()
    try:
        decoder = TaskOutputDecoder()
        for _ in range(mebibytes * 1024):
            decoder.feed(piece)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoder.received_text_bytes == mebibytes * MIB - 1  # the last newline is held back
    assert decoder.text_overflowed
    return held, peak


def test_an_endless_task_stream_holds_bounded_memory() -> None:
    small_held, _ = _held_after_feeding(2)
    large_held, large_peak = _held_after_feeding(16)
    # 64 KiB of text is kept for error messages; nothing grows with the stream's length.
    assert large_held < 256 * 1024
    assert large_peak < 512 * 1024
    assert large_held < small_held + 64 * 1024


def test_task_text_is_kept_up_to_its_cap_on_a_character_boundary() -> None:
    decoder = TaskOutputDecoder(keep_text_bytes=10)
    chunks = decoder.feed("abcdefghi€ and more".encode())
    assert "".join(chunk.text for chunk in chunks) == "abcdefghi€ and more"  # chunks carry all
    assert decoder.text == "abcdefghi"  # the euro sign would straddle the cap
    assert decoder.text_overflowed
    assert decoder.received_text_bytes == len("abcdefghi€ and more".encode())


def _feed_repeatedly(decoder: SSEDecoder, piece: bytes) -> None:
    for _ in range(100):
        decoder.feed(piece)


def test_sse_holds_one_line_at_most_and_refuses_a_longer_one() -> None:
    decoder = SSEDecoder(max_line_bytes=1024)
    assert decoder.feed(b"data: " + b"x" * 1000 + b"\n\n") != []
    decoder.feed(b"data: " + b"x" * 1000)
    with pytest.raises(GatewayProtocolError) as raised:
        _feed_repeatedly(decoder, b"x" * 100)  # a line that never ends
    assert raised.value.code == "line_too_long"


def test_sse_refuses_an_event_that_never_ends() -> None:
    decoder = SSEDecoder(max_line_bytes=1024)
    with pytest.raises(GatewayProtocolError) as raised:
        _feed_repeatedly(decoder, b"data: " + b"x" * 90 + b"\n")  # no blank line ends the event
    assert raised.value.code == "line_too_long"


def test_an_endless_stream_of_comments_holds_no_memory() -> None:
    decoder = SSEDecoder(max_line_bytes=1024)
    tracemalloc.start()
    try:
        for _ in range(1_000):
            decoder.feed(b":heartbeat\n\n" * 10)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 64 * 1024
