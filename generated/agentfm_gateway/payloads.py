# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""Payload types the gateway sends outside any operation's response: the async-task webhook
body and the data of `/v1/events` events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentfm_gateway._payload_decoding import _decode_dataclass


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
