"""`make record`: re-record tests/cassettes from a running gateway, with no hand edits.

    make record                                  # starts agentfm-sim (with an API key) and records
    GATEWAY_URL=http://host:8080 GATEWAY_API_KEY=... make record    # records from a real gateway

Every cassette test (`-m cassette`) runs once against the gateway with record mode `all`; the old
cassettes are removed first so none outlives its test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cassette_support import CASSETTES, RECORD_GATEWAY_ENV, RECORD_KEY_ENV  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"record: agentfm-sim exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("record: agentfm-sim did not answer /health")


def _record(url: str, api_key: str) -> int:
    if CASSETTES.exists():
        shutil.rmtree(CASSETTES)
    CASSETTES.mkdir()
    environment = {**os.environ, RECORD_GATEWAY_ENV: url, RECORD_KEY_ENV: api_key}
    command = [sys.executable, "-m", "pytest", "-m", "cassette", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode


def main() -> int:
    url = os.environ.get("GATEWAY_URL")
    if url:
        return _record(url.rstrip("/"), os.environ.get("GATEWAY_API_KEY", ""))
    api_key = f"record-{secrets.token_hex(12)}"
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="agentfm-record-") as workdir:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AGENTFM_")}
        environment["AGENTFM_API_KEYS"] = api_key
        simulator = subprocess.Popen(
            [sys.executable, "-m", "agentfm.testing.cli", "-mode", "api", "-apiport", str(port)],
            cwd=workdir,
            env=environment,
            stdout=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(url, simulator)
            return _record(url, api_key)
        finally:
            simulator.terminate()
            try:
                simulator.wait(timeout=30)
            except subprocess.TimeoutExpired:
                simulator.kill()
                simulator.wait()


if __name__ == "__main__":
    raise SystemExit(main())
