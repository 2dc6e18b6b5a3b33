"""Which gateway release the simulator speaks: 1.1.0, 1.2.0, 1.3.0 or the current one.

docs/reference/gateway-versions.md lists, route by route, what older gateways send differently from
the current one (docs/reference/gateway-protocol.md). Every difference the simulator reproduces is
one named property of `GatewayGeneration` below, so the route handlers ask "does this generation
have X?" and never compare version strings. The releases are strictly cumulative, which is why each
property is a threshold on the generation's rank.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CURRENT",
    "GATEWAY_VERSIONS",
    "GatewayGeneration",
    "gateway_generation",
]


@dataclass(frozen=True)
class GatewayGeneration:
    """One gateway release as the simulator reproduces it (docs/reference/gateway-versions.md)."""

    name: str  # what `-sim-gateway-version` takes: 1.1.0, 1.2.0, 1.3.0 or current
    rank: int  # 1.1.0 < 1.2.0 < 1.3.0 < current
    # `internal/version/version.go` of the release: the 1.1.0 tag still says 1.0.0
    # (docs/reference/gateway-protocol.md §1).
    version_constant: str

    @property
    def is_current(self) -> bool:
        return self.rank == 4

    # --- docs/reference/gateway-protocol.md §1: launcher ------------------------------------------

    @property
    def reads_environment(self) -> bool:
        """1.1.0 reads no environment variable: no API keys, no webhook secret (1)."""
        return self.rank >= 2

    @property
    def has_bind_flag(self) -> bool:
        """`-api-bind` and `-log-*` exist from 1.2.0; 1.1.0 listens on every interface (1)."""
        return self.rank >= 2

    @property
    def has_trust_flags(self) -> bool:
        """`-reputation-floor`, `-ledger-path`, `-identity` exist from 1.3.0 (1)."""
        return self.rank >= 3

    # --- docs/reference/gateway-protocol.md §2 and §4: routes and gates ---------------------------

    @property
    def has_openai_routes(self) -> bool:
        """`/health`, `/metrics` and the three OpenAI routes exist from 1.2.0 (2)."""
        return self.rank >= 2

    @property
    def has_ledger_routes(self) -> bool:
        """`/v1/about`, `/v1/events`, `/api/relay/test`, `/v1/peers/`, `/ui/peer/` (2)."""
        return self.rank >= 3

    @property
    def has_auth(self) -> bool:
        """Bearer auth and its failure limiter exist from 1.2.0 (4)."""
        return self.rank >= 2

    @property
    def checks_origin(self) -> bool:
        """The cross-origin refusal (403 plain text) exists from 1.3.0 (4)."""
        return self.rank >= 3

    @property
    def metrics_behind_cors(self) -> bool:
        """1.2.0 serves `/metrics` bare (any method, no OPTIONS short-circuit) (4, 6)."""
        return self.rank >= 3

    @property
    def has_envelopes(self) -> bool:
        """1.1.0 answers every error in plain text (3)."""
        return self.rank >= 2

    # --- docs/reference/gateway-protocol.md §6-§11: bodies ----------------------------------------

    @property
    def has_trust_fields(self) -> bool:
        """Counts, trust, `online`, `last_seen` and image keys on workers and models (7, 8)."""
        return self.rank >= 3

    @property
    def honours_include_offline(self) -> bool:
        return self.rank >= 3

    @property
    def has_artifacts_built_metric(self) -> bool:
        return self.rank >= 3

    @property
    def counts_chat_tasks(self) -> bool:
        """Chat completions count in `agentfm_tasks_total` from 1.3.0 (6)."""
        return self.rank >= 3

    @property
    def requires_worker_and_prompt(self) -> bool:
        """400 for an empty `worker_id` / `prompt` on both execute routes: current only (9)."""
        return self.rank >= 4

    @property
    def validates_task_id(self) -> bool:
        """400 `Invalid task_id format` from 1.3.0 (9)."""
        return self.rank >= 3

    @property
    def panics_on_short_task_id(self) -> bool:
        """1.1.0 slices a client task id for a log line: under 8 chars it panics (9)."""
        return self.rank == 1

    @property
    def gates_execute_on_trust(self) -> bool:
        """403 `dispatch refused` on `/api/execute` and async: current only (9, 10)."""
        return self.rank >= 4

    @property
    def filters_models_by_trust(self) -> bool:
        """The OpenAI model matcher skips refused peers from 1.3.0 (11)."""
        return self.rank >= 3

    @property
    def caps_non_streaming_output(self) -> bool:
        """16 MiB cap on non-streaming OpenAI bodies from 1.3.0 (11)."""
        return self.rank >= 3

    @property
    def chat_chunks_name_worker(self) -> bool:
        """`agentfm_peer_id` / `agentfm_task_id` on chat chunks from 1.3.0 (11)."""
        return self.rank >= 3

    @property
    def dial_failure_pause_seconds(self) -> float:
        """How long `/api/execute` waits before its 500 after a failed dial (9).

        The simulator's `unreachable` worker is a dial error: 3 s on 1.1.0, 2 s on 1.2.0.
        """
        return {1: 3.0, 2: 2.0}.get(self.rank, 0.0)

    @property
    def mints_hex_task_ids(self) -> bool:
        """`task_` + 24 hex from 1.2.0; 1.1.0 mints `task_` + decimal Unix nanoseconds (9)."""
        return self.rank >= 2

    @property
    def has_async_capacity(self) -> bool:
        """256 async tasks in flight, then 503, from 1.2.0; 1.1.0 is unbounded (10)."""
        return self.rank >= 2

    @property
    def polls_for_async_artifact(self) -> bool:
        """1.2.0+ poll for the zip before the webhook; 1.1.0 waits a fixed 2 s (10)."""
        return self.rank >= 2

    @property
    def guards_webhooks(self) -> bool:
        """SSRF guard, signature and no redirects from 1.2.0 (10.1)."""
        return self.rank >= 2

    @property
    def writes_artifact_sidecar(self) -> bool:
        """`<task_id>.meta.json` and the `.zip.part` rename from 1.3.0 (13)."""
        return self.rank >= 3

    @property
    def checks_artifact_name(self) -> bool:
        """A zip's base name must match the task-id regex from 1.2.0, else `fallback_` (13)."""
        return self.rank >= 2

    @property
    def cid_must_be_multihash(self) -> bool:
        """Comment CIDs: any hex on 1.3.0, a 34-byte `1220` multihash at current (12)."""
        return self.rank >= 4

    @property
    def listed_routes(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """(exact routes, prefix routes) the generation's ServeMux registers (2)."""
        exact = {"/api/workers", "/api/execute", "/api/execute/async"}
        prefixes: tuple[str, ...] = ()
        if self.has_openai_routes:
            exact |= {
                "/health",
                "/metrics",
                "/v1/models",
                "/v1/chat/completions",
                "/v1/completions",
            }
        if self.has_ledger_routes:
            exact |= {"/v1/about", "/v1/events", "/api/relay/test"}
            prefixes = ("/v1/peers/", "/ui/peer/")
        return frozenset(exact), prefixes


_GENERATIONS = {
    generation.name: generation
    for generation in (
        GatewayGeneration("1.1.0", 1, "1.0.0"),
        GatewayGeneration("1.2.0", 2, "1.2.0"),
        GatewayGeneration("1.3.0", 3, "1.3.0"),
        GatewayGeneration("current", 4, "1.3.0"),
    )
}
GATEWAY_VERSIONS: tuple[str, ...] = tuple(_GENERATIONS)
CURRENT = _GENERATIONS["current"]


def gateway_generation(name: str | GatewayGeneration) -> GatewayGeneration:
    """The generation called `name` (`1.1.0`, `1.2.0`, `1.3.0` or `current`); ValueError else."""
    if isinstance(name, GatewayGeneration):
        return name
    try:
        return _GENERATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown gateway version {name!r}; expected one of {', '.join(GATEWAY_VERSIONS)}"
        ) from None
