"""Hostile streams through the public calls: endless task output, giant or deeply nested frames.

A scripted gateway (`httpx.MockTransport`) plays the adversary. Each endless body is cut off after
a generous maximum so a regression fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    GatewayProtocolError,
    InvalidRequestError,
    WorkerOnlineEvent,
    WorkerStreamError,
)
from agentfm._task_output import RUN_MAX_TEXT_BYTES

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
MIB = 1 << 20
LINE = b"o" * 1023 + b"\n"


class EndlessBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """`first`, then `piece` over and over (up to `give_up_after` bytes); counts what was read."""

    def __init__(self, piece: bytes, *, first: bytes = b"", give_up_after: int = 96 * MIB) -> None:
        self.first, self.piece, self.give_up_after = first, piece, give_up_after
        self.sent = 0
        self.closed = False

    def _pieces(self) -> Iterator[bytes]:
        if self.first:
            self.sent += len(self.first)
            yield self.first
        while self.sent < self.give_up_after:
            self.sent += len(self.piece)
            yield self.piece

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            yield piece

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def _answering(
    body: httpx.SyncByteStream | httpx.AsyncByteStream, content_type: str = "text/plain"
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": content_type}, stream=body)

    return answer


@contextlib.contextmanager
def _client(answer: Callable[[httpx.Request], httpx.Response]) -> Iterator[AgentFMClient]:
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        AgentFMClient("http://gateway.test", api_key=None, retries=0, http_client=http) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def _async_client(
    answer: Callable[[httpx.Request], httpx.Response],
) -> AsyncIterator[AsyncAgentFMClient]:
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncAgentFMClient(
            "http://gateway.test", api_key=None, retries=0, http_client=http
        ) as client,
    ):
        yield client


# --- tasks.run: a documented cap on the text it accumulates ----------------------------------


def test_run_stops_an_endless_task_at_its_text_cap_and_keeps_what_it_read() -> None:
    body = EndlessBody(LINE, first="é€\n".encode())
    with _client(_answering(body)) as client, pytest.raises(WorkerStreamError) as raised:
        client.tasks.run(worker_id=PEER, prompt="p", max_text_bytes=MIB)
    error = raised.value
    assert error.code == "output_too_large"
    assert len(error.partial_text.encode()) == MIB
    assert error.partial_text.startswith("é€\n" + "o" * 1023 + "\n")
    assert "max_text_bytes" in error.message
    # It stopped reading as soon as the cap was passed, and closed the connection.
    assert body.sent < MIB + 64 * 1024
    assert body.closed


async def test_async_run_stops_an_endless_task_at_its_text_cap() -> None:
    body = EndlessBody(LINE)
    async with _async_client(_answering(body)) as client:
        with pytest.raises(WorkerStreamError) as raised:
            await client.tasks.run(worker_id=PEER, prompt="p", max_text_bytes=4096)
    assert raised.value.code == "output_too_large"
    assert raised.value.partial_text == (LINE * 4).decode()
    assert body.sent < 64 * 1024
    assert body.closed


def test_run_default_cap_is_16_mib_and_output_under_it_is_whole() -> None:
    assert RUN_MAX_TEXT_BYTES == 16 * MIB
    output = LINE * 100
    body = EndlessBody(b"", first=output + b"\n[AGENTFM: NO_FILES]\n", give_up_after=0)
    with _client(_answering(body)) as client:
        result = client.tasks.run(worker_id=PEER, prompt="p", max_text_bytes=len(output))
    assert result.text == output.decode()  # exactly at the cap is still whole


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "16", None])
def test_a_bad_max_text_bytes_is_refused_before_anything_is_sent(bad: object) -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500)

    with _client(answer) as client, pytest.raises(InvalidRequestError, match="max_text_bytes"):
        client.tasks.run(worker_id=PEER, prompt="p", max_text_bytes=bad)  # type: ignore[arg-type]
    assert requests == []


# --- tasks.stream: O(chunk) memory however long the task writes --------------------------------


def _peak_while_dropping_chunks(mebibytes: int) -> int:
    body = EndlessBody(LINE, give_up_after=mebibytes * MIB)
    with _client(_answering(body)) as client:
        tracemalloc.start()
        try:
            with pytest.raises(WorkerStreamError):  # it ends without a sentinel
                for _ in client.tasks.stream(worker_id=PEER, prompt="p"):
                    pass  # the caller drops every chunk
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert body.sent >= mebibytes * MIB
    return peak


def test_stream_memory_does_not_grow_with_the_output() -> None:
    small, large = _peak_while_dropping_chunks(2), _peak_while_dropping_chunks(16)
    assert large < 2 * MIB, f"peak {large / MIB:.1f} MiB while streaming 16 MiB"
    assert large < small + 256 * 1024


def test_stream_errors_keep_the_start_of_the_text() -> None:
    body = EndlessBody(LINE, give_up_after=MIB)
    with _client(_answering(body)) as client, pytest.raises(WorkerStreamError) as raised:
        for _ in client.tasks.stream(worker_id=PEER, prompt="p"):
            pass
    assert raised.value.code == "stream_incomplete"
    assert raised.value.partial_text == (LINE * 64).decode()  # the first 64 KiB
    assert str(MIB) in raised.value.message  # the bytes received are still counted


# --- OpenAI streams: frames too deep or too long are our errors ---------------------------------


def _chat_frame(content: str) -> bytes:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": PEER,
        "choices": [{"index": 0, "delta": {"role": "", "content": content}, "finish_reason": None}],
        "agentfm_peer_id": PEER,
        "agentfm_task_id": "task_0123456789abcdef01234567",
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _chat_stream(client: AgentFMClient) -> Iterator[object]:
    return iter(
        client.openai.chat.completions.create(
            model=PEER, messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )


def test_a_deeply_nested_chat_frame_is_a_protocol_error_not_a_recursion_error() -> None:
    nested = b"data: " + b'{"choices":' + b"[" * 100_000 + b"\n\n"
    body = EndlessBody(b"", first=_chat_frame("fine\n") + nested, give_up_after=0)
    with (
        _client(_answering(body, "text/event-stream")) as client,
        pytest.raises(GatewayProtocolError) as raised,
    ):
        list(_chat_stream(client))
    assert raised.value.code == "unexpected_body"


def test_an_8_mib_output_line_the_gateway_allows_streams_through() -> None:
    content = "x" * (8 * MIB) + "\n"
    done = b"data: [DONE]\n\n"
    body = EndlessBody(b"", first=_chat_frame(content) + done, give_up_after=0)
    with _client(_answering(body, "text/event-stream")) as client:
        stream = client.openai.chat.completions.create(
            model=PEER, messages=[{"role": "user", "content": "hi"}], stream=True
        )
        chunks = list(stream)
    assert len(chunks) == 1
    assert stream.text == content


def test_a_chat_frame_longer_than_the_gateway_can_send_is_refused_with_bounded_memory() -> None:
    # 1 KiB pieces of one `data:` line that never ends: refused at the cap, ~54 MiB.
    body = EndlessBody(b"x" * 1024, first=b'data: {"choices":"', give_up_after=128 * MIB)
    with (
        _client(_answering(body, "text/event-stream")) as client,
        pytest.raises(GatewayProtocolError) as raised,
    ):
        list(_chat_stream(client))
    assert raised.value.code == "line_too_long"
    assert 54 * MIB < body.sent < 55 * MIB
    assert body.closed


# --- /v1/events ---------------------------------------------------------------------------------


def test_a_deeply_nested_event_is_skipped_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    deep = b"event: worker_online\ndata: " + b"[" * 100_000 + b"\n\n"
    good = (
        b'event: worker_online\ndata: {"agent_name":"a","honesty_score":0,"peer_id":"'
        + PEER.encode()
        + b'"}\n\n'
    )
    body = EndlessBody(b":heartbeat\n\n", first=b":ready\n\n" + deep + good, give_up_after=4096)
    with (
        _client(_answering(body, "text/event-stream")) as client,
        caplog.at_level(logging.WARNING, "agentfm.events"),
        client.events.stream() as events,
    ):
        first = next(iter(events))
    assert first == WorkerOnlineEvent(peer_id=PEER, agent_name="a", honesty_score=0.0)
    assert "skipping a malformed worker_online event" in caplog.text


def test_an_event_line_that_never_ends_is_refused_at_1_mib() -> None:
    body = EndlessBody(b"x" * 1024, first=b":ready\n\nevent: worker_online\ndata: ")
    with (
        _client(_answering(body, "text/event-stream")) as client,
        pytest.raises(GatewayProtocolError) as raised,
        client.events.stream() as events,
    ):
        list(events)
    assert raised.value.code == "line_too_long"
    assert body.sent < 2 * MIB
