"""agentfm: the Python SDK for the AgentFM peer-to-peer mesh of containerized AI agents.

    from agentfm import AgentFMClient

    with AgentFMClient(gateway_url="http://127.0.0.1:8080") as client:
        worker = client.workers.list(model="llama3.2")[0]
        print(client.tasks.run(worker_id=worker.peer_id, prompt="hi").text)

Importing `agentfm` stays cheap: the OpenAI models, the webhook receiver, the local gateway
launcher, the simulator and the CLI load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agentfm._client import AgentFMClient, AsyncAgentFMClient
from agentfm._version import __version__
from agentfm.exceptions import (
    AgentFMError,
    ArtifactError,
    ArtifactTimeoutError,
    AsyncCapacityError,
    AuthenticationError,
    CommentNotFoundError,
    CommentSignatureError,
    DispatchRefusedError,
    EntryNotFoundError,
    GatewayConnectionError,
    GatewayInternalError,
    GatewayProtocolError,
    GatewayTimeoutError,
    InvalidCidError,
    InvalidCommentError,
    InvalidPeerIdError,
    InvalidRequestError,
    LedgerInternalError,
    LedgerUnavailableError,
    MeshOverloadedError,
    ModelNotFoundError,
    NonSelfSubmitterError,
    OriginRefusedError,
    ProofVerificationError,
    RateLimitError,
    WebhookVerificationError,
    WorkerNotFoundError,
    WorkerStreamError,
    WorkerUnreachableError,
)
from agentfm.models import (
    AsyncTaskAck,
    PeerID,
    ScatterResult,
    TaskChunk,
    TaskResult,
    WorkerProfile,
)

if TYPE_CHECKING:
    from agentfm.openai import AgentFMRoutingWarning

# Loaded on first access: name -> module that defines it.
_LAZY = {
    "AgentFMRoutingWarning": "agentfm.openai",
}

__all__ = [
    "AgentFMClient",
    "AgentFMError",
    "AgentFMRoutingWarning",
    "ArtifactError",
    "ArtifactTimeoutError",
    "AsyncAgentFMClient",
    "AsyncCapacityError",
    "AsyncTaskAck",
    "AuthenticationError",
    "CommentNotFoundError",
    "CommentSignatureError",
    "DispatchRefusedError",
    "EntryNotFoundError",
    "GatewayConnectionError",
    "GatewayInternalError",
    "GatewayProtocolError",
    "GatewayTimeoutError",
    "InvalidCidError",
    "InvalidCommentError",
    "InvalidPeerIdError",
    "InvalidRequestError",
    "LedgerInternalError",
    "LedgerUnavailableError",
    "MeshOverloadedError",
    "ModelNotFoundError",
    "NonSelfSubmitterError",
    "OriginRefusedError",
    "PeerID",
    "ProofVerificationError",
    "RateLimitError",
    "ScatterResult",
    "TaskChunk",
    "TaskResult",
    "WebhookVerificationError",
    "WorkerNotFoundError",
    "WorkerProfile",
    "WorkerStreamError",
    "WorkerUnreachableError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentfm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
