"""Scatter-gather benchmarks: makespan efficiency against a naive baseline, overhead, memory.

    .venv/bin/python -m bench                          # what `make bench` runs
    .venv/bin/python -m bench --memory-prompts 100000  # the full 100k-prompt memory run
    .venv/bin/python -m bench --quick                  # a smaller, faster pass

Every figure comes from `agentfm-sim` meshes described in bench/meshes/, each served by its own
simulator process (so the server's work does not share this process's CPU time; on a 2-core
machine it still shares the machine):

* makespan efficiency = ideal makespan / measured makespan. The ideal is the fluid lower bound
  `prompts / sum(max_tasks * (1 - drop_rate) / delay_seconds)` over the workers: every slot busy
  all the time, no dispatch cost, a dropped attempt costing a full task time (the simulator paces
  a dropped stream over the whole delay). The same batch also goes through a naive baseline in the
  same run: a thread pool of `max_concurrency` threads calling `tasks.run` round-robin over the
  peers, retrying any error on the next peer (what 0.3.0 did), once as one pass (it gives up on
  some prompts) and once re-running its failed prompts until every prompt is answered (what its
  user has to do); the ratio compares the time to answer every prompt.
* dispatch overhead with zero-delay workers: tasks per second, and this process's CPU seconds
  (all threads) per 1,000 tasks.
* peak memory: a fresh process runs the batch from a generator with zero-delay workers; its peak
  RSS, and the growth over its RSS after a warm-up batch.

A benchmark, not a test: nothing is asserted; figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from agentfm import AgentFMClient, AgentFMError, AsyncAgentFMClient, LocalMeshGateway
from agentfm.models import ScatterResult

MESHES = Path(__file__).resolve().parent / "meshes"


# --- the simulator process ------------------------------------------------------------------


@dataclass
class Simulator:
    url: str
    command: list[str]
    mesh: dict[str, object]


@contextlib.contextmanager
def simulator(mesh_file: Path) -> Iterator[Simulator]:
    """`agentfm-sim -mode api -apiport <port> -sim-mesh <file>`, ready (GET /health) and stopped."""
    flags = ["-sim-mesh", str(mesh_file), "-log-level", "error"]
    with LocalMeshGateway(
        binary_path=[sys.executable, "-m", "agentfm.testing.cli"],
        port=0,
        extra_args=flags,
        startup_timeout=60,
    ) as gateway:
        command = ["agentfm-sim", "-mode", "api", "-apiport", str(gateway.port), *flags]
        yield Simulator(gateway.url, command, json.loads(mesh_file.read_text()))


def ideal_makespan(mesh: dict[str, object], prompts: int) -> float:
    """The fluid lower bound on the makespan (see the module docstring)."""
    workers = mesh["workers"]
    assert isinstance(workers, list)
    rate = 0.0
    for worker in workers:
        drop = worker.get("fail_rate", 1.0) if worker.get("fail_mode") == "drop" else 0.0
        rate += worker["max_tasks"] * (1.0 - drop) / worker["delay_seconds"]
    return prompts / rate


def capacity(mesh: dict[str, object]) -> int:
    workers = mesh["workers"]
    assert isinstance(workers, list)
    return sum(int(worker["max_tasks"]) for worker in workers)


def prompt_source(count: int) -> Iterator[str]:
    return (f"summarise document #{index}" for index in range(count))


# --- the runners ----------------------------------------------------------------------------


@dataclass
class Run:
    runner: str
    seconds: float
    cpu_seconds: float
    succeeded: int
    total: int
    attempts: int
    passes: int = 1


def _summary(runner: str, started: float, cpu: float, results: list[ScatterResult]) -> Run:
    return Run(
        runner=runner,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        succeeded=sum(result.status == "success" for result in results),
        total=len(results),
        attempts=sum(result.attempts for result in results),
    )


def run_scatter(url: str, prompts: int, concurrency: int) -> Run:
    with AgentFMClient(url, api_key=None) as client:
        peers = [worker.peer_id for worker in client.workers.list()]
        started, cpu = time.perf_counter(), time.process_time()
        results = client.tasks.scatter(
            prompt_source(prompts), peer_ids=peers, max_concurrency=concurrency
        )
        return _summary("scatter (sync)", started, cpu, results)


def run_scatter_async(url: str, prompts: int, concurrency: int) -> Run:
    async def batch() -> Run:
        async with AsyncAgentFMClient(url, api_key=None) as client:
            peers = [worker.peer_id for worker in await client.workers.list()]
            started, cpu = time.perf_counter(), time.process_time()
            results = await client.tasks.scatter(
                prompt_source(prompts), peer_ids=peers, max_concurrency=concurrency
            )
            return _summary("scatter (async)", started, cpu, results)

    return asyncio.run(batch())


def run_naive(
    url: str, prompts: int, concurrency: int, *, until_all: bool, max_retries: int = 2
) -> Run:
    """The baseline: a thread pool calling `tasks.run` round-robin over the peers, retrying any
    error on the next peer, with no idea of capacity. `until_all`: then re-run the prompts that
    failed, pass after pass (at most 10), as a user of such a scheduler has to."""
    with AgentFMClient(url, api_key=None) as client:
        peers = [worker.peer_id for worker in client.workers.list()]

        def one(index: int) -> tuple[bool, int]:
            prompt = f"summarise document #{index}"
            for attempt in range(max_retries + 1):
                peer = peers[(index + attempt) % len(peers)]
                try:
                    client.tasks.run(worker_id=peer, prompt=prompt)
                except AgentFMError:
                    continue
                return True, attempt + 1
            return False, max_retries + 1

        started, cpu = time.perf_counter(), time.process_time()
        pending = list(range(prompts))
        attempts = passes = 0
        with ThreadPoolExecutor(concurrency) as pool:
            while pending and passes < (10 if until_all else 1):
                passes += 1
                outcomes = list(pool.map(one, pending))
                attempts += sum(count for _, count in outcomes)
                pending = [i for i, (ok, _) in zip(pending, outcomes, strict=True) if not ok]
        return Run(
            runner="naive, re-run failed" if until_all else "naive, one pass",
            seconds=time.perf_counter() - started,
            cpu_seconds=time.process_time() - cpu,
            succeeded=prompts - len(pending),
            total=prompts,
            attempts=attempts,
            passes=passes,
        )


# --- memory: a fresh process per measurement -------------------------------------------------


def _rss_kib() -> int:
    # ru_maxrss: KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def memory_child(url: str, prompts: int, mode: str) -> None:
    """Run one batch and print {"baseline_kib", "peak_kib", "seconds", "succeeded"} as JSON."""
    with AgentFMClient(url, api_key=None) as client:
        peers = [worker.peer_id for worker in client.workers.list()]
        # Warm up: imports, connection pool, threads. Then the high-water mark is the baseline.
        client.tasks.scatter(prompt_source(200), peer_ids=peers, max_concurrency=16)
        baseline = _rss_kib()
        started = time.perf_counter()
        succeeded = 0
        if mode == "iter":
            for _, result in client.tasks.scatter_iter(
                prompt_source(prompts), peer_ids=peers, max_concurrency=16
            ):
                succeeded += result.status == "success"
        else:
            results = client.tasks.scatter(
                prompt_source(prompts), peer_ids=peers, max_concurrency=16
            )
            succeeded = sum(result.status == "success" for result in results)
        seconds = time.perf_counter() - started
    report = {"baseline_kib": baseline, "peak_kib": _rss_kib(), "seconds": seconds}
    print(json.dumps({**report, "succeeded": succeeded}))


def measure_memory(url: str, prompts: int, mode: str) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.scatter", "--memory-child", url, str(prompts), mode]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, cwd=MESHES.parent.parent
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


# --- the report -----------------------------------------------------------------------------


def _show(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def makespan_section(quick: bool) -> None:
    print("\n## Makespan efficiency (ideal / measured), scatter vs the naive baseline\n")
    rows: list[tuple[str, int, float, Run]] = []
    ratios: list[tuple[str, float]] = []
    for name, full_size in (("uniform", 640), ("uneven", 460)):
        prompts = full_size // 4 if quick else full_size
        with simulator(MESHES / f"{name}.json") as sim:
            print(f"    {_show(sim.command)}")
            ideal = ideal_makespan(sim.mesh, prompts)
            slots = capacity(sim.mesh)
            runs = [
                run_scatter(sim.url, prompts, slots),
                run_scatter_async(sim.url, prompts, slots),
                run_naive(sim.url, prompts, slots, until_all=False),
                run_naive(sim.url, prompts, slots, until_all=True),
            ]
        rows.extend((name, prompts, ideal, run) for run in runs)
        ratios.append((name, runs[3].seconds / runs[0].seconds))
    print()
    print(
        f"| {'mesh':<7} | {'prompts':>7} | {'runner':<20} | {'makespan':>8} | {'ideal':>6} |"
        f" {'efficiency':>10} | {'succeeded':>9} | {'attempts':>8} | {'passes':>6} |"
    )
    widths = (9, 9, 22, 10, 8, 12, 11, 10, 8)
    print("|" + "|".join("-" * width for width in widths) + "|")
    for name, prompts, ideal, run in rows:
        # Efficiency only means something for a batch that answered every prompt.
        efficiency = f"{ideal / run.seconds:.0%}" if run.succeeded == run.total else "-"
        answered = f"{run.succeeded}/{run.total}"
        print(
            f"| {name:<7} | {prompts:>7} | {run.runner:<20} | {run.seconds:>7.2f}s |"
            f" {ideal:>5.2f}s | {efficiency:>10} | {answered:>9} | {run.attempts:>8} |"
            f" {run.passes:>6} |"
        )
    print()
    for name, ratio in ratios:
        print(
            f"{name} mesh: time to answer every prompt, naive re-running its failures / scatter "
            f"(sync) = {ratio:.2f}x"
        )


def overhead_section(quick: bool) -> None:
    print("\n## Dispatch overhead, zero-delay workers (4 workers x 8 slots, 16 in flight)\n")
    prompts = 600 if quick else 3000
    with simulator(MESHES / "zero_delay.json") as sim:
        print(f"    {_show(sim.command)}\n")
        runs = [
            run_scatter(sim.url, prompts, 16),
            run_scatter_async(sim.url, prompts, 16),
            run_naive(sim.url, prompts, 16, until_all=False),
        ]
    print(
        f"| {'runner':<20} | {'tasks':>5} | {'tasks/s':>7} | {'client CPU s / 1,000 tasks':>26} |"
    )
    print("|" + "|".join("-" * width for width in (22, 7, 9, 28)) + "|")
    for run in runs:
        print(
            f"| {run.runner:<20} | {run.total:>5} | {run.total / run.seconds:>7.0f} |"
            f" {run.cpu_seconds / run.total * 1000:>26.2f} |"
        )


def memory_section(prompts: int, quick: bool) -> None:
    print("\n## Peak memory, zero-delay workers, prompts from a generator (fresh process each)\n")
    small = max(1000, prompts // 10)
    cases = [(small, "iter"), (prompts, "iter"), (prompts, "list")]
    if quick:
        cases = [(small, "iter"), (small * 2, "iter")]
    with simulator(MESHES / "zero_delay.json") as sim:
        print(f"    {_show(sim.command)}")
        print("    python -m bench.scatter --memory-child <url> <prompts> iter|list\n")
        print(
            f"| {'prompts':>7} | {'call':<34} | {'peak RSS':>9} | {'growth':>9} |"
            f" {'seconds':>7} | {'succeeded':>9} |"
        )
        print(f"|{'-' * 9}|{'-' * 36}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 11}|")
        for count, mode in cases:
            figures = measure_memory(sim.url, count, mode)
            call = "scatter_iter, results discarded" if mode == "iter" else "scatter, list returned"
            peak, growth = (
                figures["peak_kib"] / 1024,
                (figures["peak_kib"] - figures["baseline_kib"]) / 1024,
            )
            print(
                f"| {count:>7} | {call:<34} | {peak:>6.1f}MiB | {growth:>6.1f}MiB |"
                f" {figures['seconds']:>7.1f} | {int(figures['succeeded']):>9} |"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller batches (a smoke run)")
    parser.add_argument(
        "--memory-prompts", type=int, default=20000, help="prompts of the memory run (20000)"
    )
    parser.add_argument("--skip-memory", action="store_true", help="no memory run")
    parser.add_argument(
        "--memory-child", nargs=3, metavar=("URL", "PROMPTS", "MODE"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args(argv)
    if arguments.memory_child:
        url, prompts, mode = arguments.memory_child
        memory_child(url, int(prompts), mode)
        return
    print("# agentfm scatter-gather benchmarks")
    flags = " ".join(argv if argv is not None else sys.argv[1:])
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; command: python -m bench {flags}"
    )
    makespan_section(arguments.quick)
    overhead_section(arguments.quick)
    if not arguments.skip_memory:
        memory_section(arguments.memory_prompts, arguments.quick)


if __name__ == "__main__":
    main()
