"""`client.openai.models`, `.chat.completions` and `.completions`, sync and async.

The request checks (what the gateway would refuse anyway,
docs/reference/gateway-protocol.md §5.10 / §5.11) and the answer parsing are shared I/O-free
functions; the `Xyz` and `AsyncXyz` classes only send and wait. Completions are read through
`client._stream` in both modes: the gateway answers a non-streamed completion only after the worker
finished (docs/reference/gateway-protocol.md §5.10), which can take minutes, so the answer gets the
long read timeout of a task stream rather than the client's per-request one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, overload

import httpx
from agentfm_gateway.api.openai import create_chat_completion, create_completion, list_models
from agentfm_gateway.models import ChatCompletionRequest, CompletionRequest
from agentfm_gateway.models import ChatMessage as GatewayChatMessage

from agentfm._base import check_request_body
from agentfm._bounds import MAX_COMPLETION_BYTES, CallBounds
from agentfm._json import loads_gateway_json
from agentfm._options import TASK_STREAM_READ_TIMEOUT
from agentfm.exceptions import GatewayProtocolError, InvalidRequestError
from agentfm.models import read_answer
from agentfm.openai._routing import warn_unless_peer_id
from agentfm.openai._streams import AsyncStream, ChunkDecoder, Stream, check_event_stream
from agentfm.openai.models import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    ModelsList,
    TextCompletion,
    TextCompletionChunk,
)

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = [
    "AsyncChat",
    "AsyncChatCompletions",
    "AsyncCompletions",
    "AsyncModels",
    "Chat",
    "ChatCompletions",
    "Completions",
    "MessageParam",
    "Models",
    "chat_request",
    "completion_request",
]

# A message as the caller gives it: our `ChatMessage`, or an OpenAI-style dict.
MessageParam = ChatMessage | Mapping[str, Any]
RequestBody = ChatCompletionRequest | CompletionRequest
ChunkT = TypeVar("ChunkT")

# The routing warning points at the caller of `create` (caller -> create -> *_request).
_WARNING_STACKLEVEL: Final = 3


# --- requests (no I/O) --------------------------------------------------------------------------


def _checked_model(model: object) -> str:
    # 5.10: a missing or blank `model` is a 400 `model_required`.
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError(
            f"model must be a non-blank string (a worker's peer id), not {model!r}",
            code="model_required",
        )
    return model


def _checked_stream(stream: object) -> bool:
    # 5.10: a non-boolean `stream` fails to decode (400 `invalid_request_error`).
    if not isinstance(stream, bool):
        raise InvalidRequestError(
            f"stream must be True or False, not {stream!r}", code="invalid_request_error"
        )
    return stream


def _wire_message(message: object, index: int) -> GatewayChatMessage:
    if isinstance(message, ChatMessage):
        fields: dict[str, Any] = {**message.model_extra, "role": message.role}
        fields["content"] = message.content
    elif isinstance(message, Mapping):
        fields = dict(message)
    else:
        raise InvalidRequestError(
            f"messages[{index}] must be a ChatMessage or a dict with 'role' and 'content', "
            f"not {type(message).__name__}",
            code="invalid_request_error",
        )
    role = fields.pop("role", "")
    content = fields.pop("content", None)
    # 5.10: the gateway decodes `role` and `content` as strings; anything else (e.g. a list of
    # multimodal content parts) makes the whole body undecodable, a 400.
    if not isinstance(role, str):
        raise InvalidRequestError(
            f"messages[{index}].role must be a string, not {role!r}", code="invalid_request_error"
        )
    if content is not None and not isinstance(content, str):
        raise InvalidRequestError(
            f"messages[{index}].content must be a string: the gateway accepts no "
            f"{type(content).__name__} content",
            code="invalid_request_error",
        )
    wire = GatewayChatMessage(role=role, content=content)
    wire.additional_properties = fields
    return wire


def _wire_messages(messages: object) -> list[GatewayChatMessage]:
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Iterable):
        raise InvalidRequestError(
            "messages must be a list of messages, e.g. [{'role': 'user', 'content': 'hi'}]",
            code="invalid_request_error",
        )
    wire = [_wire_message(message, index) for index, message in enumerate(messages)]
    if not wire:
        # 5.10: an empty `messages` is a 400 `prompt_required`.
        raise InvalidRequestError(
            "messages must contain at least one message", code="prompt_required"
        )
    return wire


def _checked_prompt(prompt: object) -> str:
    # 5.11: absent/null or blank is `prompt_required`; any non-string `unsupported_prompt_type`.
    if prompt is None:
        raise InvalidRequestError("prompt is required", code="prompt_required")
    if not isinstance(prompt, str):
        raise InvalidRequestError(
            f"prompt must be a single string, not {type(prompt).__name__} (the gateway accepts "
            "no array or other prompt form)",
            code="unsupported_prompt_type",
        )
    if not prompt.strip():
        raise InvalidRequestError("prompt must not be blank", code="prompt_required")
    return prompt


def chat_request(
    model: object, messages: object, stream: object, extra: Mapping[str, Any]
) -> ChatCompletionRequest:
    """The body of `/v1/chat/completions`, checked the way the gateway would check it.

    `extra` (temperature, max_tokens, user, ...) is sent as given: this gateway ignores it, a
    newer one may not.
    """
    request = ChatCompletionRequest(
        model=_checked_model(model),
        messages=_wire_messages(messages),
        stream=_checked_stream(stream),
    )
    request.additional_properties = dict(extra)
    check_request_body(request.to_dict())
    warn_unless_peer_id(request.model, stacklevel=_WARNING_STACKLEVEL)
    return request


def completion_request(
    model: object, prompt: object, stream: object, extra: Mapping[str, Any]
) -> CompletionRequest:
    """The body of `/v1/completions`, checked the way the gateway would check it
    (docs/reference/gateway-protocol.md §5.11)."""
    request = CompletionRequest(
        model=_checked_model(model),
        prompt=_checked_prompt(prompt),
        stream=_checked_stream(stream),
    )
    request.additional_properties = dict(extra)
    check_request_body(request.to_dict())
    warn_unless_peer_id(request.model, stacklevel=_WARNING_STACKLEVEL)
    return request


# --- answers (no I/O) ---------------------------------------------------------------------------


def _json_of(body: bytes) -> Any:
    return loads_gateway_json(body, what="the completion answer")


def chat_completion_from(body: bytes) -> ChatCompletion:
    return read_answer(ChatCompletion, _json_of(body))


def text_completion_from(body: bytes) -> TextCompletion:
    return read_answer(TextCompletion, _json_of(body))


def _chat_piece(chunk: ChatCompletionChunk) -> tuple[str, str | None]:
    if not chunk.choices:
        return "", None
    choice = chunk.choices[0]
    return choice.delta.content or "", choice.finish_reason


def _text_piece(chunk: TextCompletionChunk) -> tuple[str, str | None]:
    if not chunk.choices:
        return "", None
    choice = chunk.choices[0]
    return choice.text, choice.finish_reason


def chat_chunks() -> ChunkDecoder[ChatCompletionChunk]:
    return ChunkDecoder(lambda data: read_answer(ChatCompletionChunk, data), _chat_piece)


def text_chunks() -> ChunkDecoder[TextCompletionChunk]:
    return ChunkDecoder(lambda data: read_answer(TextCompletionChunk, data), _text_piece)


# --- sending (the only I/O; sync and async twins) -----------------------------------------------

OpenStream = Callable[..., contextlib.AbstractContextManager[httpx.Response]]
AsyncOpenStream = Callable[..., contextlib.AbstractAsyncContextManager[httpx.Response]]


# A whole completion is read into memory: capped (agentfm._bounds says why at this size).
_COMPLETION_BOUNDS: Final = CallBounds(max_answer_bytes=MAX_COMPLETION_BYTES)


def _read(client: AgentFMClient, open_stream: OpenStream, request: RequestBody) -> bytes:
    """The whole answer to a non-streamed completion, waiting as long as a task may run."""
    with client._stream(
        open_stream, TASK_STREAM_READ_TIMEOUT, bounds=_COMPLETION_BOUNDS, body=request
    ) as response:
        return response.read()


async def _read_async(
    client: AsyncAgentFMClient, open_stream: AsyncOpenStream, request: RequestBody
) -> bytes:
    async with client._stream(
        open_stream, TASK_STREAM_READ_TIMEOUT, bounds=_COMPLETION_BOUNDS, body=request
    ) as response:
        return await response.aread()


def _open(
    client: AgentFMClient,
    open_stream: OpenStream,
    request: RequestBody,
    decoder: ChunkDecoder[ChunkT],
) -> Stream[ChunkT]:
    """Send a streamed completion and hand its open 200 answer to a `Stream` that owns it."""
    closer = contextlib.ExitStack()
    response = closer.enter_context(
        client._stream(open_stream, TASK_STREAM_READ_TIMEOUT, body=request)
    )
    try:
        check_event_stream(response)
    except GatewayProtocolError:
        closer.close()
        raise
    return Stream(response, closer, decoder)


async def _open_async(
    client: AsyncAgentFMClient,
    open_stream: AsyncOpenStream,
    request: RequestBody,
    decoder: ChunkDecoder[ChunkT],
) -> AsyncStream[ChunkT]:
    closer = contextlib.AsyncExitStack()
    response = await closer.enter_async_context(
        client._stream(open_stream, TASK_STREAM_READ_TIMEOUT, body=request)
    )
    try:
        check_event_stream(response)
    except GatewayProtocolError:
        await closer.aclose()
        raise
    return AsyncStream(response, closer, decoder)


# --- client.openai.models -----------------------------------------------------------------------


class Models:
    """`client.openai.models` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    def list(self) -> ModelsList:
        """One entry per online worker (not trust-filtered); `entry.id` is its peer id."""
        return self._client._call(list_models.sync_detailed, ModelsList)


class AsyncModels:
    """`client.openai.models` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    async def list(self) -> ModelsList:
        """One entry per online worker (not trust-filtered); `entry.id` is its peer id."""
        return await self._client._call(list_models.asyncio_detailed, ModelsList)


# --- client.openai.chat.completions -------------------------------------------------------------


class ChatCompletions:
    """`client.openai.chat.completions` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: Literal[False] = False,
        **extra: Any,
    ) -> ChatCompletion: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: Literal[True],
        **extra: Any,
    ) -> Stream[ChatCompletionChunk]: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: bool,
        **extra: Any,
    ) -> ChatCompletion | Stream[ChatCompletionChunk]: ...

    def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: bool = False,
        **extra: Any,
    ) -> ChatCompletion | Stream[ChatCompletionChunk]:
        """Run a chat completion on the worker `model` names (best: its peer id).

        `messages`: dicts such as `{"role": "user", "content": "hi"}` or `ChatMessage`s; the
        gateway flattens them into one prompt. Other keyword arguments (temperature, ...) are
        sent as given. With `stream=True`, returns a `Stream` of `ChatCompletionChunk` (the
        request is sent here, so HTTP errors raise here); otherwise the `ChatCompletion`.
        """
        request = chat_request(model, messages, stream, extra)
        if stream:
            return _open(self._client, create_chat_completion.sync_stream, request, chat_chunks())
        body = _read(self._client, create_chat_completion.sync_stream, request)
        return chat_completion_from(body)


class AsyncChatCompletions:
    """`client.openai.chat.completions` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: Literal[False] = False,
        **extra: Any,
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: Literal[True],
        **extra: Any,
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: bool,
        **extra: Any,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]: ...

    async def create(
        self,
        *,
        model: str,
        messages: Iterable[MessageParam],
        stream: bool = False,
        **extra: Any,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        """Run a chat completion (see `ChatCompletions.create`); with `stream=True`,
        `await` it for an `AsyncStream` and iterate that with `async for`."""
        request = chat_request(model, messages, stream, extra)
        if stream:
            return await _open_async(
                self._client, create_chat_completion.asyncio_stream, request, chat_chunks()
            )
        body = await _read_async(self._client, create_chat_completion.asyncio_stream, request)
        return chat_completion_from(body)


class Chat:
    """`client.openai.chat` of `AgentFMClient`: holds `completions`."""

    def __init__(self, client: AgentFMClient) -> None:
        self.completions = ChatCompletions(client)


class AsyncChat:
    """`client.openai.chat` of `AsyncAgentFMClient`: holds `completions`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self.completions = AsyncChatCompletions(client)


# --- client.openai.completions ------------------------------------------------------------------


class Completions:
    """`client.openai.completions` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    @overload
    def create(
        self, *, model: str, prompt: str, stream: Literal[False] = False, **extra: Any
    ) -> TextCompletion: ...

    @overload
    def create(
        self, *, model: str, prompt: str, stream: Literal[True], **extra: Any
    ) -> Stream[TextCompletionChunk]: ...

    @overload
    def create(
        self, *, model: str, prompt: str, stream: bool, **extra: Any
    ) -> TextCompletion | Stream[TextCompletionChunk]: ...

    def create(
        self, *, model: str, prompt: str, stream: bool = False, **extra: Any
    ) -> TextCompletion | Stream[TextCompletionChunk]:
        """Run a text completion: `prompt` goes to the worker verbatim
        (docs/reference/gateway-protocol.md §5.11).

        Other keyword arguments are sent as given. With `stream=True`, returns a `Stream` of
        `TextCompletionChunk`; otherwise the `TextCompletion`.
        """
        request = completion_request(model, prompt, stream, extra)
        if stream:
            return _open(self._client, create_completion.sync_stream, request, text_chunks())
        body = _read(self._client, create_completion.sync_stream, request)
        return text_completion_from(body)


class AsyncCompletions:
    """`client.openai.completions` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    @overload
    async def create(
        self, *, model: str, prompt: str, stream: Literal[False] = False, **extra: Any
    ) -> TextCompletion: ...

    @overload
    async def create(
        self, *, model: str, prompt: str, stream: Literal[True], **extra: Any
    ) -> AsyncStream[TextCompletionChunk]: ...

    @overload
    async def create(
        self, *, model: str, prompt: str, stream: bool, **extra: Any
    ) -> TextCompletion | AsyncStream[TextCompletionChunk]: ...

    async def create(
        self, *, model: str, prompt: str, stream: bool = False, **extra: Any
    ) -> TextCompletion | AsyncStream[TextCompletionChunk]:
        """Run a text completion (see `Completions.create`); with `stream=True`, `await` it
        for an `AsyncStream` and iterate that with `async for`."""
        request = completion_request(model, prompt, stream, extra)
        if stream:
            return await _open_async(
                self._client, create_completion.asyncio_stream, request, text_chunks()
            )
        body = await _read_async(self._client, create_completion.asyncio_stream, request)
        return text_completion_from(body)
