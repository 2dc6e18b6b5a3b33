"""Shared pieces of the 0.3.0-compatibility suite: a gateway played by respx or
`httpx.MockTransport`, the way a 0.3.0 user's own test suite plays it."""

from __future__ import annotations

from typing import Any

from agentfm._identifiers import peer_id_from_ed25519_public_key

GW = "http://127.0.0.1:8080"  # agentfm.client.DEFAULT_GATEWAY, where 0.3.0 users point respx

# Peer ids in libp2p form. (0.3.0 test suites also use short fake ids such as "peer-a"; those are
# accepted once the model layer of issue 11 lands: see test_compat_client.py.)
PEER_A = peer_id_from_ed25519_public_key(bytes(range(32)))
PEER_B = peer_id_from_ed25519_public_key(bytes(range(1, 33)))
PEER_C = peer_id_from_ed25519_public_key(bytes(range(2, 34)))

CAPACITY_REFUSAL = "❌ ERROR: Worker is at max capacity (1/1). Try another worker.\n"


def worker_json(peer_id: str, *, max_tasks: int = 4, current_tasks: int = 0) -> dict[str, Any]:
    """One `/api/workers` entry as the gateway sends it (all the keys the strict reader of this
    branch needs; the lenient reader of issue 11 accepts fewer)."""
    return {
        "peer_id": peer_id,
        "author": "alice",
        "name": "summarizer",
        "status": "AVAILABLE",
        "hardware": "llama3.2 (CPU: 8 Cores)",
        "description": "summarises",
        "cpu_usage_pct": 10.0,
        "ram_free_gb": 8.0,
        "current_tasks": current_tasks,
        "max_tasks": max_tasks,
        "has_gpu": False,
        "gpu_used_gb": 0.0,
        "gpu_total_gb": 0.0,
        "gpu_usage_pct": 0.0,
        "honesty_score": 0.0,
        "is_equivocator": False,
        "dispatch_allowed": True,
        "online": True,
    }


def workers_json(*workers: dict[str, Any]) -> dict[str, Any]:
    return {
        "success": True,
        "agents": list(workers),
        "online_count": len(workers),
        "offline_count": 0,
    }
