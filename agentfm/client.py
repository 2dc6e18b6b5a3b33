"""The synchronous client under its agentfm 0.3.0 module path (`from agentfm.client import ...`).

`AgentFMClient` itself lives in `agentfm._client` with its async twin; this module only gives
code written for 0.3.0 the names it imported from here.
"""

from __future__ import annotations

from agentfm._client import AgentFMClient
from agentfm._options import DEFAULT_GATEWAY_URL

__all__ = ["DEFAULT_GATEWAY", "AgentFMClient"]

DEFAULT_GATEWAY = DEFAULT_GATEWAY_URL
"""The gateway a client talks to when given no URL: `http://127.0.0.1:8080`."""
