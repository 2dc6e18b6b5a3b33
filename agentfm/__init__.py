"""agentfm: the Python SDK for the AgentFM peer-to-peer mesh of containerized AI agents.

    from agentfm import AgentFMClient

    with AgentFMClient(gateway_url="http://127.0.0.1:8080") as client:
        worker = client.workers.list(model="llama3.2")[0]
        print(client.tasks.run(worker_id=worker.peer_id, prompt="hi").text)

Importing `agentfm` stays cheap: the OpenAI models, the webhook receiver, the local gateway
launcher, the simulator and the CLI load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentfm._client import AgentFMClient, AsyncAgentFMClient
from agentfm._lazy import lazy_attributes
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
    GatewayBinaryNotFoundError,
    GatewayConnectionError,
    GatewayInternalError,
    GatewayProtocolError,
    GatewayStartError,
    GatewayTimeoutError,
    InvalidArgumentError,
    InvalidCidError,
    InvalidCommentError,
    InvalidPeerIdError,
    InvalidRequestError,
    InvalidSwarmKeyError,
    LedgerInternalError,
    LedgerUnavailableError,
    MeshOverloadedError,
    ModelNotFoundError,
    NonSelfSubmitterError,
    OriginRefusedError,
    ProofVerificationError,
    RateLimitError,
    SwarmKeyNotFoundError,
    TaskExecutionError,
    TaskStreamBrokenError,
    TaskStreamTimeoutError,
    UnexpectedAuthError,
    UnexpectedClientError,
    UnexpectedNotFoundError,
    UnexpectedRateLimitError,
    UnexpectedServerError,
    UnexpectedStatusError,
    WebhookVerificationError,
    WorkerNotFoundError,
    WorkerStreamError,
    WorkerUnreachableError,
)
from agentfm.models import (
    AsyncTaskAck,
    CommentBody,
    CommentReceipt,
    InclusionProof,
    LogEntry,
    MeshEvent,
    PeerID,
    PeerLog,
    PeerReputation,
    PeerSummary,
    RaterSummary,
    ScatterResult,
    TaskChunk,
    TaskResult,
    TreeHead,
    WorkerOfflineEvent,
    WorkerOnlineEvent,
    WorkerProfile,
    WorkerTable,
)

if TYPE_CHECKING:
    from agentfm._comment_signing import BossSigningKey
    from agentfm._events import AsyncEventStream, EventStream
    from agentfm.artifacts import ArtifactManager
    from agentfm.crypto import SwarmKey
    from agentfm.daemon import LocalMeshGateway
    from agentfm.merkle import verify_proof
    from agentfm.openai import AgentFMRoutingWarning
    from agentfm.webhook import WebhookPayload, WebhookReceiver

# Loaded on first access: name -> module that defines it.
_LAZY = {
    "AsyncEventStream": "agentfm._events",
    "BossSigningKey": "agentfm._comment_signing",
    "EventStream": "agentfm._events",
    "verify_proof": "agentfm.merkle",
    "AgentFMRoutingWarning": "agentfm.openai",
    "ArtifactManager": "agentfm.artifacts",
    "LocalMeshGateway": "agentfm.daemon",
    "SwarmKey": "agentfm.crypto",
    "WebhookPayload": "agentfm.webhook",
    "WebhookReceiver": "agentfm.webhook",
}

__all__ = [
    "AgentFMClient",
    "AgentFMError",
    "AgentFMRoutingWarning",
    "ArtifactError",
    "ArtifactManager",
    "ArtifactTimeoutError",
    "AsyncAgentFMClient",
    "AsyncCapacityError",
    "AsyncEventStream",
    "AsyncTaskAck",
    "AuthenticationError",
    "BossSigningKey",
    "CommentBody",
    "CommentNotFoundError",
    "CommentReceipt",
    "CommentSignatureError",
    "DispatchRefusedError",
    "EntryNotFoundError",
    "EventStream",
    "GatewayBinaryNotFoundError",
    "GatewayConnectionError",
    "GatewayInternalError",
    "GatewayProtocolError",
    "GatewayStartError",
    "GatewayTimeoutError",
    "InclusionProof",
    "InvalidArgumentError",
    "InvalidCidError",
    "InvalidCommentError",
    "InvalidPeerIdError",
    "InvalidRequestError",
    "InvalidSwarmKeyError",
    "LedgerInternalError",
    "LedgerUnavailableError",
    "LocalMeshGateway",
    "LogEntry",
    "MeshEvent",
    "MeshOverloadedError",
    "ModelNotFoundError",
    "NonSelfSubmitterError",
    "OriginRefusedError",
    "PeerID",
    "PeerLog",
    "PeerReputation",
    "PeerSummary",
    "ProofVerificationError",
    "RateLimitError",
    "RaterSummary",
    "ScatterResult",
    "SwarmKey",
    "SwarmKeyNotFoundError",
    "TaskChunk",
    "TaskExecutionError",
    "TaskResult",
    "TaskStreamBrokenError",
    "TaskStreamTimeoutError",
    "TreeHead",
    "UnexpectedAuthError",
    "UnexpectedClientError",
    "UnexpectedNotFoundError",
    "UnexpectedRateLimitError",
    "UnexpectedServerError",
    "UnexpectedStatusError",
    "WebhookPayload",
    "WebhookReceiver",
    "WebhookVerificationError",
    "WorkerNotFoundError",
    "WorkerOfflineEvent",
    "WorkerOnlineEvent",
    "WorkerProfile",
    "WorkerStreamError",
    "WorkerTable",
    "WorkerUnreachableError",
    "__version__",
    "verify_proof",
]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
