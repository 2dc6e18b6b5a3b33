"""The sans-I/O decoders: task output with its sentinels, and server-sent events.

The gateway's chunk boundaries are arbitrary (gateway-protocol.md 5.4), so every body here is
also fed cut at many random places: the decoded result must not depend on where the cuts fall.
"""

from __future__ import annotations

import random

import pytest

from agentfm._sse import ServerSentEvent, SSEDecoder
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
    # (body, text the caller sees, markers, completed)
    ("hi\n\n[AGENTFM: NO_FILES]\n", "hi\n", ("NO_FILES",), True),
    ("\n[AGENTFM: NO_FILES]\n", "", ("NO_FILES",), True),
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
    ("x\n\n[AGENTFM: NO_FILES]\ntext after it", "x\ntext after it", ("NO_FILES",), False),
    ("\n[AGENTFM: NO_FIL", "\n[AGENTFM: NO_FIL", (), False),
    ("\n[AGENTFM: NO_FILES]", "\n[AGENTFM: NO_FILES]", (), False),
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
        decoder = SSEDecoder()
        events: list[ServerSentEvent] = []
        position = 0
        for cut in [*_cuts(rng, len(SSE_BODY)), len(SSE_BODY)]:
            events += decoder.feed(SSE_BODY[position:cut])
            position = cut
        events += decoder.finish()
        # The unterminated last event is discarded, as the SSE standard requires.
        assert events == SSE_EVENTS


def test_sse_id_and_retry_fields_are_kept() -> None:
    events = SSEDecoder().feed(b"id: 7\nretry: 1500\nevent: x\ndata: y\n\n")
    assert events == [ServerSentEvent(event="x", data="y", id="7", retry=1500)]
