"""The facade's per-call overhead against a bare httpx call to the same simulator route.

    .venv/bin/python bench/facade_overhead.py [--calls 2000]

Starts `agentfm-sim` as its own process (so the server's work does not share this process's CPU),
then times, call by call and interleaved, the same requests made three ways: a bare
`httpx.Client.get`, the bare call plus `response.json()`, and the SDK. Prints medians and the
ratio SDK / bare. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import httpx

from agentfm import AgentFMClient, LocalMeshGateway


def _time(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(url: str, calls: int) -> list[tuple[str, float, float, float]]:
    """(route, bare median, bare+json median, sdk median) per route, in seconds."""
    bare = httpx.Client(base_url=url)
    sdk = AgentFMClient(url, api_key=None)
    routes: list[tuple[str, Callable[[], object], Callable[[], object], Callable[[], object]]] = [
        (
            "GET /health",
            lambda: bare.get("/health"),
            lambda: bare.get("/health").json(),
            sdk.ping,
        ),
        (
            "GET /api/workers",
            lambda: bare.get("/api/workers"),
            lambda: bare.get("/api/workers").json(),
            sdk.workers.list,
        ),
    ]
    results = []
    for name, plain, plain_json, facade in routes:
        for _ in range(100):  # warm up pools, caches and lazy imports
            plain(), plain_json(), facade()
        timings: dict[str, list[float]] = {"bare": [], "json": [], "sdk": []}
        for _ in range(calls):
            timings["bare"].append(_time(plain))
            timings["json"].append(_time(plain_json))
            timings["sdk"].append(_time(facade))
        results.append(
            (
                name,
                statistics.median(timings["bare"]),
                statistics.median(timings["json"]),
                statistics.median(timings["sdk"]),
            )
        )
    bare.close()
    sdk.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per variant")
    arguments = parser.parse_args(argv)
    simulator = [sys.executable, "-m", "agentfm.testing.cli"]
    with LocalMeshGateway(binary_path=simulator, port=0, startup_timeout=60) as gateway:
        results = measure(gateway.url, arguments.calls)
    print(f"facade overhead, median of {arguments.calls} calls each (agentfm-sim, loopback)")
    print("route               bare httpx  bare+json   agentfm   ratio     added")
    for name, plain, plain_json, facade in results:
        print(
            f"{name:<18} {plain * 1e6:>9.0f}µs {plain_json * 1e6:>8.0f}µs {facade * 1e6:>7.0f}µs"
            f" {facade / plain:>6.2f}x {(facade - plain) * 1e6:>7.0f}µs"
        )


if __name__ == "__main__":
    main()
