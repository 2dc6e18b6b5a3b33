"""`client.openai`: the gateway's OpenAI-compatible routes, typed
(docs/reference/gateway-protocol.md §5.9-§5.11).

    resp = client.openai.chat.completions.create(
        model=worker.peer_id, messages=[{"role": "user", "content": "hi"}]
    )
    print(resp.choices[0].message.content)

    for chunk in client.openai.chat.completions.create(model=..., messages=..., stream=True):
        print(chunk.choices[0].delta.content, end="")

`client.openai.models.list()`, `.chat.completions.create(...)` and `.completions.create(...)`
mirror the official `openai` package. The sub-namespaces and the model types load on first use,
so touching `client.openai` (or `AgentFMRoutingWarning`) imports no more than this module.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from agentfm._lazy import lazy_attributes
from agentfm.openai._routing import AgentFMRoutingWarning

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient
    from agentfm.openai._resources import (
        AsyncChat,
        AsyncCompletions,
        AsyncModels,
        Chat,
        Completions,
        Models,
    )
    from agentfm.openai._streams import AsyncStream, Stream
    from agentfm.openai.models import (
        ChatCompletion,
        ChatCompletionChoice,
        ChatCompletionChunk,
        ChatCompletionChunkChoice,
        ChatMessage,
        ChoiceDelta,
        ModelEntry,
        ModelsList,
        TextCompletion,
        TextCompletionChoice,
        TextCompletionChunk,
        TextCompletionChunkChoice,
        Usage,
    )

__all__ = [
    "AgentFMRoutingWarning",
    "AsyncOpenAI",
    "AsyncOpenAINamespace",
    "AsyncStream",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatMessage",
    "ChoiceDelta",
    "ModelEntry",
    "ModelsList",
    "OpenAI",
    "OpenAINamespace",
    "Stream",
    "TextCompletion",
    "TextCompletionChoice",
    "TextCompletionChunk",
    "TextCompletionChunkChoice",
    "Usage",
]

# Loaded on first access: name -> module that defines it.
_LAZY = {
    "AsyncStream": "agentfm.openai._streams",
    "Stream": "agentfm.openai._streams",
    **{
        name: "agentfm.openai.models"
        for name in (
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
        )
    },
}


class OpenAI:
    """`client.openai` of `AgentFMClient`: `models`, `chat.completions`, `completions`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    @cached_property
    def models(self) -> Models:
        """`list()`: one model per online worker (its peer id is the model id)."""
        from agentfm.openai._resources import Models

        return Models(self._client)

    @cached_property
    def chat(self) -> Chat:
        """`chat.completions.create(...)`."""
        from agentfm.openai._resources import Chat

        return Chat(self._client)

    @cached_property
    def completions(self) -> Completions:
        """`completions.create(...)`: a prompt sent verbatim."""
        from agentfm.openai._resources import Completions

        return Completions(self._client)


class AsyncOpenAI:
    """`client.openai` of `AsyncAgentFMClient`: the same namespaces, awaited."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    @cached_property
    def models(self) -> AsyncModels:
        """`await list()`: one model per online worker (its peer id is the model id)."""
        from agentfm.openai._resources import AsyncModels

        return AsyncModels(self._client)

    @cached_property
    def chat(self) -> AsyncChat:
        """`await chat.completions.create(...)`."""
        from agentfm.openai._resources import AsyncChat

        return AsyncChat(self._client)

    @cached_property
    def completions(self) -> AsyncCompletions:
        """`await completions.create(...)`: a prompt sent verbatim."""
        from agentfm.openai._resources import AsyncCompletions

        return AsyncCompletions(self._client)


# The class names of `client.openai` in agentfm 0.3.0.
OpenAINamespace = OpenAI
AsyncOpenAINamespace = AsyncOpenAI

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
