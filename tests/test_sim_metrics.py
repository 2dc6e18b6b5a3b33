"""GET /metrics of the simulator: the exposition as client_golang writes it, and which requests
count as tasks (gateway-protocol.md 5.2)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from agentfm.testing import MeshSimulator
from agentfm.testing._metrics import _format_value

FAST = {"name": "fast", "engine": "llama3.2", "delay_seconds": 0.0, "max_tasks": 4}
SLOW = {"name": "slow", "engine": "llama3.2", "delay_seconds": 30.0, "max_tasks": 1}
STRANGER = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"
# What the Go client's default registry exposes besides AgentFM's own families (observed from
# client_golang 1.23.2 on Linux): name -> TYPE.
RUNTIME_FAMILIES = {
    "go_gc_duration_seconds": "summary",
    "go_gc_gogc_percent": "gauge",
    "go_gc_gomemlimit_bytes": "gauge",
    "go_goroutines": "gauge",
    "go_info": "gauge",
    **{
        f"go_memstats_{name}": "gauge"
        for name in (
            "alloc_bytes",
            "buck_hash_sys_bytes",
            "gc_sys_bytes",
            "heap_alloc_bytes",
            "heap_idle_bytes",
            "heap_inuse_bytes",
            "heap_objects",
            "heap_released_bytes",
            "heap_sys_bytes",
            "last_gc_time_seconds",
            "mcache_inuse_bytes",
            "mcache_sys_bytes",
            "mspan_inuse_bytes",
            "mspan_sys_bytes",
            "next_gc_bytes",
            "other_sys_bytes",
            "stack_inuse_bytes",
            "stack_sys_bytes",
            "sys_bytes",
        )
    },
    "go_memstats_alloc_bytes_total": "counter",
    "go_memstats_frees_total": "counter",
    "go_memstats_mallocs_total": "counter",
    "go_sched_gomaxprocs_threads": "gauge",
    "go_threads": "gauge",
    "process_cpu_seconds_total": "counter",
    "process_max_fds": "gauge",
    "process_network_receive_bytes_total": "counter",
    "process_network_transmit_bytes_total": "counter",
    "process_open_fds": "gauge",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
    "process_virtual_memory_bytes": "gauge",
    "process_virtual_memory_max_bytes": "gauge",
}


def _scrape(mesh: MeshSimulator) -> dict[str, float]:
    samples: dict[str, float] = {}
    for line in httpx.get(mesh.url + "/metrics").text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples


def _tasks(mesh: MeshSimulator) -> dict[str, float]:
    samples = _scrape(mesh)
    counts = {
        status: samples[f'agentfm_tasks_total{{status="{status}"}}']
        for status in ("ok", "error", "rejected", "timeout")
    }
    counts["timed"] = samples["agentfm_task_duration_seconds_count"]
    return counts


def test_runtime_families_are_the_go_clients(agentfm_mesh: MeshSimulator) -> None:
    text = httpx.get(agentfm_mesh.url + "/metrics").text
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE))
    helps = dict(re.findall(r"^# HELP (\S+) (.+)$", text, re.MULTILINE))
    runtime = {name: kind for name, kind in types.items() if not name.startswith("agentfm_")}
    assert runtime == RUNTIME_FAMILIES
    assert list(types) == sorted(types)  # families sorted by name, agentfm_* first
    assert helps["go_goroutines"] == "Number of goroutines that currently exist."
    assert helps["go_memstats_sys_bytes"] == (
        "Number of bytes obtained from system. Equals to /memory/classes/total:byte."
    )
    assert helps["process_start_time_seconds"] == (
        "Start time of the process since unix epoch in seconds."
    )
    assert re.search(r'^go_info\{version="go1\.\d+\.\d+"\} 1$', text, re.MULTILINE)
    quantiles = re.findall(r'^go_gc_duration_seconds\{quantile="([^"]+)"\}', text, re.MULTILINE)
    assert quantiles == ["0", "0.25", "0.5", "0.75", "1"]
    assert "agentfm_task_duration_seconds" in helps
    assert "success" not in helps["agentfm_task_duration_seconds"]  # every task is timed


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (226480.0, "226480"),
        (1444091.0, "1.444091e+06"),
        (1e6, "1e+06"),
        (0.0001, "0.0001"),
        (0.00001234, "1.234e-05"),
        (2.0**63, "9.223372036854776e+18"),
        (1796687730.88, "1.79668773088e+09"),
        (-3.5, "-3.5"),
        (float("inf"), "+Inf"),
    ],
)
def test_values_are_written_like_go_format_float(value: float, written: str) -> None:
    assert _format_value(value) == written


@pytest.mark.agentfm_mesh(
    workers=[
        FAST,
        {**FAST, "name": "liar", "is_equivocator": True},
        {**FAST, "name": "gone", "fail_mode": "unreachable"},
        {**FAST, "name": "drop", "fail_mode": "drop"},
        {**FAST, "name": "refuser", "fail_mode": "refuse"},
    ]
)
def test_every_execute_post_past_the_method_check_is_a_timed_task(
    agentfm_mesh: MeshSimulator,
) -> None:
    url = agentfm_mesh.url + "/api/execute"
    fast, liar, gone, drop, refuser = (worker.peer_id for worker in agentfm_mesh.workers)
    assert httpx.get(url).status_code == 405  # refused before counting
    assert _tasks(agentfm_mesh)["timed"] == 0
    errors = [
        httpx.post(url, content=b"{"),
        httpx.post(url, json={"prompt": "x"}),
        httpx.post(url, json={"worker_id": fast}),
        httpx.post(url, json={"worker_id": fast, "prompt": "x", "task_id": "-bad"}),
    ]
    assert [response.status_code for response in errors] == [400] * 4
    rejected = [
        httpx.post(url, json={"worker_id": STRANGER, "prompt": "x"}),
        httpx.post(url, json={"worker_id": liar, "prompt": "x"}),
    ]
    assert [response.status_code for response in rejected] == [404, 403]
    assert httpx.post(url, json={"worker_id": gone, "prompt": "x"}).status_code == 500
    assert httpx.post(url, json={"worker_id": drop, "prompt": "x"}).status_code == 200
    # A worker's capacity refusal ends its stream cleanly: ok for the gateway.
    refusal = httpx.post(url, json={"worker_id": refuser, "prompt": "x"})
    assert refusal.text.startswith("❌ ERROR: Worker is at max capacity")
    assert httpx.post(url, json={"worker_id": fast, "prompt": "x"}).status_code == 200
    counts = _tasks(agentfm_mesh)
    assert counts == {"ok": 2, "error": 6, "rejected": 2, "timeout": 0, "timed": 10}
    samples = _scrape(agentfm_mesh)
    # The capacity refusal is counted by the worker process, not by the gateway.
    refused = 'agentfm_stream_errors_total{protocol="task",reason="capacity_rejected"}'
    assert samples[refused] == 0
    assert samples['agentfm_stream_errors_total{protocol="task",reason="reset"}'] == 1


@pytest.mark.agentfm_mesh(
    workers=[
        FAST,
        {**FAST, "name": "gone", "engine": "far", "fail_mode": "unreachable"},
        {**FAST, "name": "refuser", "engine": "full", "fail_mode": "refuse"},
    ]
)
def test_every_counted_chat_is_timed(agentfm_mesh: MeshSimulator) -> None:
    url = agentfm_mesh.url + "/v1/chat/completions"
    for model, status in (("fast", 200), ("far", 502), ("full", 200)):
        body = {"model": model, "messages": [{"content": "q"}]}
        assert httpx.post(url, json=body).status_code == status, model
    counts = _tasks(agentfm_mesh)
    assert counts == {"ok": 2, "error": 1, "rejected": 0, "timeout": 0, "timed": 3}


@pytest.mark.agentfm_mesh(workers=[FAST], async_artifact_wait_seconds=0.6)
def test_an_async_task_is_counted_when_its_job_returns(agentfm_mesh: MeshSimulator) -> None:
    peer = agentfm_mesh.workers[0].peer_id
    submitted = httpx.post(
        agentfm_mesh.url + "/api/execute/async", json={"worker_id": peer, "prompt": "x"}
    )
    assert submitted.status_code == 202
    # The output is drained at once, but the job waits for a zip that never comes.
    time.sleep(0.2)
    assert _tasks(agentfm_mesh)["timed"] == 0
    deadline = time.monotonic() + 10
    while agentfm_mesh.boss.async_in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    counts = _tasks(agentfm_mesh)
    assert (counts["ok"], counts["timed"]) == (1, 1)
    assert _scrape(agentfm_mesh)["agentfm_task_duration_seconds_sum"] >= 0.6
