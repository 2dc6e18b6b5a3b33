"""`client.openai`: models, chat and text completions, sync and async (protocol 5.9-5.11).

Wire-level behaviour (chunk boundaries, stream endings, error envelopes, request bodies) is
scripted with `httpx.MockTransport`; end-to-end behaviour runs against the simulator, and the
official `openai` package pointed at the simulator must see the same answers as our namespace.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import hashlib
import inspect
import itertools
import json
import random
import re
import subprocess
import sys
import threading
import time
import typing
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

import httpx
import openai as official_openai
import pytest

import agentfm
from agentfm import (
    AgentFMClient,
    AgentFMError,
    AsyncAgentFMClient,
    GatewayConnectionError,
    GatewayInternalError,
    GatewayProtocolError,
    InvalidRequestError,
    MeshOverloadedError,
    ModelNotFoundError,
    WorkerStreamError,
    WorkerUnreachableError,
)
from agentfm._identifiers import encode_base58btc, peer_id_from_ed25519_public_key
from agentfm.models import Record, read_answer
from agentfm.openai import AgentFMRoutingWarning, AsyncStream, Stream, _resources, _routing
from agentfm.openai.models import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    ModelEntry,
    ModelsList,
    TextCompletion,
    TextCompletionChunk,
    Usage,
)

pytestmark = pytest.mark.filterwarnings("ignore::agentfm.openai.AgentFMRoutingWarning")

GATEWAY = "http://gateway.test"
_KEY = bytes(range(32))
PEER = peer_id_from_ed25519_public_key(_KEY)
PEER_QM = encode_base58btc(b"\x12\x20" + hashlib.sha256(b"an rsa key").digest())
PEER_CID = "b" + base64.b32encode(
    b"\x01\x72" + b"\x00\x24\x08\x01\x12\x20" + _KEY
).decode().lower().rstrip("=")
TASK_ID = "task_0123456789abcdef01234567"
SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}

# --- scripted gateway ---------------------------------------------------------------------------


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body sent in the given pieces; records how far it was read and its closing."""

    def __init__(self, pieces: list[bytes], *, error: Exception | None = None) -> None:
        self.pieces = pieces
        self.error = error
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.sent += 1
            yield piece
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            self.sent += 1
            yield piece
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Gateway:
    """Answers every request with `answer(request)` and records the requests."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    @contextlib.contextmanager
    def client(self) -> Iterator[AgentFMClient]:
        with (
            httpx.Client(transport=httpx.MockTransport(self._handle)) as http,
            AgentFMClient(GATEWAY, api_key=None, retries=0, http_client=http) as client,
        ):
            yield client

    @contextlib.asynccontextmanager
    async def async_client(self) -> AsyncIterator[AsyncAgentFMClient]:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(self._handle)) as http,
            AsyncAgentFMClient(GATEWAY, api_key=None, retries=0, http_client=http) as client,
        ):
            yield client


def streaming(body: Body) -> Gateway:
    return Gateway(lambda _: httpx.Response(200, headers=SSE_HEADERS, stream=body))


def replying(status: int, payload: Any) -> Gateway:
    return Gateway(lambda _: httpx.Response(status, json=payload))


def envelope(code: str, error_type: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": f"refused: {code}", "type": error_type, "code": code}}


# --- the gateway's SSE frames (5.10 / 5.11) -----------------------------------------------------


def frame(payload: dict[str, Any]) -> bytes:
    # Go writes compact JSON and leaves non-ASCII characters as they are.
    return (
        b"data: "
        + json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        + b"\n\n"
    )


DONE = b"data: [DONE]\n\n"
LINES = ["héllo wörld 😀\n", "\n", "日本語 second line\n"]


def chat_chunk(content: str, *, role: str = "", finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-0123456789abcdef01234567",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": PEER,
        "choices": [
            {
                "index": 0,
                "delta": {"role": role, "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "agentfm_peer_id": PEER,
        "agentfm_task_id": TASK_ID,
    }


def text_chunk(text: str, finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "cmpl-0123456789abcdef01234567",
        "object": "text_completion",
        "created": 1767225600,
        "model": PEER,
        "choices": [{"index": 0, "text": text, "finish_reason": finish_reason}],
    }


def chat_frames(lines: list[str], *, ending: bytes | None = None) -> list[bytes]:
    """The exact 5.10 sequence: role chunk, one chunk per line, the stop chunk, [DONE]."""
    frames = [frame(chat_chunk("", role="assistant"))]
    frames += [frame(chat_chunk(line)) for line in lines]
    if ending is None:
        frames += [frame(chat_chunk("", finish_reason="stop")), DONE]
    else:
        frames.append(ending)
    return frames


def text_frames(lines: list[str], *, ending: bytes | None = None) -> list[bytes]:
    """The 5.11 sequence: no role chunk, one chunk per line, the stop chunk, [DONE]."""
    frames = [frame(text_chunk(line)) for line in lines]
    if ending is None:
        frames += [frame(text_chunk("", "stop")), DONE]
    else:
        frames.append(ending)
    return frames


CHAT_EXPECTED = (
    [("assistant", "", None)] + [("", line, None) for line in LINES] + [("", "", "stop")]
)
TEXT_EXPECTED = [(line, None) for line in LINES] + [("", "stop")]


def cut(data: bytes, *offsets: int) -> list[bytes]:
    bounds = [0, *sorted(offsets), len(data)]
    return [data[start:end] for start, end in itertools.pairwise(bounds) if end > start]


def splits(frames: list[bytes]) -> dict[str, list[bytes]]:
    """The same body cut in the ways a network may cut it."""
    body = b"".join(frames)
    crlf = body.replace(b"\n", b"\r\n")  # JSON escapes its own newlines, so this is safe
    first_multibyte = body.index("é".encode())
    rng = random.Random(5)
    return {
        "one piece": [body],
        "one frame per piece": frames,
        "mid event": cut(body, len(frames[0]) // 2, len(frames[0]) + 9),
        "mid utf-8": cut(body, first_multibyte + 1, body.index("😀".encode()) + 2),
        "mid crlf": cut(crlf, crlf.index(b"\r\n") + 1, crlf.index(b"\r\n\r\n") + 3),
        "every byte": [body[i : i + 1] for i in range(len(body))],
        "random": cut(body, *rng.sample(range(1, len(body)), 40)),
    }


def delta_of(chunk: ChatCompletionChunk) -> tuple[str, str, str | None]:
    choice = chunk.choices[0]
    return choice.delta.role, choice.delta.content, choice.finish_reason


def text_of(chunk: TextCompletionChunk) -> tuple[str, str | None]:
    return chunk.choices[0].text, chunk.choices[0].finish_reason


MESSAGES = [{"role": "user", "content": "hi"}]

# --- streaming: chunk boundaries and the exact sequence ------------------------------------------


@pytest.mark.parametrize("how", list(splits(chat_frames(LINES))))
def test_chat_stream_yields_the_exact_sequence_however_the_body_is_cut(how: str) -> None:
    gateway = streaming(Body(splits(chat_frames(LINES))[how]))
    with gateway.client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        chunks = list(stream)
    assert [delta_of(chunk) for chunk in chunks] == CHAT_EXPECTED
    assert {(c.id, c.created, c.agentfm_peer_id, c.agentfm_task_id) for c in chunks} == {
        ("chatcmpl-0123456789abcdef01234567", 1767225600, PEER, TASK_ID)
    }
    assert stream.text == "".join(LINES)


@pytest.mark.parametrize("how", list(splits(text_frames(LINES))))
async def test_async_text_stream_yields_the_exact_sequence_however_the_body_is_cut(
    how: str,
) -> None:
    gateway = streaming(Body(splits(text_frames(LINES))[how]))
    async with gateway.async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        chunks = [chunk async for chunk in stream]
    assert [text_of(chunk) for chunk in chunks] == TEXT_EXPECTED
    assert all(isinstance(chunk, TextCompletionChunk) for chunk in chunks)


@pytest.mark.parametrize("how", ["mid utf-8", "mid crlf", "every byte"])
async def test_async_chat_stream_survives_the_same_cuts(how: str) -> None:
    gateway = streaming(Body(splits(chat_frames(LINES))[how]))
    async with gateway.async_client() as client:
        stream = await client.openai.chat.completions.create(
            model=PEER, messages=MESSAGES, stream=True
        )
        assert isinstance(stream, AsyncStream)
        assert [delta_of(chunk) async for chunk in stream] == CHAT_EXPECTED


def test_sync_text_stream_and_its_type() -> None:
    gateway = streaming(Body(splits(text_frames(LINES))["every byte"]))
    with gateway.client() as client:
        stream = client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        assert isinstance(stream, Stream)
        assert [text_of(chunk) for chunk in stream] == TEXT_EXPECTED


def test_chunks_are_yielded_as_they_arrive() -> None:
    body = Body(chat_frames(LINES))
    with streaming(body).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        assert body.sent == 0  # create sent the request but read no event yet
        first = next(stream)
        assert delta_of(first) == ("assistant", "", None)
        assert body.sent == 1
        assert delta_of(next(stream)) == ("", LINES[0], None)
        assert body.sent == 2
        stream.close()


async def test_async_chunks_are_yielded_as_they_arrive() -> None:
    body = Body(text_frames(LINES))
    async with streaming(body).async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        assert text_of(await stream.__anext__()) == (LINES[0], None)
        assert body.sent == 1
        await stream.aclose()


# --- early exit ---------------------------------------------------------------------------------


def test_break_and_close_closes_the_connection_at_once() -> None:
    body = Body(chat_frames(LINES * 20))
    with streaming(body).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        for index, _ in enumerate(stream):
            if index == 2:
                break
        assert not body.closed
        stream.close()
        assert body.closed
        assert body.sent < len(body.pieces)
        assert list(stream) == []  # a closed stream yields nothing more
        stream.close()  # idempotent


def test_leaving_the_with_block_closes_the_connection() -> None:
    body = Body(text_frames(LINES * 20))
    with streaming(body).client() as client:
        with client.openai.completions.create(model=PEER, prompt="hi", stream=True) as stream:
            next(stream)
        assert body.closed
        assert body.sent < len(body.pieces)


def test_closing_an_unread_stream_closes_the_connection() -> None:
    body = Body(chat_frames(LINES))
    with streaming(body).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        stream.close()
    assert body.closed
    assert body.sent == 0


async def test_aclosing_closes_the_connection_on_early_exit() -> None:
    body = Body(chat_frames(LINES * 20))
    async with streaming(body).async_client() as client:
        stream = await client.openai.chat.completions.create(
            model=PEER, messages=MESSAGES, stream=True
        )
        async with contextlib.aclosing(stream) as chunks:
            async for chunk in chunks:
                if chunk.choices[0].delta.content:
                    break
        assert body.closed
        assert body.sent < len(body.pieces)


async def test_async_with_closes_the_connection() -> None:
    body = Body(text_frames(LINES * 20))
    async with streaming(body).async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        async with stream:
            await stream.__anext__()
        assert body.closed
        await stream.aclose()  # idempotent


# --- stream endings -----------------------------------------------------------------------------

STREAM_ERROR = "\n[stream error: stream reset]\n"


def test_in_band_stream_error_raises_after_the_earlier_chunks() -> None:
    frames = chat_frames(LINES[:1], ending=frame(chat_chunk(STREAM_ERROR, finish_reason="stop")))
    seen: list[str] = []
    with streaming(Body([*frames, DONE])).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        with pytest.raises(WorkerStreamError) as raised:
            seen.extend(chunk.choices[0].delta.content for chunk in stream)
    assert seen == ["", LINES[0]]  # the error text is never passed off as content
    assert raised.value.partial_text == LINES[0]
    assert raised.value.code == "worker_stream_failed"
    assert "stream reset" in raised.value.message


async def collect_texts(stream: AsyncStream[TextCompletionChunk], into: list[str]) -> None:
    async for chunk in stream:
        into.append(chunk.choices[0].text)


async def test_async_in_band_stream_error_on_text_completions() -> None:
    frames = text_frames(LINES, ending=frame(text_chunk(STREAM_ERROR, "stop")))
    seen: list[str] = []
    async with streaming(Body([*frames, DONE])).async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        with pytest.raises(WorkerStreamError) as raised:
            await collect_texts(stream, seen)
    assert seen == LINES
    assert raised.value.partial_text == "".join(LINES)


def test_a_line_that_merely_mentions_stream_error_is_content() -> None:
    # Only the gateway's last chunk (finish_reason stop) reports a failure.
    lines = [STREAM_ERROR]
    with streaming(Body(chat_frames(lines))).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        assert [delta_of(chunk)[1] for chunk in stream] == ["", STREAM_ERROR, ""]


@pytest.mark.parametrize("cut_at", ["after a line", "mid frame", "after stop"])
def test_a_body_without_done_is_a_truncated_answer(cut_at: str) -> None:
    frames = chat_frames(LINES)
    pieces = {
        "after a line": frames[:2],
        "mid frame": [*frames[:2], frames[2][:20]],
        "after stop": frames[:-1],
    }[cut_at]
    with streaming(Body(pieces)).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        with pytest.raises(GatewayConnectionError) as raised:
            list(stream)
    assert type(raised.value) is GatewayConnectionError
    assert raised.value.code == "stream_truncated"
    assert raised.value.partial_text == ("".join(LINES) if cut_at == "after stop" else LINES[0])


async def test_async_body_without_done_is_truncated() -> None:
    async with streaming(Body(text_frames(LINES)[:2])).async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        with pytest.raises(GatewayConnectionError) as raised:
            async for _ in stream:
                pass
    assert raised.value.code == "stream_truncated"
    assert raised.value.partial_text == "".join(LINES[:2])


def test_a_connection_lost_mid_stream_keeps_the_partial_text() -> None:
    body = Body(chat_frames(LINES)[:3], error=httpx.ReadError("connection reset by peer"))
    with streaming(body).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        with pytest.raises(GatewayConnectionError) as raised:
            list(stream)
    assert raised.value.code == "connection_lost"
    assert raised.value.partial_text == "".join(LINES[:2])
    assert body.closed


async def test_async_connection_lost_mid_stream_keeps_the_partial_text() -> None:
    body = Body(text_frames(LINES)[:1], error=httpx.ReadError("connection reset by peer"))
    async with streaming(body).async_client() as client:
        stream = await client.openai.completions.create(model=PEER, prompt="hi", stream=True)
        with pytest.raises(GatewayConnectionError) as raised:
            async for _ in stream:
                pass
    assert raised.value.partial_text == LINES[0]


@pytest.mark.parametrize(
    "bad_frame",
    [
        b"data: {not json\n\n",
        frame({**chat_chunk("x"), "choices": [{"index": 0, "delta": {"content": 7}}]}),
    ],
)
def test_a_malformed_chunk_is_a_protocol_error(bad_frame: bytes) -> None:
    with streaming(Body([chat_frames(LINES)[0], bad_frame, DONE])).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        with pytest.raises(GatewayProtocolError):
            list(stream)


def test_a_json_answer_to_a_streamed_request_is_refused_by_create() -> None:
    body = Body([b'{"id": "x"}'])
    gateway = Gateway(lambda _: httpx.Response(200, json={"id": "x"}))
    gateway.answer = lambda _: httpx.Response(
        200, headers={"content-type": "application/json"}, stream=body
    )
    with gateway.client() as client, pytest.raises(GatewayProtocolError):
        client.openai.completions.create(model=PEER, prompt="hi", stream=True)
    assert body.closed


def test_comments_and_named_events_are_skipped() -> None:
    frames = chat_frames(LINES)
    pieces = [b":keepalive\n\n", frames[0], b"event: other\ndata: {}\n\n", *frames[1:]]
    with streaming(Body(pieces)).client() as client:
        stream = client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        assert [delta_of(chunk) for chunk in stream] == CHAT_EXPECTED


# --- non-streamed answers -----------------------------------------------------------------------

CHAT_COMPLETION = {
    "id": "chatcmpl-0123456789abcdef01234567",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "llama3.2",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "héllo\n\n"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
}
TEXT_COMPLETION = {
    "id": "cmpl-0123456789abcdef01234567",
    "object": "text_completion",
    "created": 1767225600,
    "model": PEER,
    "choices": [{"index": 0, "text": "done\n", "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
}


def test_chat_completion_reads_like_the_openai_package() -> None:
    gateway = replying(200, CHAT_COMPLETION)
    with gateway.client() as client:
        resp = client.openai.chat.completions.create(model=PEER, messages=MESSAGES)
    assert isinstance(resp, ChatCompletion)
    assert resp.choices[0].message.content == "héllo\n\n"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    assert (resp.id, resp.object, resp.created, resp.model) == (
        "chatcmpl-0123456789abcdef01234567",
        "chat.completion",
        1767225600,
        "llama3.2",
    )
    assert resp.usage == Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0)
    assert gateway.requests[0].url.path == "/v1/chat/completions"


async def test_async_text_completion() -> None:
    gateway = replying(200, TEXT_COMPLETION)
    async with gateway.async_client() as client:
        resp = await client.openai.completions.create(model=PEER, prompt="hi")
    assert isinstance(resp, TextCompletion)
    assert resp.choices[0].text == "done\n"
    assert gateway.requests[0].url.path == "/v1/completions"


async def test_async_chat_completion_and_sync_text_completion() -> None:
    async with replying(200, CHAT_COMPLETION).async_client() as client:
        chat = await client.openai.chat.completions.create(model=PEER, messages=MESSAGES)
    with replying(200, TEXT_COMPLETION).client() as sync_client:
        text = sync_client.openai.completions.create(model=PEER, prompt="hi")
    assert chat.choices[0].message.content == "héllo\n\n"
    assert text.choices[0].text == "done\n"


def test_a_malformed_completion_is_a_protocol_error() -> None:
    broken = {**CHAT_COMPLETION, "created": "yesterday"}
    with replying(200, broken).client() as client, pytest.raises(GatewayProtocolError):
        client.openai.chat.completions.create(model=PEER, messages=MESSAGES)


# --- error mapping (3.3) ------------------------------------------------------------------------

ERRORS: list[tuple[int, str, str, type[AgentFMError]]] = [
    (404, "model_not_found", "invalid_request_error", ModelNotFoundError),
    (503, "mesh_overloaded", "server_error", MeshOverloadedError),
    (502, "worker_unreachable", "server_error", WorkerUnreachableError),
    (502, "worker_stream_failed", "server_error", WorkerStreamError),
    (500, "internal_error", "server_error", GatewayInternalError),
    (400, "model_required", "invalid_request_error", InvalidRequestError),
    (400, "prompt_required", "invalid_request_error", InvalidRequestError),
    (400, "unsupported_prompt_type", "invalid_request_error", InvalidRequestError),
    (400, "invalid_request_error", "invalid_request_error", InvalidRequestError),
]


@pytest.mark.parametrize(("status", "code", "error_type", "error_class"), ERRORS)
def test_each_envelope_code_raises_its_class_from_create(
    status: int, code: str, error_type: str, error_class: type[AgentFMError]
) -> None:
    gateway = replying(status, envelope(code, error_type))
    with gateway.client() as client:
        calls: list[Callable[[], object]] = [
            lambda: client.openai.chat.completions.create(model=PEER, messages=MESSAGES),
            lambda: client.openai.chat.completions.create(
                model=PEER, messages=MESSAGES, stream=True
            ),
            lambda: client.openai.completions.create(model=PEER, prompt="hi"),
            lambda: client.openai.completions.create(model=PEER, prompt="hi", stream=True),
        ]
        for call in calls:
            with pytest.raises(error_class) as raised:
                call()  # streams too: the error comes from create, before any iteration
            assert (raised.value.code, raised.value.status) == (code, status)
    assert len(gateway.requests) == len(calls)  # no POST is retried after an answer


@pytest.mark.parametrize(("status", "code", "error_type", "error_class"), ERRORS)
async def test_async_each_envelope_code_raises_its_class_from_create(
    status: int, code: str, error_type: str, error_class: type[AgentFMError]
) -> None:
    async with replying(status, envelope(code, error_type)).async_client() as client:
        with pytest.raises(error_class) as raised:
            await client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        assert raised.value.code == code
        with pytest.raises(error_class):
            await client.openai.completions.create(model=PEER, prompt="hi")


def test_a_refused_stream_response_is_closed() -> None:
    body = Body([json.dumps(envelope("mesh_overloaded", "server_error")).encode()])
    gateway = Gateway(
        lambda _: httpx.Response(503, headers={"content-type": "application/json"}, stream=body)
    )
    with gateway.client() as client, pytest.raises(MeshOverloadedError):
        client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
    assert body.closed


def test_unreachable_gateway_is_a_connection_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with Gateway(refuse).client() as client:
        with pytest.raises(GatewayConnectionError):
            client.openai.chat.completions.create(model=PEER, messages=MESSAGES, stream=True)
        with pytest.raises(GatewayConnectionError):
            client.openai.models.list()


# --- requests: local validation, messages, **extra -----------------------------------------------

BAD_CHAT: list[tuple[dict[str, Any], str]] = [
    ({"model": "", "messages": MESSAGES}, "model_required"),
    ({"model": "   ", "messages": MESSAGES}, "model_required"),
    ({"model": None, "messages": MESSAGES}, "model_required"),
    ({"model": PEER, "messages": []}, "prompt_required"),
    ({"model": PEER, "messages": "hi"}, "invalid_request_error"),
    ({"model": PEER, "messages": [("user", "hi")]}, "invalid_request_error"),
    (
        {"model": PEER, "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]},
        "invalid_request_error",
    ),
    ({"model": PEER, "messages": [{"role": 1, "content": "hi"}]}, "invalid_request_error"),
    ({"model": PEER, "messages": MESSAGES, "stream": "yes"}, "invalid_request_error"),
    ({"model": PEER, "messages": MESSAGES, "temperature": float("nan")}, "invalid_argument"),
    ({"model": PEER, "messages": MESSAGES, "metadata": object()}, "invalid_argument"),
    (
        {"model": PEER, "messages": [{"role": "user", "content": "x" * (1 << 20)}]},
        "prompt_too_large",
    ),
]
BAD_TEXT: list[tuple[dict[str, Any], str]] = [
    ({"model": "", "prompt": "hi"}, "model_required"),
    ({"model": PEER, "prompt": None}, "prompt_required"),
    ({"model": PEER, "prompt": " \n"}, "prompt_required"),
    ({"model": PEER, "prompt": ["a", "b"]}, "unsupported_prompt_type"),
    ({"model": PEER, "prompt": 42}, "unsupported_prompt_type"),
]


@pytest.mark.parametrize(("arguments", "code"), BAD_CHAT)
def test_chat_requests_the_gateway_would_refuse_are_refused_locally(
    arguments: dict[str, Any], code: str
) -> None:
    gateway = replying(200, CHAT_COMPLETION)
    with gateway.client() as client, pytest.raises(InvalidRequestError) as raised:
        client.openai.chat.completions.create(**arguments)
    assert raised.value.code == code
    assert gateway.requests == []


@pytest.mark.parametrize(("arguments", "code"), BAD_TEXT)
async def test_async_text_requests_the_gateway_would_refuse_are_refused_locally(
    arguments: dict[str, Any], code: str
) -> None:
    gateway = replying(200, TEXT_COMPLETION)
    async with gateway.async_client() as client:
        with pytest.raises(InvalidRequestError) as raised:
            await client.openai.completions.create(**arguments, stream=True)
    assert raised.value.code == code
    assert gateway.requests == []


async def test_async_chat_validation_and_sync_text_validation() -> None:
    gateway = replying(200, CHAT_COMPLETION)
    async with gateway.async_client() as client:
        with pytest.raises(InvalidRequestError):
            await client.openai.chat.completions.create(model=PEER, messages=[])
    with gateway.client() as sync_client, pytest.raises(InvalidRequestError):
        sync_client.openai.completions.create(model=PEER, prompt=["x"])
    assert gateway.requests == []


def test_extra_arguments_and_messages_are_sent_as_given() -> None:
    gateway = replying(200, CHAT_COMPLETION)
    with gateway.client() as client:
        client.openai.chat.completions.create(
            model=PEER,
            messages=[
                ChatMessage("system", "Be brief"),
                {"role": "user", "content": "hi", "name": "bob"},
                ChatMessage(role="assistant", content=None),
            ],
            temperature=0.2,
            max_tokens=64,
            user="alice",
            stop=["\n"],
        )
    assert gateway.bodies() == [
        {
            "model": PEER,
            "messages": [
                {"role": "system", "content": "Be brief"},
                {"role": "user", "content": "hi", "name": "bob"},
                {"role": "assistant", "content": None},
            ],
            "stream": False,
            "temperature": 0.2,
            "max_tokens": 64,
            "user": "alice",
            "stop": ["\n"],
        }
    ]


async def test_async_extra_arguments_are_sent_on_streamed_text_completions() -> None:
    gateway = streaming(Body(text_frames(LINES)))
    async with gateway.async_client() as client:
        stream = await client.openai.completions.create(
            model=PEER, prompt="Once upon", stream=True, max_tokens=5, echo=False
        )
        await stream.aclose()
    assert gateway.bodies() == [
        {"model": PEER, "prompt": "Once upon", "stream": True, "max_tokens": 5, "echo": False}
    ]


# --- models -------------------------------------------------------------------------------------

FULL_ENTRY = {
    "id": PEER,
    "object": "model",
    "created": 1767225600,
    "owned_by": "alice",
    "description": "drafter · llama3.2 — writes drafts",
    "agentfm_name": "drafter",
    "agentfm_engine": "llama3.2",
    "agentfm_status": "AVAILABLE",
    "agentfm_hardware": "llama3.2 (GPU VRAM: 3.5/24.0 GB)",
    "agentfm_current_tasks": 1,
    "agentfm_max_tasks": 2,
    "agentfm_cpu_usage_pct": 12.5,
    "agentfm_ram_free_gb": 7,
    "agentfm_has_gpu": True,
    "agentfm_gpu_used_gb": 3.5,
    "agentfm_gpu_total_gb": 24,
    "agentfm_gpu_usage_pct": 14.6,
    "agentfm_image_ref": "localhost/agentfm/drafter:1.0",
    "agentfm_image_digest": "sha256:" + "ab" * 32,
    "agentfm_capability": "drafter",
    "agentfm_honesty_score": -0.2,
    "agentfm_is_equivocator": True,
    "agentfm_dispatch_allowed": False,
    "agentfm_dispatch_refuse_reason": "peer_is_equivocator",
    "agentfm_online": True,
    "agentfm_future_field": [1, 2],
}
REQUIRED_KEYS = {
    "id",
    "object",
    "created",
    "owned_by",
    "agentfm_current_tasks",
    "agentfm_max_tasks",
    "agentfm_cpu_usage_pct",
    "agentfm_ram_free_gb",
    "agentfm_has_gpu",
    "agentfm_gpu_used_gb",
    "agentfm_gpu_total_gb",
    "agentfm_gpu_usage_pct",
    "agentfm_honesty_score",
    "agentfm_is_equivocator",
    "agentfm_dispatch_allowed",
    "agentfm_online",
}
MINIMAL_ENTRY = {key: value for key, value in FULL_ENTRY.items() if key in REQUIRED_KEYS}


def test_models_list_carries_every_field_of_the_gateway() -> None:
    gateway = replying(200, {"object": "list", "data": [FULL_ENTRY, MINIMAL_ENTRY]})
    with gateway.client() as client:
        models = client.openai.models.list()
    assert isinstance(models, ModelsList)
    assert models.object == "list"
    assert len(models) == 2
    full, minimal = models.data
    assert full.agentfm_engine == "llama3.2"
    assert full.agentfm_gpu_total_gb == 24.0
    assert full.agentfm_ram_free_gb == 7.0
    assert full.agentfm_dispatch_refuse_reason == "peer_is_equivocator"
    assert full.raw["agentfm_future_field"] == [1, 2]
    for key, value in FULL_ENTRY.items():
        if key not in ("object", "agentfm_future_field"):
            assert getattr(full, key) == value, key
    # Keys the minimal entry lacks read as their defaults: None for what the gateway omits
    # when empty, 0.3.0's defaults for the trust fields older gateways do not send.
    optional = set(ModelEntry.model_fields) - REQUIRED_KEYS
    fields = ModelEntry.model_fields
    assert {name: getattr(minimal, name) for name in optional} == {
        name: fields[name].default for name in optional
    }
    assert minimal.agentfm_engine is None
    assert minimal.description is None
    assert [entry.id for entry in models] == [PEER, PEER]
    assert gateway.requests[0].method == "GET"
    assert gateway.requests[0].url.path == "/v1/models"


async def test_async_models_list() -> None:
    async with replying(200, {"object": "list", "data": []}).async_client() as client:
        models = await client.openai.models.list()
    assert models == ModelsList(data=[])


def test_a_malformed_models_list_is_a_protocol_error() -> None:
    broken = {"object": "list", "data": [{**FULL_ENTRY, "agentfm_has_gpu": "yes"}]}
    with replying(200, broken).client() as client, pytest.raises(GatewayProtocolError) as raised:
        client.openai.models.list()
    assert "agentfm_has_gpu" in raised.value.message


READ_CASES: list[tuple[type[Record], dict[str, Any], dict[str, Any]]] = [
    (ChatCompletion, CHAT_COMPLETION, {"created": "1767225600"}),
    (ChatCompletion, CHAT_COMPLETION, {"object": 7}),
    (ChatCompletion, CHAT_COMPLETION, {"choices": "none"}),
    (TextCompletion, TEXT_COMPLETION, {"usage": {"prompt_tokens": True}}),
    (ChatCompletionChunk, chat_chunk("x"), {"agentfm_task_id": 7}),
    (ChatCompletionChunk, chat_chunk("x"), {"choices": [{"index": 0, "delta": {"content": 5}}]}),
    (TextCompletionChunk, text_chunk("x"), {"choices": {"index": 0}}),
    (ModelEntry, FULL_ENTRY, {"agentfm_max_tasks": 2.5}),
    (ModelsList, {"object": "list", "data": []}, {"data": {}}),
    (Usage, CHAT_COMPLETION["usage"], {"total_tokens": "0"}),
]


@pytest.mark.parametrize(("model", "valid", "breakage"), READ_CASES)
def test_answers_keep_unknown_keys_default_missing_ones_and_refuse_wrong_types(
    model: type[Record], valid: dict[str, Any], breakage: dict[str, Any]
) -> None:
    newer = read_answer(model, {**valid, "a_key_from_a_newer_gateway": {"x": 1}})
    assert newer == read_answer(model, valid)
    assert newer.model_extra["a_key_from_a_newer_gateway"] == {"x": 1}
    field = next(iter(breakage))
    with pytest.raises(GatewayProtocolError, match=field) as raised:
        read_answer(model, {**valid, **breakage})
    assert raised.value.code == "unexpected_body"
    with pytest.raises(ValueError, match=field):
        model.from_dict({**valid, **breakage})
    with pytest.raises(GatewayProtocolError):
        read_answer(model, [valid])
    lacking = read_answer(model, {key: value for key, value in valid.items() if key != field})
    info = model.model_fields[field]
    assert getattr(lacking, field) == (info.default_factory or (lambda: info.default))()


def test_chunk_fields_follow_the_gateway() -> None:
    role = ChatCompletionChunk.from_dict(chat_chunk("", role="assistant"))
    assert (role.choices[0].delta.role, role.choices[0].delta.content) == ("assistant", "")
    assert role.choices[0].finish_reason is None
    assert (role.agentfm_peer_id, role.agentfm_task_id) == (PEER, TASK_ID)
    without_finish = {
        **chat_chunk("x"),
        "choices": [{"index": 0, "delta": {"role": "", "content": "x"}}],
    }
    assert ChatCompletionChunk.from_dict(without_finish).choices[0].finish_reason is None


# --- the routing warning ------------------------------------------------------------------------


@pytest.fixture
def fresh_warning_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[warnings.WarningMessage]]:
    """A process that has not warned yet; yields every warning recorded meanwhile."""
    monkeypatch.setattr(_routing, "_warned_models", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def routing_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [warning for warning in caught if issubclass(warning.category, AgentFMRoutingWarning)]


def test_routing_warning_fires_once_per_model_string_across_calls_and_threads(
    fresh_warning_state: list[warnings.WarningMessage],
) -> None:
    gateway = Gateway(
        lambda request: httpx.Response(
            200, json=CHAT_COMPLETION if "chat" in request.url.path else TEXT_COMPLETION
        )
    )
    with gateway.client() as client:
        client.openai.chat.completions.create(model="llama3.2", messages=MESSAGES)
        first = routing_warnings(fresh_warning_state)
        assert len(first) == 1
        assert first[0].filename == __file__  # it points at the caller's line
        assert "peer id" in str(first[0].message)

        start = threading.Barrier(8)

        def call_many() -> None:
            start.wait()
            for _ in range(5):
                client.openai.chat.completions.create(model="drafter", messages=MESSAGES)

        threads = [threading.Thread(target=call_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.openai.completions.create(model="mistral", prompt="hi")
        client.openai.completions.create(model="mistral", prompt="hi")
    warned = [str(warning.message) for warning in routing_warnings(fresh_warning_state)]
    assert len(warned) == 3
    assert ["llama3.2" in warned[0], "drafter" in warned[1], "mistral" in warned[2]] == [True] * 3
    assert len(gateway.requests) == 43


def test_routing_warning_is_thread_safe_when_the_first_calls_race(
    fresh_warning_state: list[warnings.WarningMessage],
) -> None:
    start = threading.Barrier(16)

    def warn() -> None:
        start.wait()
        _routing.warn_unless_peer_id("llama3.2", stacklevel=1)

    threads = [threading.Thread(target=warn) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(routing_warnings(fresh_warning_state)) == 1


async def test_async_routing_warning_points_at_the_caller(
    fresh_warning_state: list[warnings.WarningMessage],
) -> None:
    async with replying(200, TEXT_COMPLETION).async_client() as client:
        await client.openai.completions.create(model="summarizer", prompt="hi")
        await client.openai.completions.create(model="summarizer", prompt="hi")
    (warning,) = routing_warnings(fresh_warning_state)
    assert warning.filename == __file__


@pytest.mark.parametrize(
    "peer", [PEER, PEER_QM, PEER_CID, f"  {PEER}\n", "12D3KooWfake", "QmTestDouble"]
)
def test_no_routing_warning_for_any_peer_id_form(
    peer: str, fresh_warning_state: list[warnings.WarningMessage]
) -> None:
    with replying(200, CHAT_COMPLETION).client() as client:
        for _ in range(3):
            client.openai.chat.completions.create(model=peer, messages=MESSAGES)
        assert routing_warnings(fresh_warning_state) == []
        # A name is still warned about.
        client.openai.chat.completions.create(model="llama3.2", messages=MESSAGES)
    assert len(routing_warnings(fresh_warning_state)) == 1


def test_routing_warning_is_exported_and_is_a_user_warning() -> None:
    assert agentfm.AgentFMRoutingWarning is AgentFMRoutingWarning
    assert issubclass(AgentFMRoutingWarning, UserWarning)


# --- typing and imports -------------------------------------------------------------------------


def declared_overloads(function: Callable[..., Any]) -> list[dict[str, Any]]:
    """The resolved type hints of every `@overload` of `function`."""
    if sys.version_info >= (3, 11):
        return [typing.get_type_hints(item) for item in typing.get_overloads(function)]
    # Python 3.10 keeps no overload registry: read the declarations from the source.
    namespace = vars(_resources)
    class_name, _, method_name = function.__qualname__.partition(".")
    tree = ast.parse(inspect.getsource(_resources))
    (class_node,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    declared = []
    for node in class_node.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name != method_name or not any(
            isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list
        ):
            continue
        arguments = [*node.args.kwonlyargs, *([node.args.kwarg] if node.args.kwarg else [])]
        hints = {
            a.arg: eval(ast.unparse(a.annotation), namespace) for a in arguments if a.annotation
        }
        hints["return"] = eval(ast.unparse(node.returns), namespace)
        declared.append(hints)
    return declared


@pytest.mark.parametrize(
    ("function", "result", "stream"),
    [
        (_resources.ChatCompletions.create, ChatCompletion, Stream[ChatCompletionChunk]),
        (_resources.Completions.create, TextCompletion, Stream[TextCompletionChunk]),
        (_resources.AsyncChatCompletions.create, ChatCompletion, AsyncStream[ChatCompletionChunk]),
        (_resources.AsyncCompletions.create, TextCompletion, AsyncStream[TextCompletionChunk]),
    ],
)
def test_create_overloads_type_the_result_by_stream(
    function: Callable[..., Any], result: type, stream: Any
) -> None:
    by_stream = {hints["stream"]: hints["return"] for hints in declared_overloads(function)}
    assert by_stream == {
        Literal[False]: result,
        Literal[True]: stream,
        bool: result | stream,
    }
    assert inspect.signature(function).parameters["stream"].default is False
    assert inspect.iscoroutinefunction(function) == function.__qualname__.startswith("Async")


def test_import_agentfm_does_not_load_the_openai_models() -> None:
    script = (
        "import sys, agentfm\n"
        "assert 'agentfm.openai' not in sys.modules\n"
        "client = agentfm.AgentFMClient(api_key=None)\n"
        "client.openai, agentfm.AgentFMRoutingWarning\n"
        "assert 'agentfm.openai.models' not in sys.modules\n"
        "client.openai.chat\n"
        "assert 'agentfm.openai.models' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_model_types_are_exported_from_the_namespace_package() -> None:
    import agentfm.openai as namespace

    assert namespace.ChatCompletionChunk is ChatCompletionChunk
    assert namespace.Stream is Stream
    assert set(namespace.__all__) <= set(dir(namespace))
    with pytest.raises(AttributeError):
        namespace.Embedding  # noqa: B018


# --- live: the simulator, and the official openai package against it ---------------------------

ECHO = {"name": "echo", "engine": "llama3.2", "delay_seconds": 0.05, "max_tasks": 1}
TASK_ID_PATTERN = re.compile(r"^task_[0-9a-f]{24}$")


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@pytest.mark.agentfm_mesh(workers=[ECHO])
def test_live_namespace_and_official_openai_package_agree(agentfm_mesh: Any) -> None:
    messages = [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "hi"}]
    peer = agentfm_mesh.worker("echo").peer_id
    with (
        AgentFMClient(agentfm_mesh.url, api_key=None) as ours,
        official_openai.OpenAI(
            base_url=f"{agentfm_mesh.url}/v1", api_key="unused", max_retries=0
        ) as theirs,
    ):
        our_models = ours.openai.models.list()
        their_models = theirs.models.list()
        assert [(m.id, m.owned_by) for m in our_models] == [
            (m.id, m.owned_by) for m in their_models
        ]
        assert our_models.data[0].agentfm_engine == "llama3.2"
        assert our_models.data[0].id == peer

        our_chat = ours.openai.chat.completions.create(model=peer, messages=messages)
        their_chat = theirs.chat.completions.create(model=peer, messages=messages)
        content = our_chat.choices[0].message.content
        assert content == their_chat.choices[0].message.content
        assert content is not None
        assert content.startswith("echo (llama3.2) received: system: Be brief")
        assert our_chat.model == peer

        our_chunks = list(
            ours.openai.chat.completions.create(model=peer, messages=messages, stream=True)
        )
        their_chunks = list(
            theirs.chat.completions.create(model=peer, messages=messages, stream=True)
        )
        assert [c.choices[0].delta.content for c in our_chunks] == [
            c.choices[0].delta.content for c in their_chunks
        ]
        assert "".join(c.choices[0].delta.content for c in our_chunks) == content
        assert our_chunks[0].choices[0].delta.role == "assistant"
        assert [c.choices[0].finish_reason for c in our_chunks][-2:] == [None, "stop"]
        assert {c.agentfm_peer_id for c in our_chunks} == {peer}
        assert TASK_ID_PATTERN.match(our_chunks[0].agentfm_task_id)

        our_text = ours.openai.completions.create(model=peer, prompt="Once upon")
        their_text = theirs.completions.create(model=peer, prompt="Once upon")
        assert our_text.choices[0].text == their_text.choices[0].text
        our_text_chunks = list(ours.openai.completions.create(model=peer, prompt="x", stream=True))
        their_text_chunks = list(theirs.completions.create(model=peer, prompt="x", stream=True))
        assert [c.choices[0].text for c in our_text_chunks] == [
            c.choices[0].text for c in their_text_chunks
        ]


@pytest.mark.agentfm_mesh(workers=[ECHO])
async def test_live_async_streams_and_failures(agentfm_mesh: Any) -> None:
    worker = agentfm_mesh.worker("echo")
    async with AsyncAgentFMClient(agentfm_mesh.url, api_key=None) as client:
        stream = await client.openai.chat.completions.create(
            model=worker.peer_id, messages=MESSAGES, stream=True
        )
        async with contextlib.aclosing(stream) as chunks:
            text = "".join([chunk.choices[0].delta.content async for chunk in chunks])
        assert text.startswith("echo (llama3.2) received: user: hi")

        with pytest.raises(ModelNotFoundError):
            await client.openai.completions.create(model="no-such-agent", prompt="hi", stream=True)

        worker.fail_mode = "drop"
        stream = await client.openai.completions.create(model="echo", prompt="hi", stream=True)
        with pytest.raises(WorkerStreamError) as raised:
            async for _ in stream:
                pass
        assert raised.value.partial_text.startswith("echo (llama3.2) received: hi\n")
        with pytest.raises(WorkerStreamError) as non_streamed:
            await client.openai.completions.create(model="echo", prompt="hi")
        assert non_streamed.value.status == 502

        worker.fail_mode = "unreachable"
        with pytest.raises(WorkerUnreachableError):
            await client.openai.chat.completions.create(model="echo", messages=MESSAGES)


@pytest.mark.agentfm_mesh(workers=[{**ECHO, "delay_seconds": 5.0}])
def test_live_early_close_frees_the_worker(agentfm_mesh: Any) -> None:
    worker = agentfm_mesh.worker("echo")
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        stream = client.openai.chat.completions.create(model="echo", messages=MESSAGES, stream=True)
        assert next(stream).choices[0].delta.role == "assistant"
        assert worker.current_tasks == 1
        with pytest.raises(MeshOverloadedError):  # its only slot is taken
            client.openai.chat.completions.create(model="echo", messages=MESSAGES, stream=True)
        stream.close()
        # The gateway notices the closed connection and stops the task (5.10 step 5).
        wait_until(lambda: worker.current_tasks == 0)
        worker.delay_seconds = 0.05
        resp = client.openai.chat.completions.create(model="echo", messages=MESSAGES)
        assert resp.choices[0].message.content
