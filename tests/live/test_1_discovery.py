"""Discovery: health, the worker list and its filters, one worker by id."""

from __future__ import annotations

import httpx
import pytest
from conftest import require
from gateway import CONVENTION_ENGINE, LiveGateway

from agentfm import AgentFMClient, WorkerNotFoundError
from agentfm._identifiers import peer_id_from_ed25519_public_key


def unknown_peer_id() -> str:
    """A well-formed peer id no gateway knows."""
    return peer_id_from_ed25519_public_key(bytes(range(32)))


def test_ping_sees_the_gateway(client: AgentFMClient) -> None:
    assert client.ping() is True


def test_health_counts_online_workers(gateway: LiveGateway, raw: httpx.Client) -> None:
    require(gateway, gateway.has_health, "GET /health", "1.2.0")
    health = raw.get("/health").json()
    assert health["status"] == "ok"
    assert health["online_workers"] >= 2


def test_the_convention_workers_are_listed(gateway: LiveGateway, client: AgentFMClient) -> None:
    by_id = {worker.peer_id: worker for worker in client.workers.list()}
    for peer_id, name in (
        (gateway.echo_peer_id, "live-echo"),
        (gateway.filer_peer_id, "live-filer"),
    ):
        assert by_id[peer_id].agent_name == name
        assert by_id[peer_id].model == CONVENTION_ENGINE


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"agent_name": "LIVE-ECHO"}, {"live-echo"}),
        ({"model": "Live-Model"}, {"live-echo", "live-filer"}),
        ({"model": "live-model", "agent_name": "live-filer"}, {"live-filer"}),
        ({"agent_name": "no-such-agent-anywhere"}, set()),
    ],
)
def test_worker_filters(client: AgentFMClient, filters: dict[str, str], expected: set[str]) -> None:
    names = {worker.agent_name for worker in client.workers.list(**filters)}
    assert names & {"live-echo", "live-filer", "no-such-agent-anywhere"} == expected


def test_workers_get_by_peer_id(gateway: LiveGateway, client: AgentFMClient) -> None:
    profile = client.workers.get(gateway.filer_peer_id)
    assert (profile.peer_id, profile.agent_name) == (gateway.filer_peer_id, "live-filer")


def test_workers_get_of_an_unknown_peer_is_worker_not_found(client: AgentFMClient) -> None:
    with pytest.raises(WorkerNotFoundError):
        client.workers.get(unknown_peer_id())
