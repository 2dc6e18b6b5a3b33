"""The `agentfm-sim` command line: Go-style flags, environment, guards, banner, signals, exits."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest import SimProcess, free_port, wait_for_health

from agentfm.testing.cli import FlagError, go_parse_int, parse_go_flags

KEY = "cli-test-key-0123456789"


def _run(
    *arguments: str, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion (for invocations that must exit by themselves)."""
    return subprocess.run(
        [sys.executable, "-m", "agentfm.testing.cli", *arguments],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["-mode", "api", "-apiport", "9001"],
        ["-mode=api", "-apiport=9001"],
        ["--mode", "api", "--apiport", "9001"],
        ["--mode=api", "--apiport=9001"],
    ],
)
def test_go_flag_forms(argv: list[str]) -> None:
    assert parse_go_flags(argv) == {"mode": "api", "apiport": "9001"}


def test_go_flag_rules() -> None:
    # Parsing stops at the first non-flag argument and at "--"; the last repeat wins.
    assert parse_go_flags(["-mode", "api", "extra", "-apiport", "1"]) == {"mode": "api"}
    assert parse_go_flags(["-mode", "x", "--", "-apiport", "1"]) == {"mode": "x"}
    assert parse_go_flags(["-apiport", "1", "-apiport", "2"]) == {"apiport": "2"}
    # A value may start with a dash.
    assert parse_go_flags(["-reputation-floor", "-1.0"]) == {"reputation-floor": "-1.0"}
    with pytest.raises(FlagError, match="flag provided but not defined: -nope"):
        parse_go_flags(["-nope", "1"])
    with pytest.raises(FlagError, match="flag needs an argument: -apiport"):
        parse_go_flags(["-apiport"])
    with pytest.raises(FlagError, match='invalid value "abc" for flag -reputation-floor'):
        parse_go_flags(["-reputation-floor", "abc"])
    with pytest.raises(FlagError, match="bad flag syntax"):
        parse_go_flags(["---mode", "api"])
    assert go_parse_int("0x10") == 16
    assert go_parse_int("010") == 8


def test_bad_invocations_exit_2(tmp_path: Path) -> None:
    boss = _run("-mode", "boss", cwd=tmp_path)
    assert boss.returncode == 2
    assert "only -mode api" in boss.stderr
    missing = _run(cwd=tmp_path)
    assert missing.returncode == 2
    unknown = _run("-mode", "api", "-frobnicate", "1", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "flag provided but not defined: -frobnicate" in unknown.stderr
    assert "Usage of agentfm-sim" in unknown.stderr
    mesh = tmp_path / "mesh.json"
    mesh.write_text(json.dumps({"workers": [{"name": "w", "engine": "e", "fail_mode": "boom"}]}))
    bad_mesh = _run("-mode", "api", "-sim-mesh", str(mesh), cwd=tmp_path)
    assert bad_mesh.returncode == 2
    [line] = bad_mesh.stderr.strip().splitlines()
    assert "fail_mode" in line
    assert "mesh.json" in line
    help_text = _run("-h", cwd=tmp_path)
    assert help_text.returncode == 0
    assert "-apiport string" in help_text.stderr


def test_short_api_key_exits_1(tmp_path: Path) -> None:
    result = _run("-mode", "api", env={"AGENTFM_API_KEYS": f"{KEY},short"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "shorter than 16 chars" in result.stdout + result.stderr


def test_public_bind_guard(tmp_path: Path, sim_process: Callable[..., SimProcess]) -> None:
    for bind in ("0.0.0.0", "[::1]", "example.com"):
        result = _run("-mode", "api", "-api-bind", bind, "-apiport", str(free_port()), cwd=tmp_path)
        assert result.returncode == 1, bind
        assert (
            "refusing to start: bind is non-loopback and no API keys configured." in result.stdout
        )
    opted_in = sim_process("-api-bind", "0.0.0.0", env={"AGENTFM_ALLOW_UNAUTH_PUBLIC": "1"})
    assert httpx.get(opted_in.url + "/health").status_code == 200
    keyed = sim_process(
        "-api-bind", "0.0.0.0", env={"AGENTFM_API_KEYS": f"{KEY}, other-key-0123456789 "}
    )
    assert httpx.get(keyed.url + "/api/workers").status_code == 401
    assert (
        httpx.get(
            keyed.url + "/api/workers", headers={"Authorization": f"Bearer {KEY}"}
        ).status_code
        == 200
    )
    status, stdout, _ = keyed.stop()
    assert status == 0
    assert "Auth enabled (2 API key(s) configured)." in stdout


def test_banner_sigterm_and_identity(
    tmp_path: Path, sim_process: Callable[..., SimProcess]
) -> None:
    first = sim_process("--reputation-floor=-0.75", "-sim-seed", "3")
    about = httpx.get(first.url + "/v1/about").json()
    assert about["reputation_floor"] == -0.75
    key_file = tmp_path / ".agentfm_api_identity.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    status, stdout, _ = first.stop(signal.SIGTERM)
    assert status == 0
    lines = stdout.splitlines()
    assert f"AgentFM API Gateway listening on http://127.0.0.1:{first.port}" in lines[0]
    assert "Auth disabled (AGENTFM_API_KEYS unset)." in lines[1]
    # The same working directory gives the same Boss identity; SIGINT also exits 0, even
    # with an event stream open (it is ended for the shutdown).
    second = sim_process("-sim-seed=3")
    assert httpx.get(second.url + "/v1/about").json()["boss_peer_id"] == about["boss_peer_id"]
    with httpx.stream("GET", second.url + "/v1/events", timeout=10) as events:
        chunks = events.iter_raw()  # kept referenced: dropping it would close the stream
        assert next(chunks) == b":ready\n\n"
        assert second.stop(signal.SIGINT)[0] == 0
        assert b"".join(chunks) == b""


def test_ipv6_banner(sim_process: Callable[..., SimProcess]) -> None:
    port = free_port()
    process = sim_process("-api-bind", "::1", "-apiport", str(port), wait=False)
    wait_for_health(f"http://[::1]:{port}", process.process)
    status, stdout, _ = process.stop()
    assert status == 0
    assert f"AgentFM API Gateway listening on http://[::1]:{port}" in stdout


def test_port_in_use_prints_the_banner_then_exits_1(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = _run(
            "-mode", "api", "-apiport", str(port), "-sim-bind-fail-linger", "0", cwd=tmp_path
        )
    assert result.returncode == 1
    assert f"AgentFM API Gateway listening on http://127.0.0.1:{port}" in result.stdout


def test_mesh_file_and_json_logs(tmp_path: Path, sim_process: Callable[..., SimProcess]) -> None:
    mesh = tmp_path / "mesh.json"
    mesh.write_text(json.dumps({"seed": 1, "workers": [{"name": "solo", "engine": "phi3"}]}))
    process = sim_process("-sim-mesh", str(mesh), "-log-format", "json")
    agents = httpx.get(process.url + "/api/workers").json()["agents"]
    assert [agent["name"] for agent in agents] == ["solo"]
    httpx.post(
        process.url + "/api/execute", json={"worker_id": agents[0]["peer_id"], "prompt": "hi"}
    )
    status, stdout, _ = process.stop()
    assert status == 0
    records = [json.loads(line) for line in stdout.splitlines()[2:] if line.startswith("{")]
    assert any(record["msg"] == "task dispatched" for record in records)
    assert all({"time", "level", "msg"} <= set(record) for record in records)
