"""`LocalMeshGateway` with the `agentfm-sim` binary: readiness, auth, logs, failures, stop."""

from __future__ import annotations

import io
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port

import agentfm.daemon
from agentfm import (
    AgentFMClient,
    GatewayStartError,
    InvalidRequestError,
    LocalMeshGateway,
    SwarmKey,
)
from agentfm.testing import MeshSimulator

KEY = "daemon-test-key-0123456789"
SIM = "agentfm-sim"


def _gone(process: subprocess.Popen[bytes] | None) -> bool:
    assert process is not None
    return process.poll() is not None


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except OSError:
        return True


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AGENTFM_* from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("AGENTFM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    """Another process's listener, as far as the launcher can tell."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_seed_example_runs_unchanged(clean_env: None) -> None:
    # The 0.3.0 README's "Spin up an ephemeral gateway", with the simulator as the binary and a
    # free port instead of 8080.
    port = free_port()
    with LocalMeshGateway(binary_path=SIM, port=port) as gw:
        client = AgentFMClient(gateway_url=gw.url)
        workers = client.workers.list(model="llama3.2", wait_for_workers=1)
        print(workers)
        assert gw.url == f"http://127.0.0.1:{port}"
        assert workers
        assert all(worker.model == "llama3.2" for worker in workers)
        process = gw.process
    assert _gone(process)


def test_port_zero_picks_a_free_port_and_stop_leaves_nothing(clean_env: None) -> None:
    gw = LocalMeshGateway(binary_path=SIM, port=0)
    with gw:
        assert gw.port != 0
        assert gw.url == f"http://127.0.0.1:{gw.port}"
        assert httpx.get(f"{gw.url}/health").json()["status"] == "ok"
        workdir, process = gw.workdir, gw.process
        assert gw.running
        assert workdir.is_dir()
    assert process is not None
    assert process.returncode == 0  # SIGTERM: a graceful shutdown, not a kill
    assert not gw.running
    assert not workdir.exists()  # the temporary working directory is removed
    assert _refuses_connections(gw.port)
    gw.stop()  # idempotent


def test_api_key_reaches_the_child_and_the_probe(clean_env: None) -> None:
    # The readiness probe confirms the gateway's identity on /v1/about, an authenticated route:
    # starting at all proves the probe sent the key.
    with LocalMeshGateway(binary_path=SIM, port=0, api_key=KEY) as gw:
        assert httpx.get(f"{gw.url}/api/workers").status_code == 401
        authorized = httpx.get(f"{gw.url}/api/workers", headers={"Authorization": f"Bearer {KEY}"})
        assert authorized.status_code == 200
        assert KEY not in repr(gw)
        assert KEY not in gw.log_file.read_text()  # type: ignore[union-attr]


def test_an_inherited_gateway_key_list_is_not_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # The constructor alone decides the child's auth: api_key=None means no auth.
    monkeypatch.setenv("AGENTFM_API_KEYS", "inherited-key-0123456789")
    with LocalMeshGateway(binary_path=SIM, port=0) as gw:
        assert httpx.get(f"{gw.url}/api/workers").status_code == 200


def test_keys_given_through_env_start_unconfirmed_with_a_warning(
    clean_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="agentfm.daemon")
    with LocalMeshGateway(binary_path=SIM, port=0, env={"AGENTFM_API_KEYS": KEY}) as gw:
        assert httpx.get(f"{gw.url}/api/workers").status_code == 401
    assert "could not be confirmed" in caplog.text
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("short-key", "api_key_too_short"),
        ("x" * 15, "api_key_too_short"),
        ("with space-0123456789", "invalid_api_key_format"),
        ("two,keys-0123456789", "invalid_api_key_format"),  # AGENTFM_API_KEYS splits on commas
    ],
)
def test_unusable_api_keys_are_refused_before_spawning(key: str, code: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        LocalMeshGateway(binary_path=SIM, port=0, api_key=key)
    assert raised.value.code == code
    assert key not in str(raised.value)


def test_debug_copies_the_child_output_to_a_stream(clean_env: None) -> None:
    stream = io.StringIO()  # no file descriptor: 0.3.0 crashed on streams like this
    gw = LocalMeshGateway(binary_path=SIM, port=0, debug=stream)
    with gw:
        pass
    banner = f"AgentFM API Gateway listening on http://127.0.0.1:{gw.port}"
    assert banner in stream.getvalue()


def test_debug_true_writes_to_stderr(clean_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    gw = LocalMeshGateway(binary_path=SIM, port=0, debug=True)
    with gw:
        log_file = gw.log_file
    captured = capsys.readouterr()
    assert "AgentFM API Gateway listening on" in captured.err
    assert captured.out == ""
    assert log_file is not None
    assert not log_file.exists()


def test_a_port_held_by_another_process_is_refused(
    clean_env: None, listening_socket: socket.socket
) -> None:
    port = listening_socket.getsockname()[1]
    gw = LocalMeshGateway(binary_path=SIM, port=port)
    with pytest.raises(GatewayStartError) as raised:
        gw.start()
    assert raised.value.code == "port_in_use"
    assert str(port) in raised.value.message
    assert gw.process is None  # refused before anything was spawned


def test_a_port_taken_after_the_check_is_not_mistaken_for_readiness(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The race the pre-spawn check cannot close: another gateway takes the port before the child
    # binds. The child prints its banner, fails to bind and would linger 30 s (1.4) while the
    # other gateway answers /health.
    with MeshSimulator() as other:
        monkeypatch.setattr(agentfm.daemon, "_port_problem", lambda port: None)
        gw = LocalMeshGateway(binary_path=SIM, port=other.port, log_file=tmp_path / "gw.log")
        started = time.monotonic()
        with pytest.raises(GatewayStartError) as raised:
            gw.start()
        assert time.monotonic() - started < 15
        assert raised.value.code == "port_in_use"
        assert other.boss_peer_id in raised.value.message
        assert _gone(gw.process)
        assert httpx.get(f"{other.url}/health").status_code == 200  # the other one is untouched


def test_startup_timeout_names_the_log_and_kills_the_child(clean_env: None, tmp_path: Path) -> None:
    # -S: no site import, so the child has printed long before the limit, even on a busy box.
    script = "import time; print('booting', flush=True); time.sleep(60)"
    never_ready = [sys.executable, "-S", "-c", script]
    log_file = tmp_path / "gateway.log"
    gw = LocalMeshGateway(binary_path=never_ready, port=0, startup_timeout=2.0, log_file=log_file)
    with pytest.raises(GatewayStartError) as raised:
        gw.start()
    error = raised.value
    assert error.code == "startup_timeout"
    assert str(log_file) in error.message
    assert error.log_file == log_file
    assert "booting" in log_file.read_text()
    assert _gone(gw.process)
    assert not gw.workdir.exists()  # the log is elsewhere, so the temporary workdir went


def test_a_default_log_is_kept_when_startup_fails(clean_env: None) -> None:
    never_ready = [sys.executable, "-c", "import time; time.sleep(60)"]
    gw = LocalMeshGateway(binary_path=never_ready, port=0, startup_timeout=0.5)
    with pytest.raises(GatewayStartError) as raised:
        gw.start()
    log_file = raised.value.log_file
    try:
        assert log_file is not None
        assert log_file.exists()
        assert log_file.parent == gw.workdir
        assert _gone(gw.process)
    finally:
        shutil.rmtree(gw.workdir, ignore_errors=True)


def test_a_child_that_exits_during_startup_is_reported_with_its_log_tail(
    clean_env: None, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-mesh.json"
    gw = LocalMeshGateway(
        binary_path=SIM,
        port=0,
        extra_args=["-sim-mesh", str(missing)],
        log_file=tmp_path / "gw.log",
    )
    with pytest.raises(GatewayStartError) as raised:
        gw.start()
    error = raised.value
    assert error.code == "gateway_exited"
    assert error.exit_code == 2
    assert "no-such-mesh.json" in error.log_tail
    assert "no-such-mesh.json" in error.message
    assert "status 2" in error.message


def test_artifacts_dir_is_where_a_client_collects_files(clean_env: None) -> None:
    with LocalMeshGateway(binary_path=SIM, port=0) as gw:
        assert gw.artifacts_dir == gw.workdir / "agentfm_artifacts"
        client = AgentFMClient(gateway_url=gw.url, artifacts_dir=gw.artifacts_dir)
        [writer] = client.workers.list(agent_name="policy-writer")
        result = client.tasks.run(worker_id=writer.peer_id, prompt="write the policy")
        [artifact] = result.artifacts
        assert artifact.name == "policy.md"
        assert artifact.read_text().startswith("# Acceptable use policy")
        assert gw.artifacts_dir in artifact.parents


def test_a_given_workdir_is_kept_and_a_swarm_key_object_is_written_into_it(
    clean_env: None, tmp_path: Path
) -> None:
    workdir = tmp_path / "gateway"
    key = SwarmKey.generate()
    with LocalMeshGateway(binary_path=SIM, port=0, workdir=workdir, swarm_key=key) as gw:
        assert gw.workdir == workdir
        process = gw.process
        assert process is not None
        arguments = list(process.args)  # type: ignore[arg-type]
        key_path = Path(arguments[arguments.index("-swarmkey") + 1])
        assert key_path.parent == workdir
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        assert SwarmKey.load(key_path) == key
        assert key.to_bytes().hex() not in (gw.log_file.read_text())  # type: ignore[union-attr]
    assert workdir.is_dir()
    assert (workdir / ".agentfm_api_identity.key").exists()  # the identity stays with the dir
    assert not key_path.exists()  # the secret we wrote is removed on stop


def test_a_swarm_key_path_and_bootstrap_are_passed_as_flags(
    clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = SwarmKey.generate().save(tmp_path / "swarm.key")
    monkeypatch.chdir(tmp_path)
    relay = "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBqBDuHzsSHThz6B4Fs2gNjWeRAPghawcyz9WP2Kr6Utg"
    with LocalMeshGateway(binary_path=SIM, port=0, swarm_key="swarm.key", bootstrap=relay) as gw:
        arguments = list(gw.process.args)  # type: ignore[union-attr, arg-type]
    # A relative path is the caller's: it is made absolute, since the child runs elsewhere.
    assert arguments[arguments.index("-swarmkey") + 1] == str(key_file)
    assert arguments[arguments.index("-bootstrap") + 1] == relay
    with pytest.raises(InvalidRequestError):
        LocalMeshGateway(binary_path=SIM, port=0, swarm_key=tmp_path / "missing.key").start()


def test_extra_args_reach_the_child(clean_env: None) -> None:
    with LocalMeshGateway(binary_path=SIM, port=0, extra_args=["-reputation-floor", "-0.75"]) as gw:
        assert httpx.get(f"{gw.url}/v1/about").json()["reputation_floor"] == -0.75
    with pytest.raises(InvalidRequestError, match="apiport"):
        LocalMeshGateway(binary_path=SIM, extra_args=["-apiport=9000"])


def test_the_simulator_is_found_next_to_the_interpreter(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A virtualenv that is not activated: its console scripts are not on PATH.
    monkeypatch.setenv("PATH", "/nonexistent")
    with LocalMeshGateway(binary_path=SIM, port=0) as gw:
        assert httpx.get(f"{gw.url}/health").status_code == 200
    with pytest.raises(GatewayStartError) as raised:
        LocalMeshGateway(binary_path="no-such-agentfm-binary", port=0).start()
    assert raised.value.code == "binary_not_found"


def test_an_argv_prefix_works_as_binary(clean_env: None) -> None:
    with LocalMeshGateway(binary_path=[sys.executable, "-m", "agentfm.testing.cli"], port=0) as gw:
        assert AgentFMClient(gateway_url=gw.url).ping()


def test_values_are_known_once_started(clean_env: None) -> None:
    gw = LocalMeshGateway(binary_path=SIM, port=0)
    with pytest.raises(GatewayStartError) as raised:
        _ = gw.url
    assert raised.value.code == "not_started"
    assert gw.process is None
    assert "stopped" in repr(gw)
