"""`client.openai`: the gateway's OpenAI-compatible routes (being built)."""

from __future__ import annotations

from typing import Any

__all__ = ["AgentFMRoutingWarning", "AsyncOpenAI", "OpenAI"]


class AgentFMRoutingWarning(UserWarning):
    """`model` names an agent or an engine rather than a peer id."""


class OpenAI:
    def __init__(self, client: Any) -> None:
        self._client = client


class AsyncOpenAI:
    def __init__(self, client: Any) -> None:
        self._client = client
