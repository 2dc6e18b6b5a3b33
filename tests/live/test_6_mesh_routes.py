"""The 1.3.0 routes: the event stream opens; the peers routes answer for the gateway's own id."""

from __future__ import annotations

import httpx
import pytest
from conftest import require
from gateway import LiveGateway

from agentfm import AgentFMClient


@pytest.fixture(autouse=True)
def _ledger_routes(gateway: LiveGateway) -> None:
    require(gateway, gateway.has_about, "/v1/about, /v1/events and /v1/peers/", "1.3.0")


def test_the_event_stream_opens(raw: httpx.Client) -> None:
    with raw.stream("GET", "/v1/events", timeout=10.0) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert next(response.iter_raw()).startswith(b":ready\n\n")


def test_peers_routes_for_the_gateways_own_id(gateway: LiveGateway, client: AgentFMClient) -> None:
    boss = gateway.boss_peer_id
    assert boss is not None
    assert client.peers.get(boss).peer_id == boss
    assert client.peers.reputation(boss).peer_id == boss
    log = client.peers.log(boss, limit=5)
    assert log.subject == boss
    assert log.returned == len(log.entries) <= 5
