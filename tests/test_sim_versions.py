"""`-sim-gateway-version` / `MeshSimulator(gateway_version=...)`: each release's wire, raw.

Every assertion is a row of gateway-versions.md, read off the socket or with plain httpx: which
routes exist, the field sets, plain text against envelopes, the gates, minted ids, the async
acks and webhooks, metrics, flags and banner.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import httpx
import pytest
from conftest import RawResponse, SimProcess, WebhookReceiver, raw_request

from agentfm.testing import MeshSimulator

VERSIONS = ("1.1.0", "1.2.0", "1.3.0", "current")
OPENAI_VERSIONS = VERSIONS[1:]
KEY = "versions-test-key-0123456789"
MESH = [
    {"name": "echo", "engine": "llama3.2", "output": "echo: {prompt}\n", "delay_seconds": 0},
    {
        "name": "filer",
        "engine": "mistral",
        "output": "wrote result.txt\n",
        "files": {"result.txt": "{prompt}"},
        "delay_seconds": 0,
        "agent_image_ref": "localhost/x/filer:1",
    },
    {"name": "liar", "engine": "phi", "is_equivocator": True, "delay_seconds": 0},
]
BASE_WORKER_KEYS = [
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
]
BASE_MODEL_KEYS = [
    "id",
    "object",
    "created",
    "owned_by",
    "description",
    "agentfm_name",
    "agentfm_engine",
    "agentfm_status",
    "agentfm_hardware",
    "agentfm_current_tasks",
    "agentfm_max_tasks",
    "agentfm_cpu_usage_pct",
    "agentfm_ram_free_gb",
    "agentfm_has_gpu",
    "agentfm_gpu_used_gb",
    "agentfm_gpu_total_gb",
    "agentfm_gpu_usage_pct",
]
NOT_FOUND = b"404 page not found\n"
# (method, path) of every route family, and the first release serving it (section 2).
ROUTES = [
    ("GET", "/api/workers", "1.1.0"),
    ("POST", "/api/execute", "1.1.0"),
    ("POST", "/api/execute/async", "1.1.0"),
    ("GET", "/health", "1.2.0"),
    ("GET", "/metrics", "1.2.0"),
    ("GET", "/v1/models", "1.2.0"),
    ("POST", "/v1/chat/completions", "1.2.0"),
    ("POST", "/v1/completions", "1.2.0"),
    ("GET", "/v1/about", "1.3.0"),
    ("POST", "/api/relay/test", "1.3.0"),
    ("GET", "/v1/peers/12D3KooWabc/reputation", "1.3.0"),
    ("GET", "/ui/peer/x", "1.3.0"),
]


def rank(version: str) -> int:
    return VERSIONS.index(version)


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mesh(version: str, agentfm_mesh_factory: Callable[..., MeshSimulator]) -> MeshSimulator:
    return agentfm_mesh_factory(MESH, gateway_version=version)


def peer(mesh: MeshSimulator, name: str) -> str:
    return mesh.worker(name).peer_id


def execute(mesh: MeshSimulator, **fields: object) -> RawResponse:
    body = json.dumps(fields).encode()
    headers = [("Content-Type", "application/json")]
    return raw_request(mesh.url, "POST", "/api/execute", headers=headers, body=body)


# --- section 2: routes ------------------------------------------------------------------------


def test_routes_a_release_lacks_answer_the_mux_404(mesh: MeshSimulator, version: str) -> None:
    assert mesh.gateway_version == version
    for method, path, since in ROUTES:
        body = b"{}" if method == "POST" else b""
        response = raw_request(mesh.url, method, path, body=body)
        if rank(version) < rank(since):
            assert (response.status, response.body) == (404, NOT_FOUND), path
            assert response.header("Content-Type") == "text/plain; charset=utf-8"
            assert response.header("Access-Control-Allow-Origin") is None
        else:
            assert response.body != NOT_FOUND, (version, path)
    # The event stream never ends on its own: read its first frame only.
    with httpx.stream("GET", f"{mesh.url}/v1/events", timeout=10) as events:
        first = next(events.iter_raw())
    if rank(version) < rank("1.3.0"):
        assert (events.status_code, first) == (404, NOT_FOUND)
    else:
        assert (events.status_code, first) == (200, b":ready\n\n")
    # The mux's redirect to the subtree exists only where the subtree is registered.
    expected = 301 if rank(version) >= rank("1.3.0") else 404
    assert raw_request(mesh.url, "GET", "/v1/peers").status == expected


# --- sections 7 and 8: field sets -----------------------------------------------------------


def test_workers_field_set(mesh: MeshSimulator, version: str) -> None:
    mesh.ledger.append_comment(peer(mesh, "echo"), text="fine", language="en")
    mesh.take_offline("echo")
    body = httpx.get(f"{mesh.url}/api/workers").json()
    with_offline = httpx.get(f"{mesh.url}/api/workers?include_offline=true").json()
    filer = next(agent for agent in body["agents"] if agent["name"] == "filer")
    if rank(version) < rank("1.3.0"):
        assert list(body) == ["agents", "success"]
        assert list(filer) == BASE_WORKER_KEYS
        assert with_offline == body  # include_offline is ignored
    else:
        assert list(body) == ["agents", "offline_count", "online_count", "success"]
        assert list(filer)[:14] == BASE_WORKER_KEYS
        assert {"honesty_score", "dispatch_allowed", "online", "last_seen"} <= set(filer)
        assert filer["agent_image_ref"] == "localhost/x/filer:1"
        assert with_offline["offline_count"] == 1
        assert peer(mesh, "echo") in [agent["peer_id"] for agent in with_offline["agents"]]


def test_models_field_set(mesh: MeshSimulator, version: str) -> None:
    response = httpx.get(f"{mesh.url}/v1/models")
    if version == "1.1.0":
        assert response.status_code == 404
        return
    entry = next(item for item in response.json()["data"] if item["agentfm_name"] == "filer")
    if version == "1.2.0":
        assert list(entry) == BASE_MODEL_KEYS
    else:
        assert list(entry)[:17] == BASE_MODEL_KEYS
        assert entry["agentfm_image_ref"] == "localhost/x/filer:1"
        assert entry["agentfm_online"] is True


# --- sections 3 and 4: error forms and gates ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_auth_exists_from_1_2(
    version: str, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version, api_keys=[KEY])
    response = raw_request(mesh.url, "GET", "/api/workers")
    if version == "1.1.0":
        assert response.status == 200  # 1.1.0 reads no AGENTFM_API_KEYS
        return
    assert response.status == 401
    assert response.header("Content-Type") == "application/json"
    assert json.loads(response.body)["error"]["code"] == "unauthorized"
    authorised = raw_request(
        mesh.url, "GET", "/api/workers", headers=[("Authorization", f"Bearer {KEY}")]
    )
    assert authorised.status == 200
    # /health and /metrics stay open.
    assert raw_request(mesh.url, "GET", "/health").status == 200


def test_errors_are_plain_text_on_1_1(mesh: MeshSimulator, version: str) -> None:
    response = raw_request(mesh.url, "POST", "/api/execute", body=b"{not json")
    assert (response.status, response.body) == (400, b"Invalid JSON payload\n")
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    response = raw_request(mesh.url, "DELETE", "/api/workers")
    assert (response.status, response.body) == (405, b"Method not allowed\n")
    if version != "1.1.0":
        chat = raw_request(mesh.url, "POST", "/v1/chat/completions", body=b"{}")
        assert chat.status == 400
        assert json.loads(chat.body)["error"]["code"] == "model_required"


def test_origin_check_exists_from_1_3(mesh: MeshSimulator, version: str) -> None:
    headers = [("Origin", "https://evil.example"), ("Content-Type", "application/json")]
    body = json.dumps({"worker_id": peer(mesh, "echo"), "prompt": "hi"}).encode()
    response = raw_request(mesh.url, "POST", "/api/execute", headers=headers, body=body)
    if rank(version) >= rank("1.3.0"):
        assert (response.status, response.body) == (403, b"cross-origin request refused\n")
    else:
        assert response.status == 200
        assert response.body.startswith(b"echo: hi\n")


def test_cors_wrappers(mesh: MeshSimulator, version: str) -> None:
    options = raw_request(mesh.url, "OPTIONS", "/api/workers")
    assert (options.status, options.body) == (200, b"")
    assert options.header("Access-Control-Allow-Origin") == "*"
    if version == "1.1.0":
        return
    assert raw_request(mesh.url, "GET", "/health").header("Access-Control-Allow-Origin") is None
    metrics = raw_request(mesh.url, "OPTIONS", "/metrics")
    if version == "1.2.0":
        # promhttp answers any method itself, with no CORS headers (sections 4 and 6).
        assert metrics.status == 200
        assert b"agentfm_tasks_total" in metrics.body
        assert metrics.header("Access-Control-Allow-Origin") is None
    else:
        assert (metrics.status, metrics.body) == (200, b"")
        assert metrics.header("Access-Control-Allow-Origin") == "*"


# --- section 9: /api/execute ----------------------------------------------------------------


def test_execute_validation_by_release(mesh: MeshSimulator, version: str) -> None:
    echo = peer(mesh, "echo")
    empty_worker = execute(mesh, worker_id="", prompt="hi")
    empty_prompt = execute(mesh, worker_id=echo, prompt="")
    odd_task_id = execute(mesh, worker_id=echo, prompt="hi", task_id="not a valid id")
    refused_peer = execute(mesh, worker_id=peer(mesh, "liar"), prompt="hi")
    if version == "current":
        assert (empty_worker.status, empty_worker.body) == (400, b"worker_id is required\n")
        assert (empty_prompt.status, empty_prompt.body) == (400, b"prompt is required\n")
        assert refused_peer.status == 403
        assert refused_peer.body == b"dispatch refused: peer_is_equivocator\n"
    else:
        assert (empty_worker.status, empty_worker.body) == (404, b"Worker not found or offline\n")
        # An empty prompt is dispatched: the container gets an empty argument.
        assert (empty_prompt.status, empty_prompt.body) == (200, b"echo: \n\n[AGENTFM: NO_FILES]\n")
        assert refused_peer.status == 200  # no trust gate on this route before HEAD
    if rank(version) >= rank("1.3.0"):
        assert (odd_task_id.status, odd_task_id.body) == (400, b"Invalid task_id format\n")
    else:
        assert odd_task_id.status == 200  # forwarded to the worker as it is


def test_a_short_task_id_drops_the_connection_on_1_1(mesh: MeshSimulator, version: str) -> None:
    if version == "1.1.0":
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(
                f"{mesh.url}/api/execute",
                json={"worker_id": peer(mesh, "echo"), "prompt": "hi", "task_id": "short"},
            )
        # The server is unharmed.
        assert execute(mesh, worker_id=peer(mesh, "echo"), prompt="again").status == 200
    else:
        response = execute(mesh, worker_id=peer(mesh, "echo"), prompt="hi", task_id="short")
        assert response.status == 200


def test_artifacts_and_sidecars(mesh: MeshSimulator, version: str) -> None:
    task_id = "task_versions_0001"
    response = execute(mesh, worker_id=peer(mesh, "filer"), prompt="the prompt", task_id=task_id)
    assert response.body == b"wrote result.txt\n\n[AGENTFM: FILES_INCOMING]\n"
    assert (mesh.artifacts_dir / f"{task_id}.zip").exists()
    sidecar = mesh.artifacts_dir / f"{task_id}.meta.json"
    assert sidecar.exists() == (rank(version) >= rank("1.3.0"))


@pytest.mark.parametrize(("version", "pause"), [("1.1.0", 3.0), ("1.2.0", 2.0), ("1.3.0", 0.0)])
def test_a_failed_dial_answers_after_the_release_pause(
    version: str, pause: float, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version)
    mesh.worker("echo").fail_mode = "unreachable"
    started = time.monotonic()
    response = execute(mesh, worker_id=peer(mesh, "echo"), prompt="hi")
    elapsed = time.monotonic() - started
    assert (response.status, response.body) == (
        500,
        b"Failed to connect to worker via DHT or Relay\n",
    )
    if pause:
        assert elapsed >= pause
    else:
        assert elapsed < 2.0  # well under 1.2.0's pause, even on a loaded machine


# --- section 10: async ----------------------------------------------------------------------


def test_async_ack_and_minted_ids(mesh: MeshSimulator, version: str) -> None:
    response = httpx.post(
        f"{mesh.url}/api/execute/async", json={"worker_id": peer(mesh, "echo"), "prompt": "x"}
    )
    assert response.status_code == 202
    body = response.json()
    assert list(body) == ["message", "status", "task_id"]
    assert body["message"] == "Task dispatched to P2P mesh."
    pattern = r"task_\d{19}" if version == "1.1.0" else r"task_[0-9a-f]{24}"
    assert re.fullmatch(pattern, body["task_id"])


@pytest.mark.parametrize(("version", "capped"), [("1.1.0", False), ("1.2.0", True)])
def test_async_capacity_exists_from_1_2(
    version: str, capped: bool, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version, async_capacity=1)
    mesh.worker("echo").delay_seconds = 1.0
    submit = {"worker_id": peer(mesh, "echo"), "prompt": "x"}
    assert httpx.post(f"{mesh.url}/api/execute/async", json=submit).status_code == 202
    second = httpx.post(f"{mesh.url}/api/execute/async", json=submit)
    if capped:
        assert second.status_code == 503
        assert second.headers["Retry-After"] == "5"
        assert second.json()["error"]["code"] == "async_capacity_exhausted"
    else:
        assert second.status_code == 202


def test_webhook_on_1_1_is_unsigned_unguarded_and_follows_redirects(
    agentfm_mesh_factory: Callable[..., MeshSimulator], webhook_receiver: WebhookReceiver
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version="1.1.0", webhook_secret="a-secret")
    webhook_receiver.status = 307
    webhook_receiver.location = webhook_receiver.url + "/moved"
    started = time.monotonic()
    httpx.post(
        f"{mesh.url}/api/execute/async",
        json={"worker_id": peer(mesh, "echo"), "prompt": "x", "webhook_url": webhook_receiver.url},
    ).raise_for_status()
    # The loopback receiver is reached (no SSRF guard), then the redirect is followed.
    received = webhook_receiver.wait_for(2, timeout=10)
    assert [hook.path for hook in received] == ["/hook", "/hook/moved"]
    assert "x-agentfm-signature" not in received[0].headers
    assert time.monotonic() - started >= 2.0  # the fixed wait, though no zip is coming


def test_webhook_on_1_2_is_guarded(
    agentfm_mesh_factory: Callable[..., MeshSimulator], webhook_receiver: WebhookReceiver
) -> None:
    guarded = agentfm_mesh_factory(MESH, gateway_version="1.2.0", async_artifact_wait_seconds=0)
    allowed = agentfm_mesh_factory(
        MESH,
        gateway_version="1.2.0",
        webhook_secret="a-secret",
        webhook_allow_private=True,
        async_artifact_wait_seconds=0,
    )
    for mesh in (guarded, allowed):
        httpx.post(
            f"{mesh.url}/api/execute/async",
            json={
                "worker_id": peer(mesh, "echo"),
                "prompt": "x",
                "webhook_url": webhook_receiver.url,
            },
        ).raise_for_status()
    received = webhook_receiver.wait_for(1, timeout=10)
    assert len(received) == 1
    assert json.loads(received[0].body)["worker_id"] == peer(allowed, "echo")
    assert "x-agentfm-signature" in received[0].headers


# --- section 11: OpenAI routes --------------------------------------------------------------


def sse_payloads(body: bytes) -> list[dict[str, object]]:
    frames = [frame for frame in body.decode().split("\n\n") if frame.startswith("data: {")]
    return [json.loads(frame[len("data: ") :]) for frame in frames]


@pytest.mark.parametrize("version", OPENAI_VERSIONS)
def test_chat_chunk_keys(mesh: MeshSimulator, version: str) -> None:
    request = {"model": "echo", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    chunks = sse_payloads(httpx.post(f"{mesh.url}/v1/chat/completions", json=request).content)
    expected = ["id", "object", "created", "model", "choices"]
    if version != "1.2.0":
        expected += ["agentfm_peer_id", "agentfm_task_id"]
    assert all(list(chunk) == expected for chunk in chunks)
    text = httpx.post(
        f"{mesh.url}/v1/completions", json={"model": "echo", "prompt": "hi", "stream": True}
    )
    assert all(
        list(chunk) == ["id", "object", "created", "model", "choices"]
        for chunk in sse_payloads(text.content)
    )


@pytest.mark.parametrize("version", OPENAI_VERSIONS)
def test_model_matching_filters_refused_peers_from_1_3(mesh: MeshSimulator, version: str) -> None:
    request = {"model": "liar", "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{mesh.url}/v1/chat/completions", json=request)
    if version == "1.2.0":
        assert response.status_code == 200  # no ledger, so no trust filtering
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "model_not_found"


# --- section 6: metrics -----------------------------------------------------------------------


def metric(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match is not None, series
    return float(match.group(1))


@pytest.mark.parametrize("version", ["1.2.0", "1.3.0"])
def test_metrics_by_release(
    version: str, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version)
    request = {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}
    httpx.post(f"{mesh.url}/v1/chat/completions", json=request).raise_for_status()
    text = httpx.get(f"{mesh.url}/metrics").text
    counted = metric(text, 'agentfm_tasks_total{status="ok"}')
    if version == "1.2.0":
        assert "agentfm_artifacts_built_total" not in text
        assert counted == 0
    else:
        assert metric(text, "agentfm_artifacts_built_total") == 0
        assert counted == 1


# --- section 12: 1.3.0 against HEAD ---------------------------------------------------------


@pytest.mark.parametrize("version", ["1.3.0", "current"])
def test_about_and_comment_cids(
    version: str, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version)
    assert httpx.get(f"{mesh.url}/v1/about").json()["version"] == "1.3.0"
    base = f"{mesh.url}/v1/peers/{peer(mesh, 'echo')}/comments"
    not_hex = httpx.get(f"{base}/zz").json()["error"]
    short_hex = httpx.get(f"{base}/abcd")
    if version == "1.3.0":
        assert not_hex["message"].startswith("CID is not valid hex: ")
        assert short_hex.status_code == 404
        assert short_hex.json()["error"]["code"] == "comment_not_found"
    else:
        assert not_hex["message"].startswith("CID is not a valid multihash: ")
        assert short_hex.json()["error"]["code"] == "bad_cid"


# --- section 1: the launcher ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "flag", "value"),
    [
        ("1.1.0", "api-bind", "127.0.0.1"),
        ("1.1.0", "log-level", "info"),
        ("1.2.0", "reputation-floor", "-1"),
        ("1.2.0", "ledger-path", "x.db"),
    ],
)
def test_flags_a_release_lacks_exit_2(
    version: str, flag: str, value: str, sim_process: Callable[..., SimProcess]
) -> None:
    handle = sim_process("-sim-gateway-version", version, f"-{flag}", value, wait=False)
    handle.process.wait(timeout=30)
    status, _, stderr = handle.stop()
    assert status == 2
    assert stderr.startswith(f"flag provided but not defined: -{flag}\n")
    assert f"  -{flag} " not in stderr  # the help table is the release's own
    assert "  -apiport string" in stderr


def test_an_unknown_version_exits_2(sim_process: Callable[..., SimProcess]) -> None:
    handle = sim_process("-sim-gateway-version", "1.0.0", wait=False)
    handle.process.wait(timeout=30)
    status, _, stderr = handle.stop()
    assert status == 2
    assert 'invalid value "1.0.0" for flag -sim-gateway-version' in stderr


def wait_for_workers(url: str, handle: SimProcess) -> None:
    """1.1.0's only readiness probe: GET /api/workers (gateway-versions.md 15, item 2)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert handle.process.poll() is None, "agentfm-sim exited early"
        try:
            if httpx.get(f"{url}/api/workers", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("agentfm-sim 1.1.0 did not become ready")


def test_the_1_1_launcher(sim_process: Callable[..., SimProcess]) -> None:
    # A key too short for 1.2.0+ is not even read: 1.1.0 reads no environment.
    handle = sim_process(
        "-sim-gateway-version", "1.1.0", env={"AGENTFM_API_KEYS": "short"}, wait=False
    )
    wait_for_workers(handle.url, handle)
    assert httpx.get(f"{handle.url}/api/workers").status_code == 200  # and no auth
    assert httpx.get(f"{handle.url}/health").status_code == 404
    status, stdout, _ = handle.stop()
    assert status == 0
    banner = stdout.splitlines()[0]
    assert banner.endswith(f"AgentFM Local API Gateway listening on http://127.0.0.1:{handle.port}")
    assert "Auth" not in stdout


def test_the_1_3_launcher_takes_trust_flags(sim_process: Callable[..., SimProcess]) -> None:
    handle = sim_process("-sim-gateway-version", "1.3.0", "-reputation-floor", "-0.9")
    assert httpx.get(f"{handle.url}/v1/about").json()["reputation_floor"] == -0.9
    status, stdout, _ = handle.stop()
    assert status == 0
    assert "AgentFM API Gateway listening on http://127.0.0.1:" in stdout
    assert "Auth disabled (AGENTFM_API_KEYS unset)." in stdout


@pytest.mark.parametrize(
    ("version", "task_id", "zip_name"),
    [
        ("1.1.0", "nested/dir/task_one", "task_one.zip"),
        ("1.1.0", "../../escape", "escape.zip"),
        ("1.2.0", "nested/task_two", "task_two.zip"),
        ("1.2.0", "odd/not valid!", None),  # a base name off the regex: fallback_<ns>.zip
    ],
)
def test_unchecked_task_ids_name_the_zip_by_base_name(
    version: str,
    task_id: str,
    zip_name: str | None,
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(MESH, gateway_version=version)
    response = execute(mesh, worker_id=peer(mesh, "filer"), prompt="x", task_id=task_id)
    assert response.status == 200
    names = [path.name for path in mesh.artifacts_dir.iterdir()]
    if zip_name is None:
        assert len(names) == 1
        assert re.fullmatch(r"fallback_\d+\.zip", names[0])
    else:
        assert names == [zip_name]
    assert not (mesh.workdir / "escape.zip").exists()


def test_the_current_release_registers_every_route_of_the_mux() -> None:
    from agentfm.testing._mux import EXACT_ROUTES, PREFIX_ROUTES
    from agentfm.testing._versions import CURRENT, gateway_generation

    assert CURRENT.listed_routes == (EXACT_ROUTES, PREFIX_ROUTES)
    assert gateway_generation("current") is CURRENT
    with pytest.raises(ValueError, match=r"1\.1\.0, 1\.2\.0, 1\.3\.0, current"):
        gateway_generation("2.0.0")
    with pytest.raises(ValueError, match="unknown gateway version"):
        MeshSimulator(gateway_version="1.0.0")


def test_a_declared_output_is_printed_exactly_with_the_prompt_filled_in(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    from agentfm.testing import MeshConfigError, parse_mesh

    mesh = agentfm_mesh_factory(MESH)
    response = execute(mesh, worker_id=peer(mesh, "echo"), prompt="{prompt} twice")
    assert response.body == b"echo: {prompt} twice\n\n[AGENTFM: NO_FILES]\n"
    with pytest.raises(MeshConfigError, match="'output' must be a string"):
        parse_mesh({"workers": [{"name": "w", "engine": "e", "output": 3}]})
