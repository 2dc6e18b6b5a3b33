"""What the gateway under test offers, found with the read-only probes of gateway-versions.md 14.

No simulator knowledge here: everything is asked of the gateway over HTTP, so the same probes
describe a real `agentfm -mode api` of any release and `agentfm-sim -sim-gateway-version ...`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["CONVENTION_AGENTS", "LiveGateway", "discover", "from_environment"]

# The workers the suite needs (README, "Live suite").
CONVENTION_AGENTS = ("live-echo", "live-filer")
CONVENTION_ENGINE = "live-model"
PROBE_TIMEOUT_SECONDS = 10.0


class DiscoveryError(Exception):
    """The gateway cannot be tested: unreachable, not a gateway, or missing the workers."""


@dataclass(frozen=True)
class LiveGateway:
    url: str
    api_key: str | None
    artifacts_dir: str | None
    # `1.1.0`, `1.2.0`, `1.3.0`, or `current` for a 1.3.0-numbered HEAD build (section 14).
    generation: str
    version: str  # what the gateway says (`/v1/about`), else inferred from the probes
    keyed: bool  # protected routes answer 401 without a key
    boss_peer_id: str | None
    echo_peer_id: str
    filer_peer_id: str
    webhook_private_allowed: bool

    @property
    def rank(self) -> int:
        return ("1.1.0", "1.2.0", "1.3.0", "current").index(self.generation)

    @property
    def has_health(self) -> bool:
        return self.rank >= 1

    @property
    def has_openai(self) -> bool:
        return self.rank >= 1

    @property
    def has_auth(self) -> bool:
        return self.rank >= 1

    @property
    def has_about(self) -> bool:
        return self.rank >= 2

    @property
    def on_this_host(self) -> bool:
        host = urlsplit(self.url).hostname or ""
        return host in ("127.0.0.1", "localhost", "::1")

    def lacks(self, what: str, since: str) -> str:
        """The reason printed for a capability skip."""
        return f"gateway {self.generation} lacks {what} (from {since})"


def _agents(body: object) -> list[dict[str, object]]:
    if not isinstance(body, dict) or not isinstance(body.get("agents"), list):
        raise DiscoveryError("GET /api/workers did not answer an AgentFM worker list")
    return [agent for agent in body["agents"] if isinstance(agent, dict)]


def discover(
    url: str,
    api_key: str | None = None,
    artifacts_dir: str | None = None,
    *,
    webhook_private_allowed: bool = False,
) -> LiveGateway:
    """Probe the gateway at `url` (raises DiscoveryError when it cannot be tested)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    with httpx.Client(base_url=url, headers=headers, timeout=PROBE_TIMEOUT_SECONDS) as http:
        try:
            workers = http.get("/api/workers")
            health = http.get("/health")
            about = http.get("/v1/about")
            bare = httpx.get(f"{url}/api/workers", timeout=PROBE_TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            raise DiscoveryError(f"cannot reach the gateway at {url}: {exc}") from None
        if workers.status_code == 401:
            raise DiscoveryError("the gateway wants an API key: set AGENTFM_API_KEY")
        if workers.status_code != 200:
            raise DiscoveryError(f"GET /api/workers answered {workers.status_code}")
        agents = _agents(workers.json())
        boss_peer_id: str | None = None
        if about.status_code == 200:
            about_body = about.json()
            version = str(about_body.get("version", "1.3.0"))
            boss_peer_id = str(about_body.get("boss_peer_id") or "") or None
            # 1.3.0 and HEAD both say 1.3.0; HEAD refuses an empty execute body with a 400.
            empty = http.post("/api/execute", json={})
            generation = "current" if empty.status_code == 400 else "1.3.0"
        elif health.status_code == 200:
            version = generation = "1.2.0"
        else:
            version = generation = "1.1.0"
    peers: dict[str, str] = {}
    for agent in agents:
        name, peer_id = agent.get("name"), agent.get("peer_id")
        if name in CONVENTION_AGENTS and isinstance(peer_id, str):
            peers.setdefault(str(name), peer_id)
    missing = [name for name in CONVENTION_AGENTS if name not in peers]
    if missing:
        raise DiscoveryError(
            f"the gateway has no {' or '.join(missing)} worker online; the live suite needs the "
            "convention workers described in the README"
        )
    return LiveGateway(
        url=url,
        api_key=api_key,
        artifacts_dir=artifacts_dir,
        generation=generation,
        version=version,
        keyed=bare.status_code == 401,
        boss_peer_id=boss_peer_id,
        echo_peer_id=peers["live-echo"],
        filer_peer_id=peers["live-filer"],
        # 1.1.0 posts anywhere; later releases only with AGENTFM_WEBHOOK_ALLOW_PRIVATE=1, which
        # is invisible from outside, so the caller says so (section 10.1).
        webhook_private_allowed=generation == "1.1.0" or webhook_private_allowed,
    )


def from_environment(environ: Mapping[str, str] = os.environ) -> LiveGateway:
    """`discover` with GATEWAY_URL, AGENTFM_API_KEY, ARTIFACTS_DIR and
    AGENTFM_WEBHOOK_ALLOW_PRIVATE (set to 1 when the gateway runs with it)."""
    url = environ.get("GATEWAY_URL", "").rstrip("/")
    if not url:
        raise DiscoveryError("GATEWAY_URL is not set")
    return discover(
        url,
        environ.get("AGENTFM_API_KEY") or None,
        environ.get("ARTIFACTS_DIR") or None,
        webhook_private_allowed=environ.get("AGENTFM_WEBHOOK_ALLOW_PRIVATE") == "1",
    )


def banner(gateway: LiveGateway) -> str:
    """The first line of every run."""
    return f"live: gateway version {gateway.version} at {gateway.url}"
