"""The typed answers of the gateway's OpenAI-compatible routes
(docs/reference/gateway-protocol.md §5.9-§5.11).

Attribute access follows the official `openai` package (`resp.choices[0].message.content`,
`chunk.choices[0].delta.content`), plus AgentFM's own fields (`chunk.agentfm_peer_id`,
`chunk.agentfm_task_id`, `ModelEntry.agentfm_engine`, ...). The classes are rendered from
schema/openapi.yaml (`agentfm_gateway.records`) and read leniently: a key a gateway generation
does not send takes its default (`agentfm_peer_id`/`agentfm_task_id` are None before gateway
1.3.0, docs/reference/gateway-versions.md §11; a missing `usage` is zeros; a missing `delta` key is
None), unknown keys are kept, and a value of the wrong type is refused. The 0.3.0 names of the
choice and delta classes (`ChatChoice`, `ChatChunkChoice`, `ChatChoiceDelta`, `CompletionChoice`)
are the same classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentfm_gateway.records import (
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
    "ChatChoice",
    "ChatChoiceDelta",
    "ChatChunkChoice",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatMessage",
    "ChoiceDelta",
    "CompletionChoice",
    "ModelEntry",
    "ModelsList",
    "TextCompletion",
    "TextCompletionChoice",
    "TextCompletionChunk",
    "TextCompletionChunkChoice",
    "Usage",
    "coerce_messages",
]

# The 0.3.0 names of the same classes.
ChatChoice = ChatCompletionChoice
ChatChunkChoice = ChatCompletionChunkChoice
ChatChoiceDelta = ChoiceDelta
CompletionChoice = TextCompletionChoice


def coerce_messages(messages: Iterable[ChatMessage | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`ChatMessage`s and/or plain dicts as the dicts sent on the wire.

    A `ChatMessage` becomes `{"role", "content"}` (a None content is left out, plus any extra
    keys it carries); a mapping is copied as is. Anything else raises `TypeError` naming its
    type, as in 0.3.0.
    """
    coerced: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ChatMessage):
            coerced.append(message.model_dump(exclude_none=True))
        elif isinstance(message, Mapping):
            coerced.append(dict(message))
        else:
            raise TypeError(
                f"messages[*] must be ChatMessage or dict, got {type(message).__name__}"
            )
    return coerced
