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
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cassette_support import CASSETTES, RECORD_GATEWAY_ENV, RECORD_KEY_ENV  # noqa: E402

from agentfm import LocalMeshGateway  # noqa: E402


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
    # The simulator, exactly as a user would start a gateway (it gets the key as AGENTFM_API_KEYS).
    simulator = [sys.executable, "-m", "agentfm.testing.cli"]
    with LocalMeshGateway(
        binary_path=simulator, port=0, api_key=api_key, startup_timeout=60
    ) as gateway:
        return _record(gateway.url, api_key)


if __name__ == "__main__":
    raise SystemExit(main())
