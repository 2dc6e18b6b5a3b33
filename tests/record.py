"""`make record`: re-record tests/cassettes from a running gateway, with no hand edits.

    make record                                              # agentfm-sim, with an API key
    make record GATEWAY_URL=http://host:8080 [AGENTFM_API_KEY=...]   # any running gateway

Every cassette test (`-m cassette`) runs once against the gateway with record mode `all`. The
gateway is probed first (gateway-versions.md 14): it must answer `/api/workers` and have the
agents the cassette tests dispatch to online, and must be 1.3.0 or later (the cassettes include
`/v1/peers/*` and `/v1/events`); otherwise nothing is touched. The old cassettes are moved
aside, not deleted, and come back if the recording fails, so a failed run never leaves a
half-recorded set. (`GATEWAY_API_KEY` is still read when `AGENTFM_API_KEY` is not set.)
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cassette_support import CASSETTES, RECORD_GATEWAY_ENV, RECORD_KEY_ENV  # noqa: E402

from agentfm import LocalMeshGateway  # noqa: E402

# The agents the cassette tests dispatch to (the simulator's demo mesh has them).
REQUIRED_AGENTS = ("summarizer", "translator")
PROBE_TIMEOUT_SECONDS = 10.0


class UnsuitableGateway(Exception):
    """The gateway cannot answer every cassette test; the message says why."""


def probe(url: str, api_key: str) -> str:
    """The gateway's version, once it is known to suit the cassette tests."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=PROBE_TIMEOUT_SECONDS) as http:
            workers = http.get("/api/workers")
            about = http.get("/v1/about")
    except httpx.HTTPError as exc:
        raise UnsuitableGateway(f"cannot reach {url}: {exc}") from None
    if workers.status_code != 200:
        raise UnsuitableGateway(f"GET /api/workers answered {workers.status_code}")
    if about.status_code != 200:
        # 1.1.0 and 1.2.0 have no /v1/about, nor the peers and events routes recorded here.
        raise UnsuitableGateway("the gateway is older than 1.3.0 (no /v1/about)")
    names = {agent.get("name") for agent in workers.json().get("agents", [])}
    missing = [name for name in REQUIRED_AGENTS if name not in names]
    if missing:
        raise UnsuitableGateway(
            f"no {', '.join(missing)} worker online (the cassette tests dispatch to "
            f"{', '.join(REQUIRED_AGENTS)}, as in the simulator's demo mesh)"
        )
    return str(about.json().get("version", "?"))


def _record(url: str, api_key: str) -> int:
    try:
        version = probe(url, api_key)
    except UnsuitableGateway as exc:
        print(f"record: {exc}; the cassettes are unchanged", file=sys.stderr)
        return 2
    print(f"record: gateway version {version} at {url}", flush=True)
    with tempfile.TemporaryDirectory(prefix="agentfm-cassettes-") as backup_root:
        backup = Path(backup_root) / "cassettes"
        if CASSETTES.exists():
            shutil.move(str(CASSETTES), backup)
        CASSETTES.mkdir()
        environment = {**os.environ, RECORD_GATEWAY_ENV: url, RECORD_KEY_ENV: api_key}
        command = [sys.executable, "-m", "pytest", "-m", "cassette", "-q", "-p", "no:cacheprovider"]
        status = subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode
        if status != 0 and backup.exists():
            shutil.rmtree(CASSETTES)
            shutil.move(str(backup), CASSETTES)
            print("record: the recording failed; the previous cassettes are back", file=sys.stderr)
        return status


def main() -> int:
    url = os.environ.get("GATEWAY_URL")
    if url:
        api_key = os.environ.get("AGENTFM_API_KEY") or os.environ.get("GATEWAY_API_KEY", "")
        return _record(url.rstrip("/"), api_key)
    api_key = f"record-{secrets.token_hex(12)}"
    # The simulator, exactly as a user would start a gateway (it gets the key as AGENTFM_API_KEYS).
    simulator = [sys.executable, "-m", "agentfm.testing.cli"]
    with LocalMeshGateway(
        binary_path=simulator, port=0, api_key=api_key, startup_timeout=60
    ) as gateway:
        return _record(gateway.url, api_key)


if __name__ == "__main__":
    raise SystemExit(main())
