"""The typed answers of the gateway's OpenAI-compatible routes
(docs/reference/gateway-protocol.md §5.9-§5.11).

Attribute access follows the official `openai` package (`resp.choices[0].message.content`,
`chunk.choices[0].delta.content`), plus AgentFM's own fields (`chunk.agentfm_peer_id`,
`chunk.agentfm_task_id`, `ModelEntry.agentfm_engine`, ...). Every type is an attrs frozen class
with a `from_dict` that ignores keys it does not know (a newer gateway may add some) and refuses
a wrong shape (a missing key, a value of the wrong type) with `GatewayProtocolError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from agentfm.exceptions import GatewayProtocolError

__all__ = [
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatMessage",
    "ChoiceDelta",
    "ModelEntry",
    "ModelsList",
    "TextCompletion",
    "TextCompletionChoice",
    "TextCompletionChunk",
    "TextCompletionChunkChoice",
    "Usage",
]

ItemT = TypeVar("ItemT")

_MAX_SHOWN_VALUE_CHARS = 80


def _shown(value: Any) -> str:
    text = repr(value)
    if len(text) > _MAX_SHOWN_VALUE_CHARS:
        return text[: _MAX_SHOWN_VALUE_CHARS - 3] + "..."
    return text


def _malformed(where: str, expected: str, value: Any) -> GatewayProtocolError:
    return GatewayProtocolError(
        f"the gateway sent a malformed answer: {where} should be {expected}, not {_shown(value)}",
        code="unexpected_body",
    )


class _Fields:
    """Typed reads of one JSON object of a gateway answer; `where` names it in error messages."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise _malformed(where, "a JSON object", data)
        self._data: Mapping[str, Any] = data
        self._where = where

    def _required(self, key: str) -> Any:
        if key not in self._data:
            raise GatewayProtocolError(
                f"the gateway sent a malformed answer: {self._where}.{key} is missing",
                code="unexpected_body",
            )
        return self._data[key]

    def text(self, key: str) -> str:
        value = self._required(key)
        if not isinstance(value, str):
            raise _malformed(f"{self._where}.{key}", "a string", value)
        return value

    def optional_text(self, key: str) -> str | None:
        """A string that may be absent or null (both read as None)."""
        value = self._data.get(key)
        if value is not None and not isinstance(value, str):
            raise _malformed(f"{self._where}.{key}", "a string or null", value)
        return value

    def constant(self, key: str, expected: str) -> str:
        value = self.text(key)
        if value != expected:
            raise _malformed(f"{self._where}.{key}", repr(expected), value)
        return value

    def integer(self, key: str) -> int:
        value = self._required(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _malformed(f"{self._where}.{key}", "an integer", value)
        return value

    def number(self, key: str) -> float:
        value = self._required(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _malformed(f"{self._where}.{key}", "a number", value)
        return float(value)

    def boolean(self, key: str) -> bool:
        value = self._required(key)
        if not isinstance(value, bool):
            raise _malformed(f"{self._where}.{key}", "true or false", value)
        return value

    def child(self, key: str, build: Callable[[Any, str], ItemT]) -> ItemT:
        return build(self._required(key), f"{self._where}.{key}")

    def items(self, key: str, build: Callable[[Any, str], ItemT]) -> list[ItemT]:
        value = self._required(key)
        if not isinstance(value, list):
            raise _malformed(f"{self._where}.{key}", "an array", value)
        return [build(item, f"{self._where}.{key}[{index}]") for index, item in enumerate(value)]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)


# --- shared pieces ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Usage:
    """Token counts. The gateway does not count tokens: always present, always zeros
    (docs/reference/gateway-protocol.md §5.10)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @classmethod
    def from_dict(cls, data: Any, where: str = "usage") -> Usage:
        fields = _Fields(data, where)
        return cls(
            prompt_tokens=fields.integer("prompt_tokens"),
            completion_tokens=fields.integer("completion_tokens"),
            total_tokens=fields.integer("total_tokens"),
        )


@attrs.frozen
class ChatMessage:
    """One chat message: what you send in `messages`, and the reply's `choices[0].message`.

    The gateway flattens the messages into one prompt, `<role>: <content>` per message with
    non-empty content (an empty role counts as `user`), so `content` must be a string (or None,
    which is skipped).
    """

    role: str
    content: str | None

    @classmethod
    def from_dict(cls, data: Any, where: str = "message") -> ChatMessage:
        fields = _Fields(data, where)
        return cls(role=fields.text("role"), content=fields.optional_text("content"))


# --- 5.10 chat completions ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ChatCompletionChoice:
    """The one choice of a chat completion; `finish_reason` is always `stop`."""

    index: int
    message: ChatMessage
    finish_reason: str

    @classmethod
    def from_dict(cls, data: Any, where: str = "choice") -> ChatCompletionChoice:
        fields = _Fields(data, where)
        return cls(
            index=fields.integer("index"),
            message=fields.child("message", ChatMessage.from_dict),
            finish_reason=fields.text("finish_reason"),
        )


@attrs.frozen(kw_only=True)
class ChatCompletion:
    """A non-streamed chat completion (`object` = `chat.completion`).

    `model` echoes the request exactly. The content always ends with `\\n` (the gateway appends
    one to every output line) and `usage` is zeros.
    """

    id: str
    object: str
    created: int
    model: str
    choices: list[ChatCompletionChoice]
    usage: Usage

    @classmethod
    def from_dict(cls, data: Any, where: str = "chat.completion") -> ChatCompletion:
        fields = _Fields(data, where)
        return cls(
            id=fields.text("id"),
            object=fields.constant("object", "chat.completion"),
            created=fields.integer("created"),
            model=fields.text("model"),
            choices=fields.items("choices", ChatCompletionChoice.from_dict),
            usage=fields.child("usage", Usage.from_dict),
        )


@attrs.frozen(kw_only=True)
class ChoiceDelta:
    """What one chunk adds. The gateway always sends both keys: `role` is `assistant` on the
    first chunk and `""` after it; `content` is `""` on the first and the last chunk
    (docs/reference/gateway-protocol.md §5.10)."""

    role: str
    content: str

    @classmethod
    def from_dict(cls, data: Any, where: str = "delta") -> ChoiceDelta:
        fields = _Fields(data, where)
        return cls(role=fields.text("role"), content=fields.text("content"))


@attrs.frozen(kw_only=True)
class ChatCompletionChunkChoice:
    """The one choice of a chunk; `finish_reason` is None until the last chunk (`stop`)."""

    index: int
    delta: ChoiceDelta
    finish_reason: str | None

    @classmethod
    def from_dict(cls, data: Any, where: str = "choice") -> ChatCompletionChunkChoice:
        fields = _Fields(data, where)
        return cls(
            index=fields.integer("index"),
            delta=fields.child("delta", ChoiceDelta.from_dict),
            finish_reason=fields.optional_text("finish_reason"),
        )


@attrs.frozen(kw_only=True)
class ChatCompletionChunk:
    """One streamed piece of a chat completion (`object` = `chat.completion.chunk`).

    `id` and `created` are the same on every chunk of a stream. `agentfm_peer_id` is the worker
    the gateway chose and `agentfm_task_id` names its artifact zip,
    `agentfm_artifacts/<task_id>.zip` (docs/reference/gateway-protocol.md §6): the only place either
    is exposed.
    """

    id: str
    object: str
    created: int
    model: str
    choices: list[ChatCompletionChunkChoice]
    agentfm_peer_id: str
    agentfm_task_id: str

    @classmethod
    def from_dict(cls, data: Any, where: str = "chat.completion.chunk") -> ChatCompletionChunk:
        fields = _Fields(data, where)
        return cls(
            id=fields.text("id"),
            object=fields.constant("object", "chat.completion.chunk"),
            created=fields.integer("created"),
            model=fields.text("model"),
            choices=fields.items("choices", ChatCompletionChunkChoice.from_dict),
            agentfm_peer_id=fields.text("agentfm_peer_id"),
            agentfm_task_id=fields.text("agentfm_task_id"),
        )


# --- 5.11 text completions ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TextCompletionChoice:
    """The one choice of a text completion; `finish_reason` is always `stop`."""

    index: int
    text: str
    finish_reason: str

    @classmethod
    def from_dict(cls, data: Any, where: str = "choice") -> TextCompletionChoice:
        fields = _Fields(data, where)
        return cls(
            index=fields.integer("index"),
            text=fields.text("text"),
            finish_reason=fields.text("finish_reason"),
        )


@attrs.frozen(kw_only=True)
class TextCompletion:
    """A non-streamed text completion (`object` = `text_completion`)."""

    id: str
    object: str
    created: int
    model: str
    choices: list[TextCompletionChoice]
    usage: Usage

    @classmethod
    def from_dict(cls, data: Any, where: str = "text_completion") -> TextCompletion:
        fields = _Fields(data, where)
        return cls(
            id=fields.text("id"),
            object=fields.constant("object", "text_completion"),
            created=fields.integer("created"),
            model=fields.text("model"),
            choices=fields.items("choices", TextCompletionChoice.from_dict),
            usage=fields.child("usage", Usage.from_dict),
        )


@attrs.frozen(kw_only=True)
class TextCompletionChunkChoice:
    """The one choice of a text chunk; `finish_reason` is None until the last chunk (`stop`)."""

    index: int
    text: str
    finish_reason: str | None

    @classmethod
    def from_dict(cls, data: Any, where: str = "choice") -> TextCompletionChunkChoice:
        fields = _Fields(data, where)
        return cls(
            index=fields.integer("index"),
            text=fields.text("text"),
            finish_reason=fields.optional_text("finish_reason"),
        )


@attrs.frozen(kw_only=True)
class TextCompletionChunk:
    """One streamed piece of a text completion (`object` = `text_completion`).

    Unlike chat chunks these carry no `agentfm_peer_id` / `agentfm_task_id`
    (docs/reference/gateway-protocol.md §5.11).
    """

    id: str
    object: str
    created: int
    model: str
    choices: list[TextCompletionChunkChoice]

    @classmethod
    def from_dict(cls, data: Any, where: str = "text_completion chunk") -> TextCompletionChunk:
        fields = _Fields(data, where)
        return cls(
            id=fields.text("id"),
            object=fields.constant("object", "text_completion"),
            created=fields.integer("created"),
            model=fields.text("model"),
            choices=fields.items("choices", TextCompletionChunkChoice.from_dict),
        )


# --- 5.9 models ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ModelEntry:
    """One online worker as an OpenAI model; `id` (its peer id) is the value to send as `model`.

    Fields the gateway omits when empty are None. `agentfm_engine` is the worker's model/engine
    string. `agentfm_dispatch_allowed` reflects only the equivocator check
    (docs/reference/gateway-protocol.md §5.9): a worker below the reputation floor is listed as
    allowed but never chosen. `agentfm_last_seen` is declared by the gateway but never sent (kept
    for gateways that will). `raw` is the entry as received, including keys this SDK does not know
    yet.
    """

    id: str
    object: str
    created: int
    owned_by: str
    agentfm_current_tasks: int
    agentfm_max_tasks: int
    agentfm_cpu_usage_pct: float
    agentfm_ram_free_gb: float
    agentfm_has_gpu: bool
    agentfm_gpu_used_gb: float
    agentfm_gpu_total_gb: float
    agentfm_gpu_usage_pct: float
    agentfm_honesty_score: float
    agentfm_is_equivocator: bool
    agentfm_dispatch_allowed: bool
    agentfm_online: bool
    description: str | None = None
    agentfm_name: str | None = None
    agentfm_engine: str | None = None
    agentfm_status: str | None = None
    agentfm_hardware: str | None = None
    agentfm_image_ref: str | None = None
    agentfm_image_digest: str | None = None
    agentfm_capability: str | None = None
    agentfm_dispatch_refuse_reason: str | None = None
    agentfm_last_seen: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_dict(cls, data: Any, where: str = "model") -> ModelEntry:
        fields = _Fields(data, where)
        return cls(
            id=fields.text("id"),
            object=fields.constant("object", "model"),
            created=fields.integer("created"),
            owned_by=fields.text("owned_by"),
            agentfm_current_tasks=fields.integer("agentfm_current_tasks"),
            agentfm_max_tasks=fields.integer("agentfm_max_tasks"),
            agentfm_cpu_usage_pct=fields.number("agentfm_cpu_usage_pct"),
            agentfm_ram_free_gb=fields.number("agentfm_ram_free_gb"),
            agentfm_has_gpu=fields.boolean("agentfm_has_gpu"),
            agentfm_gpu_used_gb=fields.number("agentfm_gpu_used_gb"),
            agentfm_gpu_total_gb=fields.number("agentfm_gpu_total_gb"),
            agentfm_gpu_usage_pct=fields.number("agentfm_gpu_usage_pct"),
            agentfm_honesty_score=fields.number("agentfm_honesty_score"),
            agentfm_is_equivocator=fields.boolean("agentfm_is_equivocator"),
            agentfm_dispatch_allowed=fields.boolean("agentfm_dispatch_allowed"),
            agentfm_online=fields.boolean("agentfm_online"),
            description=fields.optional_text("description"),
            agentfm_name=fields.optional_text("agentfm_name"),
            agentfm_engine=fields.optional_text("agentfm_engine"),
            agentfm_status=fields.optional_text("agentfm_status"),
            agentfm_hardware=fields.optional_text("agentfm_hardware"),
            agentfm_image_ref=fields.optional_text("agentfm_image_ref"),
            agentfm_image_digest=fields.optional_text("agentfm_image_digest"),
            agentfm_capability=fields.optional_text("agentfm_capability"),
            agentfm_dispatch_refuse_reason=fields.optional_text("agentfm_dispatch_refuse_reason"),
            agentfm_last_seen=fields.optional_text("agentfm_last_seen"),
            raw=fields.as_dict(),
        )


@attrs.frozen(kw_only=True)
class ModelsList:
    """The answer of `GET /v1/models`: one `ModelEntry` per online worker, in no set order.

    Iterating it (or `len()`) goes over `data`, as with the `openai` package's model page.
    """

    object: str = "list"
    data: list[ModelEntry] = attrs.field(factory=list)

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @classmethod
    def from_dict(cls, data: Any, where: str = "model list") -> ModelsList:
        fields = _Fields(data, where)
        return cls(
            object=fields.constant("object", "list"),
            data=fields.items("data", ModelEntry.from_dict),
        )
