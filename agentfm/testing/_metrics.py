"""The Boss's Prometheus metrics: the series of docs/reference/gateway-protocol.md §5.2, really
counting.

Every label tuple exists from the start at 0, as the real gateway pre-creates them. `render()`
writes the Prometheus text exposition format (0.0.4) the way client_golang does: HELP and TYPE
lines, families sorted by name, histogram buckets with cumulative counts.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal

__all__ = [
    "METRICS_CONTENT_TYPE",
    "Metrics",
]

# client_golang 1.23 answers a plain scrape with this (the escaping parameter is version-dependent).
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

TASK_STATUSES = ("ok", "error", "rejected", "timeout")
STREAM_PROTOCOLS = ("task", "artifacts", "feedback")
STREAM_REASONS = (
    "decode",
    "deadline",
    "reset",
    "peer_eof",
    "capacity_rejected",
    "version_mismatch",
    "unknown",
)
DHT_OPS = ("find_peer", "provide", "get_value")
AUTH_OUTCOMES = ("ok", "missing", "malformed", "invalid", "rate_limited")
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 180.0, 300.0, 600.0, 1800.0)


def _format_value(value: float) -> str:
    """A sample value as client_golang writes it: strconv.FormatFloat(value, 'g', -1, 64).

    Shortest round-trip digits; exponent form when the decimal exponent is below -4 or at
    least 6 (so 1444091 is `1.444091e+06`, 226480 stays `226480`); +Inf and NaN spelled out.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # Python's repr has the same shortest round-trip digits as Go; lay them out Go's way.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    point = len(digit_tuple) + exponent  # digits before the decimal point
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    decimal_exponent = point - 1
    if decimal_exponent < -4 or decimal_exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if decimal_exponent < 0 else '+'}{abs(decimal_exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    inner = ",".join(
        f'{name}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for name, value in pairs
    )
    return "{" + inner + "}"


class Metrics:
    """Thread-safe counters, gauge and histogram of the simulated Boss."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.time()
        self.tasks = dict.fromkeys(TASK_STATUSES, 0)
        self.stream_errors = {
            (protocol, reason): 0 for protocol in STREAM_PROTOCOLS for reason in STREAM_REASONS
        }
        self.dht_queries = dict.fromkeys(DHT_OPS, 0)
        self.auth_attempts = dict.fromkeys(AUTH_OUTCOMES, 0)
        self.artifacts_built = 0
        self.artifact_bytes_sent = 0
        self.workers_online = 0
        self._duration_counts = [0] * len(DURATION_BUCKETS)
        self._duration_sum = 0.0
        self._duration_count = 0

    def count_task(self, status: str, duration_seconds: float) -> None:
        """One task of agentfm_tasks_total; every counted task is also timed
        (docs/reference/gateway-protocol.md §5.2)."""
        with self._lock:
            self.tasks[status] += 1
            self._duration_sum += duration_seconds
            self._duration_count += 1
            for index, bound in enumerate(DURATION_BUCKETS):
                if duration_seconds <= bound:
                    self._duration_counts[index] += 1

    def count_stream_error(self, protocol: str, reason: str) -> None:
        with self._lock:
            self.stream_errors[(protocol, reason)] += 1

    def count_dht_query(self, op: str) -> None:
        with self._lock:
            self.dht_queries[op] += 1

    def count_auth(self, outcome: str) -> None:
        with self._lock:
            self.auth_attempts[outcome] += 1

    def count_artifact_built(self) -> None:
        with self._lock:
            self.artifacts_built += 1

    def set_workers_online(self, count: int) -> None:
        with self._lock:
            self.workers_online = count

    def render(self) -> bytes:
        """The exposition text of every series, AgentFM's and the standard process/go ones."""
        with self._lock:
            lines: list[str] = []
            self._family(
                lines,
                "agentfm_artifact_bytes_sent_total",
                "counter",
                "Bytes of task artifacts sent to the Boss by this worker.",
                [((), self.artifact_bytes_sent)],
            )
            self._family(
                lines,
                "agentfm_artifacts_built_total",
                "counter",
                "Artifact zips received and persisted by the Boss.",
                [((), self.artifacts_built)],
            )
            self._family(
                lines,
                "agentfm_auth_attempts_total",
                "counter",
                "HTTP API bearer-token authentication attempts by outcome.",
                [((("outcome", key),), value) for key, value in self.auth_attempts.items()],
            )
            self._family(
                lines,
                "agentfm_dht_queries_total",
                "counter",
                "DHT queries issued, by operation.",
                [((("op", key),), value) for key, value in self.dht_queries.items()],
            )
            self._family(
                lines,
                "agentfm_stream_errors_total",
                "counter",
                "libp2p stream errors by protocol and reason.",
                [
                    ((("protocol", protocol), ("reason", reason)), value)
                    for (protocol, reason), value in self.stream_errors.items()
                ],
            )
            self._duration_family(lines)
            self._family(
                lines,
                "agentfm_tasks_total",
                "counter",
                "Tasks dispatched by the Boss, by final status.",
                [((("status", key),), value) for key, value in self.tasks.items()],
            )
            self._family(
                lines,
                "agentfm_workers_online",
                "gauge",
                "Workers currently in the Boss's live telemetry table.",
                [((), self.workers_online)],
            )
            self._runtime_families(lines)
        return ("\n".join(lines) + "\n").encode("utf-8")

    @staticmethod
    def _family(
        lines: list[str],
        name: str,
        kind: str,
        help_text: str,
        samples: Iterable[tuple[Sequence[tuple[str, str]], float]],
    ) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        ordered = sorted(samples, key=lambda sample: [value for _, value in sample[0]])
        lines.extend(f"{name}{_labels(labels)} {_format_value(value)}" for labels, value in ordered)

    def _duration_family(self, lines: list[str]) -> None:
        name = "agentfm_task_duration_seconds"
        lines.append(f"# HELP {name} Wall-clock duration of tasks, whatever their status.")
        lines.append(f"# TYPE {name} histogram")
        for bound, count in zip(DURATION_BUCKETS, self._duration_counts, strict=True):
            lines.append(f'{name}_bucket{{le="{_format_value(bound)}"}} {count}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self._duration_count}')
        lines.append(f"{name}_sum {_format_value(self._duration_sum)}")
        lines.append(f"{name}_count {self._duration_count}")

    def _runtime_families(self, lines: list[str]) -> None:
        """The Go client's default go_* and process_* series (names, HELP, TYPE as
        client_golang 1.23 writes them), valued from this process where it has a counterpart."""
        process = _process_figures()
        threads = threading.active_count()
        heap = process["resident"] // 2
        lines.extend(
            [
                f"# HELP go_gc_duration_seconds {_GC_DURATION_HELP}",
                "# TYPE go_gc_duration_seconds summary",
                *(f'go_gc_duration_seconds{{quantile="{q}"}} 0' for q in _GC_QUANTILES),
                "go_gc_duration_seconds_sum 0",
                "go_gc_duration_seconds_count 0",
            ]
        )
        values: dict[str, float] = {
            "go_gc_gogc_percent": 100,
            "go_gc_gomemlimit_bytes": float(2**63 - 1),
            "go_goroutines": threads,
            "go_memstats_alloc_bytes": heap,
            "go_memstats_alloc_bytes_total": heap,
            "go_memstats_buck_hash_sys_bytes": 0,
            "go_memstats_frees_total": 0,
            "go_memstats_gc_sys_bytes": 0,
            "go_memstats_heap_alloc_bytes": heap,
            "go_memstats_heap_idle_bytes": 0,
            "go_memstats_heap_inuse_bytes": heap,
            "go_memstats_heap_objects": 0,
            "go_memstats_heap_released_bytes": 0,
            "go_memstats_heap_sys_bytes": heap,
            "go_memstats_last_gc_time_seconds": 0,
            "go_memstats_mallocs_total": 0,
            "go_memstats_mcache_inuse_bytes": 0,
            "go_memstats_mcache_sys_bytes": 0,
            "go_memstats_mspan_inuse_bytes": 0,
            "go_memstats_mspan_sys_bytes": 0,
            "go_memstats_next_gc_bytes": 4 << 20,
            "go_memstats_other_sys_bytes": 0,
            "go_memstats_stack_inuse_bytes": 0,
            "go_memstats_stack_sys_bytes": 0,
            "go_memstats_sys_bytes": process["resident"],
            "go_sched_gomaxprocs_threads": os.cpu_count() or 1,
            "go_threads": threads,
            "process_cpu_seconds_total": round(sum(os.times()[:2]), 2),
            "process_max_fds": process["max_fds"],
            "process_network_receive_bytes_total": process["received"],
            "process_network_transmit_bytes_total": process["sent"],
            "process_open_fds": process["open_fds"],
            "process_resident_memory_bytes": process["resident"],
            "process_start_time_seconds": round(self._started, 2),
            "process_virtual_memory_bytes": process["virtual"],
            "process_virtual_memory_max_bytes": process["virtual_max"],
        }
        for name, (kind, help_text) in _RUNTIME_FAMILIES.items():
            if name == "go_info":
                self._family(lines, name, kind, help_text, [((("version", GO_VERSION),), 1)])
            else:
                self._family(lines, name, kind, help_text, [((), values[name])])


GO_VERSION = "go1.25.0"
_GC_QUANTILES = ("0", "0.25", "0.5", "0.75", "1")
_GC_DURATION_HELP = (
    "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."
)
# Name -> (TYPE, HELP), sorted by name like the exposition; go_gc_duration_seconds is above.
_RUNTIME_FAMILIES: dict[str, tuple[str, str]] = {
    "go_gc_gogc_percent": (
        "gauge",
        "Heap size target percentage configured by the user, otherwise 100. This value is set "
        "by the GOGC environment variable, and the runtime/debug.SetGCPercent function. "
        "Sourced from /gc/gogc:percent.",
    ),
    "go_gc_gomemlimit_bytes": (
        "gauge",
        "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is "
        "set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit "
        "function. Sourced from /gc/gomemlimit:bytes.",
    ),
    "go_goroutines": ("gauge", "Number of goroutines that currently exist."),
    "go_info": ("gauge", "Information about the Go environment."),
    "go_memstats_alloc_bytes": (
        "gauge",
        "Number of bytes allocated in heap and currently in use. Equals to "
        "/memory/classes/heap/objects:bytes.",
    ),
    "go_memstats_alloc_bytes_total": (
        "counter",
        "Total number of bytes allocated in heap until now, even if released already. Equals "
        "to /gc/heap/allocs:bytes.",
    ),
    "go_memstats_buck_hash_sys_bytes": (
        "gauge",
        "Number of bytes used by the profiling bucket hash table. Equals to "
        "/memory/classes/profiling/buckets:bytes.",
    ),
    "go_memstats_frees_total": (
        "counter",
        "Total number of heap objects frees. Equals to /gc/heap/frees:objects + "
        "/gc/heap/tiny/allocs:objects.",
    ),
    "go_memstats_gc_sys_bytes": (
        "gauge",
        "Number of bytes used for garbage collection system metadata. Equals to "
        "/memory/classes/metadata/other:bytes.",
    ),
    "go_memstats_heap_alloc_bytes": (
        "gauge",
        "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. "
        "Equals to /memory/classes/heap/objects:bytes.",
    ),
    "go_memstats_heap_idle_bytes": (
        "gauge",
        "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes "
        "+ /memory/classes/heap/free:bytes.",
    ),
    "go_memstats_heap_inuse_bytes": (
        "gauge",
        "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + "
        "/memory/classes/heap/unused:bytes",
    ),
    "go_memstats_heap_objects": (
        "gauge",
        "Number of currently allocated objects. Equals to /gc/heap/objects:objects.",
    ),
    "go_memstats_heap_released_bytes": (
        "gauge",
        "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.",
    ),
    "go_memstats_heap_sys_bytes": (
        "gauge",
        "Number of heap bytes obtained from system. Equals to "
        "/memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + "
        "/memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.",
    ),
    "go_memstats_last_gc_time_seconds": (
        "gauge",
        "Number of seconds since 1970 of last garbage collection.",
    ),
    "go_memstats_mallocs_total": (
        "counter",
        "Total number of heap objects allocated, both live and gc-ed. Semantically a counter "
        "version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + "
        "/gc/heap/tiny/allocs:objects.",
    ),
    "go_memstats_mcache_inuse_bytes": (
        "gauge",
        "Number of bytes in use by mcache structures. Equals to "
        "/memory/classes/metadata/mcache/inuse:bytes.",
    ),
    "go_memstats_mcache_sys_bytes": (
        "gauge",
        "Number of bytes used for mcache structures obtained from system. Equals to "
        "/memory/classes/metadata/mcache/inuse:bytes + "
        "/memory/classes/metadata/mcache/free:bytes.",
    ),
    "go_memstats_mspan_inuse_bytes": (
        "gauge",
        "Number of bytes in use by mspan structures. Equals to "
        "/memory/classes/metadata/mspan/inuse:bytes.",
    ),
    "go_memstats_mspan_sys_bytes": (
        "gauge",
        "Number of bytes used for mspan structures obtained from system. Equals to "
        "/memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.",
    ),
    "go_memstats_next_gc_bytes": (
        "gauge",
        "Number of heap bytes when next garbage collection will take place. Equals to "
        "/gc/heap/goal:bytes.",
    ),
    "go_memstats_other_sys_bytes": (
        "gauge",
        "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.",
    ),
    "go_memstats_stack_inuse_bytes": (
        "gauge",
        "Number of bytes obtained from system for stack allocator in non-CGO environments. "
        "Equals to /memory/classes/heap/stacks:bytes.",
    ),
    "go_memstats_stack_sys_bytes": (
        "gauge",
        "Number of bytes obtained from system for stack allocator. Equals to "
        "/memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.",
    ),
    "go_memstats_sys_bytes": (
        "gauge",
        "Number of bytes obtained from system. Equals to /memory/classes/total:byte.",
    ),
    "go_sched_gomaxprocs_threads": (
        "gauge",
        "The current runtime.GOMAXPROCS setting, or the number of operating system threads that "
        "can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.",
    ),
    "go_threads": ("gauge", "Number of OS threads created."),
    "process_cpu_seconds_total": ("counter", "Total user and system CPU time spent in seconds."),
    "process_max_fds": ("gauge", "Maximum number of open file descriptors."),
    "process_network_receive_bytes_total": (
        "counter",
        "Number of bytes received by the process over the network.",
    ),
    "process_network_transmit_bytes_total": (
        "counter",
        "Number of bytes sent by the process over the network.",
    ),
    "process_open_fds": ("gauge", "Number of open file descriptors."),
    "process_resident_memory_bytes": ("gauge", "Resident memory size in bytes."),
    "process_start_time_seconds": (
        "gauge",
        "Start time of the process since unix epoch in seconds.",
    ),
    "process_virtual_memory_bytes": ("gauge", "Virtual memory size in bytes."),
    "process_virtual_memory_max_bytes": (
        "gauge",
        "Maximum amount of virtual memory available in bytes.",
    ),
}


def _process_figures() -> dict[str, float]:
    """This process's memory, descriptors and traffic, read where the Go client reads them
    (/proc on Linux); 0 where the platform does not say."""
    figures = dict.fromkeys(
        ("resident", "virtual", "virtual_max", "open_fds", "max_fds", "received", "sent"), 0.0
    )
    try:
        import resource  # POSIX only

        soft_fds = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        soft_as = resource.getrlimit(resource.RLIMIT_AS)[0]
        figures["max_fds"] = float(soft_fds if soft_fds != resource.RLIM_INFINITY else 2**64 - 1)
        figures["virtual_max"] = float(soft_as if soft_as != resource.RLIM_INFINITY else 2**64 - 1)
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size, resident = (int(field) for field in statm.read().split()[:2])
        page = os.sysconf("SC_PAGE_SIZE")
        figures["virtual"], figures["resident"] = float(size * page), float(resident * page)
        figures["open_fds"] = float(len(os.listdir("/proc/self/fd")))
        with open("/proc/self/net/dev", encoding="ascii") as net:
            for row in net.read().splitlines()[2:]:
                columns = row.split(":", 1)[1].split()
                figures["received"] += int(columns[0])
                figures["sent"] += int(columns[8])
    except (OSError, ValueError, IndexError):
        pass
    return figures
