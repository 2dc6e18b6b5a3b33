# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""Payload types the gateway sends outside any operation's response: the async-task webhook
body and the data of `/v1/events` events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agentfm_gateway._payload_decoding import _decode_dataclass


@dataclass(frozen=True, kw_only=True)
class WebhookPayload:
    """Body of the `taskCompleted` webhook (docs/reference/gateway-protocol.md §5.5): compact JSON, alphabetical keys, no trailing
    newline.
    """

    status: str
    """Always `completed`, the only value that exists (failed tasks send no webhook)."""
    task_id: str
    """The id returned in the 202 (`task_` + 24 lowercase hex)."""
    worker_id: str
    """The `worker_id` exactly as submitted."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WebhookPayload:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> WebhookPayload:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class WorkerOnlineEvent:
    """Payload of the `worker_online` event on `/v1/events` (docs/reference/gateway-protocol.md §5.8)."""

    agent_name: str
    """The worker's agent name."""
    honesty_score: float
    """The worker's honesty score in [-1, 1] (0 when unknown)."""
    peer_id: str
    """The worker's peer id."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkerOnlineEvent:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> WorkerOnlineEvent:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class WorkerOfflineEvent:
    """Payload of the `worker_offline` event on `/v1/events` (docs/reference/gateway-protocol.md §5.8)."""

    peer_id: str
    """The evicted worker's peer id."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkerOfflineEvent:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> WorkerOfflineEvent:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class ChatCompletionDelta:
    """Both keys are always present: the first chunk is `{"role":"assistant","content":""}`,
    content chunks have `role` `""`, the final chunk has both `""`.
    """

    role: str
    content: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatCompletionDelta:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> ChatCompletionDelta:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class TextCompletionChunkChoice:
    index: int
    """Always 0."""
    text: str
    """One output line with its `\\n`; `""` on the final chunk."""
    finish_reason: str | None
    """`null` except on the last chunk, where it is `stop` (also after a stream error)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextCompletionChunkChoice:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> TextCompletionChunkChoice:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class ChatCompletionChunkChoice:
    index: int
    """Always 0."""
    delta: ChatCompletionDelta
    finish_reason: str | None
    """`null` except on the last chunk, where it is `stop` (also after a stream error)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatCompletionChunkChoice:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> ChatCompletionChunkChoice:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class TextCompletionChunk:
    """One `data:` frame of a streamed text completion (docs/reference/gateway-protocol.md §5.11). Unlike chat chunks it carries
    no `agentfm_peer_id` / `agentfm_task_id`.
    """

    id: str
    """`cmpl-` + 24 hex."""
    object: Literal["text_completion"]
    created: int
    model: str
    choices: list[TextCompletionChunkChoice]
    """Exactly one choice."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextCompletionChunk:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> TextCompletionChunk:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))


@dataclass(frozen=True, kw_only=True)
class ChatCompletionChunk:
    """One `data:` frame of a streamed chat completion (docs/reference/gateway-protocol.md §5.10). `id` and `created` are the
    same on every chunk.
    """

    id: str
    """`chatcmpl-` + 24 hex."""
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    """The `model` exactly as sent."""
    choices: list[ChatCompletionChunkChoice]
    """Exactly one choice."""
    agentfm_peer_id: str
    """The worker that was chosen."""
    agentfm_task_id: str
    """`task_<24 hex>`: names the artifact zip `agentfm_artifacts/<task_id>.zip`."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatCompletionChunk:
        """Build from a decoded JSON object; a missing key or a wrong type raises ValueError."""
        return _decode_dataclass(cls, data)

    @classmethod
    def from_json(cls, body: bytes | str) -> ChatCompletionChunk:
        """Build from raw JSON, e.g. a webhook request body; malformed input raises ValueError."""
        return _decode_dataclass(cls, json.loads(body))
