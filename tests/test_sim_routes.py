"""/health, /metrics, /api/workers, /v1/about, /api/relay/test and /ui/peer/ of the simulator."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import pytest
from conftest import RawResponse

from agentfm._identifiers import ED25519_PEER_ID_PATTERN
from agentfm.testing import MeshSimulator

# Go's time.Time JSON: RFC 3339, up to 9 fractional digits, Z or a numeric offset.
GO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
WORKER_KEYS = [
    "peer_id",
    "author",
    "name",
    "status",
    "hardware",
    "description",
    "cpu_usage_pct",
    "ram_free_gb",
    "current_tasks",
    "max_tasks",
    "has_gpu",
    "gpu_used_gb",
    "gpu_total_gb",
    "gpu_usage_pct",
    "honesty_score",
    "is_equivocator",
    "dispatch_allowed",
    "online",
]
MESH = [
    {"name": "alpha", "engine": "llama3.2", "cpu_cores": 12, "author": "ann"},
    {
        "name": "beta",
        "engine": "mistral",
        "has_gpu": True,
        "gpu_total_gb": 24,
        "gpu_used_gb": 6,
        "agent_image_ref": "localhost/x/beta:1",
        "agent_image_digest": "sha256:" + "ab" * 32,
        "agent_capability": "",
    },
    {"name": "gamma", "engine": "llama3.2", "is_equivocator": True},
]


def test_health(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"online_workers":3,"status":"ok"}\n'
    agentfm_mesh.take_offline(agentfm_mesh.workers[0])
    assert httpx.get(agentfm_mesh.url + "/health").json()["online_workers"] == 2
    posted = httpx.post(agentfm_mesh.url + "/health")
    assert posted.status_code == 405
    assert posted.text == "Method not allowed\n"


@pytest.mark.agentfm_mesh(workers=MESH)
def test_workers_shape_and_presence_rules(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/api/workers")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["agents", "offline_count", "online_count", "success"]
    assert body["success"] is True
    assert body["online_count"] == 3
    assert body["offline_count"] == 0
    by_name = {agent["name"]: agent for agent in body["agents"]}
    alpha, beta, gamma = by_name["alpha"], by_name["beta"], by_name["gamma"]
    for agent in body["agents"]:
        assert [key for key in agent if key in WORKER_KEYS] == WORKER_KEYS
        assert list(agent)[-1] == "last_seen"
        assert GO_TIME.match(agent["last_seen"])
        assert ED25519_PEER_ID_PATTERN.match(agent["peer_id"])
        for absent in ("model", "engine", "cpu_cores", "is_witness", "task"):
            assert absent not in agent
    assert alpha["hardware"] == "llama3.2 (CPU: 12 Cores)"
    assert alpha["author"] == "ann"
    assert beta["author"] == "Anonymous"
    assert beta["hardware"] == "mistral (GPU VRAM: 6.0/24.0 GB)"
    assert beta["gpu_usage_pct"] == 25
    assert beta["agent_image_ref"] == "localhost/x/beta:1"
    assert "agent_capability" not in beta  # explicitly empty: omitted
    assert alpha["agent_capability"] == "alpha"  # default: kebab-case of the name
    assert "agent_image_ref" not in alpha
    assert alpha["status"] == "AVAILABLE"
    assert alpha["dispatch_allowed"] is True
    assert "dispatch_refuse_reason" not in alpha
    assert gamma["is_equivocator"] is True
    assert gamma["honesty_score"] == -1
    assert gamma["dispatch_allowed"] is False
    assert gamma["dispatch_refuse_reason"] == "peer_is_equivocator"


def test_workers_empty_list_is_an_array(agentfm_mesh_factory: Callable[..., MeshSimulator]) -> None:
    mesh = agentfm_mesh_factory(workers=[])
    response = httpx.get(mesh.url + "/api/workers")
    assert response.content == b'{"agents":[],"offline_count":0,"online_count":0,"success":true}\n'


def test_workers_reflect_live_task_counts(agentfm_mesh: MeshSimulator) -> None:
    worker = agentfm_mesh.worker("translator")  # max_tasks 1
    worker.delay_seconds = 5.0
    with httpx.stream(
        "POST",
        agentfm_mesh.url + "/api/execute",
        json={"worker_id": worker.peer_id, "prompt": "long task"},
        timeout=30,  # the 200 comes with the task's first output (§5.4)
    ) as running:
        assert running.status_code == 200
        agents = httpx.get(agentfm_mesh.url + "/api/workers").json()["agents"]
        entry = next(agent for agent in agents if agent["peer_id"] == worker.peer_id)
        assert entry["current_tasks"] == 1
        assert entry["status"] == "BUSY"
        assert entry["cpu_usage_pct"] > 0
    agents = httpx.get(agentfm_mesh.url + "/api/workers").json()["agents"]
    entry = next(agent for agent in agents if agent["peer_id"] == worker.peer_id)
    assert entry["current_tasks"] == 0
    assert entry["status"] == "AVAILABLE"


def test_offline_workers_need_the_exact_true_and_a_ledger_entry(
    agentfm_mesh: MeshSimulator,
) -> None:
    base = agentfm_mesh.url
    seen, unseen = agentfm_mesh.workers[0], agentfm_mesh.workers[1]
    stranger = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"
    agentfm_mesh.ledger.append_rating(seen.peer_id, dimension="honesty", score=0.2, context="t")
    agentfm_mesh.ledger.append_rating(stranger, dimension="honesty", score=-0.2, context="t")
    agentfm_mesh.take_offline(seen)
    agentfm_mesh.take_offline(unseen)  # no ledger entry: it simply disappears
    for flag in ("", "?include_offline=1", "?include_offline=True"):
        body = httpx.get(base + "/api/workers" + flag).json()
        assert body["offline_count"] == 0
        assert all(agent["online"] for agent in body["agents"])
    body = httpx.get(base + "/api/workers?include_offline=true").json()
    assert body["online_count"] == 1
    assert body["offline_count"] == 2
    assert body["agents"][0]["online"] is True  # online first
    offline = {agent["peer_id"]: agent for agent in body["agents"] if not agent["online"]}
    assert set(offline) == {seen.peer_id, stranger}
    assert unseen.peer_id not in offline
    for agent in offline.values():
        assert "last_seen" not in agent
    assert offline[seen.peer_id]["status"] == "AVAILABLE"  # last known status, kept
    assert offline[seen.peer_id]["name"] == seen.name
    assert offline[seen.peer_id]["honesty_score"] == pytest.approx(0.2)
    never_seen = offline[stranger]
    assert never_seen["status"] == ""
    assert never_seen["hardware"] == " (CPU: 0 Cores)"
    assert never_seen["name"] == ""


def test_metrics_exposition_counts(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    for series in (
        'agentfm_tasks_total{status="ok"} 0',
        'agentfm_tasks_total{status="error"} 0',
        'agentfm_tasks_total{status="rejected"} 0',
        'agentfm_tasks_total{status="timeout"} 0',
        "agentfm_workers_online 3",
        "agentfm_artifacts_built_total 0",
        "agentfm_artifact_bytes_sent_total 0",
        'agentfm_stream_errors_total{protocol="feedback",reason="version_mismatch"} 0',
        'agentfm_dht_queries_total{op="get_value"} 0',
        'agentfm_auth_attempts_total{outcome="missing"} 0',
        'agentfm_task_duration_seconds_bucket{le="1800"} 0',
        'agentfm_task_duration_seconds_bucket{le="+Inf"} 0',
        "# TYPE agentfm_task_duration_seconds histogram",
    ):
        assert series in text.splitlines(), series
    writer = agentfm_mesh.worker("policy-writer")
    httpx.post(
        agentfm_mesh.url + "/api/execute", json={"worker_id": writer.peer_id, "prompt": "go"}
    )
    agentfm_mesh.take_offline(agentfm_mesh.worker("summarizer"))
    lines = httpx.get(agentfm_mesh.url + "/metrics").text.splitlines()
    assert 'agentfm_tasks_total{status="ok"} 1' in lines
    assert "agentfm_artifacts_built_total 1" in lines
    assert "agentfm_workers_online 2" in lines
    assert "agentfm_task_duration_seconds_count 1" in lines


def test_metrics_are_gzipped_on_request(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/metrics", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "agentfm_workers_online 3" in response.text


def test_about(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/v1/about")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "boss_peer_id",
        "relay_peer_id",
        "relay_multiaddr",
        "reputation_floor",
        "ledger_tree_size",
        "version",
        "uptime_seconds",
    ]
    assert body["boss_peer_id"] == agentfm_mesh.boss_peer_id
    assert ED25519_PEER_ID_PATTERN.match(body["boss_peer_id"])
    assert body["relay_peer_id"] == body["relay_multiaddr"] == ""
    assert body["reputation_floor"] == -0.5
    assert body["ledger_tree_size"] == 0
    assert body["version"] == "1.3.0"
    assert isinstance(body["uptime_seconds"], int)
    agentfm_mesh.ledger.append_rating(
        agentfm_mesh.workers[0].peer_id, dimension="honesty", score=0.1, context="x"
    )
    assert httpx.get(agentfm_mesh.url + "/v1/about").json()["ledger_tree_size"] == 1
    posted = httpx.post(agentfm_mesh.url + "/v1/about")
    assert posted.status_code == 405
    assert posted.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.agentfm_mesh(reputation_floor=-0.25)
def test_about_echoes_the_floor(agentfm_mesh: MeshSimulator) -> None:
    assert httpx.get(agentfm_mesh.url + "/v1/about").json()["reputation_floor"] == -0.25


def test_boss_identity_is_stable_per_working_directory(
    agentfm_mesh_factory: Callable[..., MeshSimulator], tmp_path: object
) -> None:
    first = agentfm_mesh_factory(workdir=tmp_path)
    key_file = first.workdir / ".agentfm_api_identity.key"
    data = key_file.read_bytes()
    assert data[:4] == bytes([0x08, 0x01, 0x12, 0x40])
    assert len(data) == 68
    assert key_file.stat().st_mode & 0o777 == 0o600
    peer_id = first.boss_peer_id
    first.stop()
    assert key_file.exists()  # a caller's directory is left alone
    second = agentfm_mesh_factory(workdir=tmp_path)
    assert second.boss_peer_id == peer_id
    assert agentfm_mesh_factory().boss_peer_id != peer_id


# --- 5.6 ------------------------------------------------------------------------------------


def _relay(mesh: MeshSimulator, raw_http: Callable[..., RawResponse], body: bytes) -> RawResponse:
    return raw_http(
        mesh.url,
        "POST",
        "/api/relay/test",
        headers=[("Content-Type", "application/json")],
        body=body,
    )


def test_relay_test_validation(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    worker = agentfm_mesh.workers[0].peer_id
    stranger = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"
    cases: list[tuple[bytes, int, dict[str, object]]] = [
        (b"{", 400, {"ok": False, "error": "invalid JSON: unexpected EOF"}),
        (b'{"multiaddr":"  "}', 400, {"ok": False, "error": "field 'multiaddr' is required"}),
        (b"{}", 400, {"ok": False, "error": "field 'multiaddr' is required"}),
        (
            json.dumps({"multiaddr": f"/ip4/1.2.3.4/tcp/4001/p2p/{worker}"}).encode(),
            200,
            {"ok": True, "peer_id": worker},
        ),
        (
            json.dumps({"multiaddr": f"/ip4/127.0.0.1/tcp/4001/p2p/{stranger}"}).encode(),
            200,
            {
                "ok": False,
                "peer_id": stranger,
                "error": f"failed to dial {stranger}: all dials failed",
            },
        ),
        (
            json.dumps({"multiaddr": f"/ip4/192.168.1.5/tcp/4001/p2p/{worker}"}).encode(),
            200,
            {"ok": False, "error": "relay address is in a disallowed (private/link-local) range"},
        ),
        (
            json.dumps({"multiaddr": "/ip4/1.2.3.4/tcp/4001"}).encode(),
            200,
            {"ok": False, "error": "multiaddr missing /p2p/<peer> suffix: invalid p2p multiaddr"},
        ),
    ]
    for body, status, expected in cases:
        response = _relay(agentfm_mesh, raw_http, body)
        assert response.status == status, body
        assert response.header("Content-Type") == "application/json"
        assert json.loads(response.body) == expected, body
    bad = json.loads(_relay(agentfm_mesh, raw_http, b'{"multiaddr":"ip4/1.2.3.4"}').body)
    assert bad["ok"] is False
    assert bad["error"].startswith("invalid multiaddr: ")
    wrong_method = httpx.get(agentfm_mesh.url + "/api/relay/test")
    assert wrong_method.status_code == 405
    assert wrong_method.content == b'{"ok":false,"error":"POST only"}\n'


def test_relay_test_echoes_gos_json_errors(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    cases = {
        b"": "EOF",
        b"[]": "json: cannot unmarshal array into Go value of type boss.relayTestReq",
        b'{"multiaddr":7}': (
            "json: cannot unmarshal number into Go struct field relayTestReq.multiaddr of type "
            "string"
        ),
        b'{"multiaddr":tru}': "invalid character '}' in literal true (expecting 'e')",
        b"{'multiaddr':1}": "invalid character '\\'' looking for beginning of object key string",
        b'{"multiaddr":"a\x01"}': "invalid character '\\x01' in string literal",
        b"\xc3\xa9": "invalid character '\u00c3' looking for beginning of value",
        # The 4 KiB cap cuts the body: Go's decoder meets the end too early.
        b'{"multiaddr":"' + b"a" * 5000 + b'"}': "unexpected EOF",
    }
    for body, message in cases.items():
        response = _relay(agentfm_mesh, raw_http, body)
        assert response.status == 400, body
        assert json.loads(response.body) == {"ok": False, "error": f"invalid JSON: {message}"}
    # Only Go's whitespace makes the field blank: \x1c is a (bad) multiaddr, U+3000 is blank.
    separator = json.loads(_relay(agentfm_mesh, raw_http, b'{"multiaddr":"\\u001c"}').body)
    assert separator["error"].startswith("invalid multiaddr: ")
    blank = _relay(agentfm_mesh, raw_http, b'{"multiaddr":"\\u3000 "}')
    assert (blank.status, json.loads(blank.body)["error"]) == (400, "field 'multiaddr' is required")


def test_relay_replies_do_not_escape_html(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    response = _relay(agentfm_mesh, raw_http, b'{"multiaddr":"/ip4/1.2.3.4/tcp/1"}')
    assert b"/p2p/<peer>" in response.body


def test_peer_page(agentfm_mesh: MeshSimulator) -> None:
    for path in ("/ui/peer/", "/ui/peer/12D3KooWx", "/ui/peer/a/b/c"):
        response = httpx.get(agentfm_mesh.url + path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "/reputation" in response.text
        assert "/log?limit=50" in response.text
    posted = httpx.post(agentfm_mesh.url + "/ui/peer/x")
    assert posted.status_code == 405
    assert posted.text == "only GET\n"
