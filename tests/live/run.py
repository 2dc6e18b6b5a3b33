"""`make test-live`: the live suite (tests/live/) against one gateway, or against every release.

    make test-live GATEWAY_URL=http://127.0.0.1:8080 [AGENTFM_API_KEY=...] [ARTIFACTS_DIR=...]
    make test-live            # agentfm-sim once per release: 1.1.0, 1.2.0, 1.3.0, current

Each run starts with `live: gateway version <x.y.z> at <url>` and names every check (pytest -v);
a check the release cannot answer is reported as skipped with what the release lacks. The
self-started gateways declare the convention workers (tests/live/mesh.json); 1.2.0 and current
run with an API key, so the key checks run too, and 1.3.0 and current may post webhooks to
loopback (AGENTFM_WEBHOOK_ALLOW_PRIVATE=1), current with a signing secret.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from gateway import DiscoveryError, banner, from_environment  # noqa: E402

MESH_FILE = HERE / "mesh.json"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0
PARALLEL_RUNS = 2
SUITE_ENVIRONMENT = (
    "GATEWAY_URL",
    "AGENTFM_API_KEY",
    "ARTIFACTS_DIR",
    "AGENTFM_WEBHOOK_ALLOW_PRIVATE",
    "AGENTFM_WEBHOOK_SECRET",
)


@dataclass(frozen=True)
class SimulatedRun:
    version: str
    keyed: bool = False
    webhook_private: bool = False
    webhook_secret: bool = False


SIMULATED_RUNS = (
    SimulatedRun("1.1.0"),
    SimulatedRun("1.2.0", keyed=True),
    SimulatedRun("1.3.0", webhook_private=True),
    SimulatedRun("current", keyed=True, webhook_private=True, webhook_secret=True),
)


def run_suite(environment: Mapping[str, str], *, capture: bool = False) -> tuple[int, str]:
    """The banner, then tests/live against the gateway `environment` names: (status, report).

    The report goes straight to the terminal unless `capture` (then it is returned).
    """
    try:
        line = banner(from_environment(environment))
    except DiscoveryError as exc:
        return 2, f"live: {exc}\n"
    if not capture:
        print(line, flush=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(HERE),
        "-v",
        "-rs",
        "-p",
        "no:cacheprovider",
        "--no-header",
        # The suite needs neither; their import is seconds on a busy machine.
        "-p",
        "no:schemathesis",
        "-p",
        "no:hypothesispytest",
    ]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=dict(environment),
        check=False,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
    )
    report = f"{line}\n{completed.stdout.decode('utf-8', 'replace')}" if capture else ""
    return completed.returncode, report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    """`/health`, or `/api/workers` on 1.1.0 which has no health route (gateway-versions.md 15)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"agentfm-sim exited with status {process.returncode}")
        for path in ("/health", "/api/workers"):
            try:
                if httpx.get(url + path, timeout=1.0).status_code in (200, 401):
                    return
            except httpx.TransportError:
                break
        time.sleep(0.05)
    raise RuntimeError(f"agentfm-sim did not answer within {READY_TIMEOUT_SECONDS:.0f} s")


def run_simulated(run: SimulatedRun) -> tuple[int, str]:
    """Start agentfm-sim in `run.version`, run the suite against it, stop it (by PID).

    Returns (status, the run's report).
    """
    api_key = f"live-{secrets.token_hex(12)}" if run.keyed else ""
    webhook_secret = f"live-{secrets.token_hex(8)}" if run.webhook_secret else ""
    inherited = {k: v for k, v in os.environ.items() if k not in SUITE_ENVIRONMENT}
    inherited = {k: v for k, v in inherited.items() if not k.startswith("AGENTFM_")}
    with tempfile.TemporaryDirectory(prefix=f"agentfm-live-{run.version}-") as workdir:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        gateway_environment = {
            **inherited,
            "AGENTFM_API_KEYS": api_key,
            "AGENTFM_WEBHOOK_ALLOW_PRIVATE": "1" if run.webhook_private else "",
            "AGENTFM_WEBHOOK_SECRET": webhook_secret,
        }
        command = [
            sys.executable,
            "-m",
            "agentfm.testing.cli",
            "-mode",
            "api",
            "-apiport",
            str(port),
            "-sim-gateway-version",
            run.version,
            "-sim-mesh",
            str(MESH_FILE),
        ]
        log_path = Path(workdir) / "agentfm-sim.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=workdir, env=gateway_environment, stdout=log, stderr=log
            )
            try:
                _wait_until_ready(url, process)
                suite_environment = {
                    **inherited,
                    "GATEWAY_URL": url,
                    "AGENTFM_API_KEY": api_key,
                    "ARTIFACTS_DIR": str(Path(workdir) / "agentfm_artifacts"),
                    "AGENTFM_WEBHOOK_ALLOW_PRIVATE": "1" if run.webhook_private else "",
                    "AGENTFM_WEBHOOK_SECRET": webhook_secret,
                }
                return run_suite(suite_environment, capture=True)
            except RuntimeError as exc:
                return 1, f"live: {run.version}: {exc}\n{log_path.read_text()}\n"
            finally:
                process.terminate()
                try:
                    process.wait(timeout=STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def main() -> int:
    if os.environ.get("GATEWAY_URL"):
        status, report = run_suite(os.environ)
        print(report, end="", file=sys.stderr if status == 2 else sys.stdout)
        return status
    started = time.monotonic()

    def timed(run: SimulatedRun) -> tuple[int, str, float]:
        begun = time.monotonic()
        status, report = run_simulated(run)
        return status, report, time.monotonic() - begun

    # The runs wait on sockets and process start-up more than they compute: two at a time
    # halves the wall time; each report is printed whole, in release order.
    results: dict[str, tuple[int, float]] = {}
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        for run, (status, report, seconds) in zip(
            SIMULATED_RUNS, pool.map(timed, SIMULATED_RUNS), strict=True
        ):
            print(report, flush=True)
            results[run.version] = status, seconds
    summary = ", ".join(
        f"{version} {'passed' if status == 0 else 'FAILED'} ({seconds:.1f} s)"
        for version, (status, seconds) in results.items()
    )
    total = time.monotonic() - started
    print(f"live: agentfm-sim {summary}; {total:.1f} s in all", flush=True)
    return 0 if all(status == 0 for status, _ in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
