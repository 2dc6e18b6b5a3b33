"""The asynchronous client under its agentfm 0.3.0 module path
(`from agentfm.async_client import AsyncAgentFMClient`)."""

from __future__ import annotations

from agentfm._client import AsyncAgentFMClient
from agentfm._options import DEFAULT_GATEWAY_URL

__all__ = ["DEFAULT_GATEWAY", "AsyncAgentFMClient"]

DEFAULT_GATEWAY = DEFAULT_GATEWAY_URL
"""The gateway a client talks to when given no URL: `http://127.0.0.1:8080`."""
