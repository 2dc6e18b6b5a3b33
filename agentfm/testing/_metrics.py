"""The Boss's Prometheus metrics: the series of gateway-protocol.md 5.2, really counting.

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
    # Prometheus' Go formatter: integers without a fraction, +Inf spelled out.
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


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

    def count_task(self, status: str, duration_seconds: float | None = None) -> None:
        with self._lock:
            self.tasks[status] += 1
            if duration_seconds is not None:
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
        lines.append(f"# HELP {name} Wall-clock duration of successful tasks.")
        lines.append(f"# TYPE {name} histogram")
        for bound, count in zip(DURATION_BUCKETS, self._duration_counts, strict=True):
            lines.append(f'{name}_bucket{{le="{_format_value(bound)}"}} {count}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self._duration_count}')
        lines.append(f"{name}_sum {_format_value(self._duration_sum)}")
        lines.append(f"{name}_count {self._duration_count}")

    def _runtime_families(self, lines: list[str]) -> None:
        # A few of the standard collectors' series, so scrapers that expect them find them.
        self._family(
            lines,
            "go_goroutines",
            "gauge",
            "Number of goroutines that currently exist.",
            [((), threading.active_count())],
        )
        self._family(
            lines,
            "process_cpu_seconds_total",
            "counter",
            "Total user and system CPU time spent in seconds.",
            [((), round(sum(os.times()[:2]), 2))],
        )
        self._family(
            lines,
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            [((), round(self._started, 2))],
        )
