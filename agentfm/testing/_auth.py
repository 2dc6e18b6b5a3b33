"""The gateway's request gates: the Origin check, bearer-token parsing and the failure limiter.

docs/reference/gateway-protocol.md §4. Pure logic plus one small thread-safe limiter; the app wires
them in the order of 4.2 (CORS headers, OPTIONS, Origin, auth, the handler's method check).
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MIN_API_KEY_BYTES",
    "AuthOutcome",
    "AuthVerdict",
    "FailureLimiter",
    "check_bearer",
    "origin_allowed",
    "parse_api_keys",
]

MIN_API_KEY_BYTES = 16

# The metric labels of agentfm_auth_attempts_total (docs/reference/gateway-protocol.md §4.4).
AuthOutcome = Literal["ok", "missing", "malformed", "invalid", "rate_limited"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")
_LOOPBACK_ORIGIN_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def parse_api_keys(raw: str | None) -> list[str]:
    """`AGENTFM_API_KEYS` as the gateway reads it (docs/reference/gateway-protocol.md §1.2): split
    on commas, trimmed, empties skipped, duplicates collapsed (first occurrence kept).

    Raises ValueError, mentioning `shorter than 16 chars`, for a token under 16 bytes.
    """
    keys: list[str] = []
    for entry in (raw or "").split(","):
        token = entry.strip()
        if not token or token in keys:
            continue
        if len(token.encode("utf-8")) < MIN_API_KEY_BYTES:
            raise ValueError(
                f"AGENTFM_API_KEYS: token #{len(keys) + 1} is shorter than "
                f"{MIN_API_KEY_BYTES} chars; refusing to start"
            )
        keys.append(token)
    return keys


def _origin_host(origin: str) -> tuple[str, str] | None:
    """(scheme, host) of an Origin value as Go's url.Parse + Hostname() see it; None if invalid."""
    scheme, separator, rest = origin.partition(":")
    if not separator or not _SCHEME.match(scheme):
        return None
    if any(ord(character) < 0x21 or ord(character) == 0x7F for character in origin):
        return None
    if not rest.startswith("//"):
        return scheme.lower(), ""
    authority = rest[2:]
    for stop in "/?#":
        authority = authority.split(stop, 1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        closing = host_port.find("]")
        if closing < 0:
            return None
        host, port_part = host_port[1:closing], host_port[closing + 1 :]
        if port_part and not port_part.startswith(":"):
            return None
        port = port_part[1:]
    else:
        host, _, port = host_port.partition(":") if host_port.count(":") <= 1 else ("", "", "x")
    if port and not port.isdigit():
        return None
    return scheme.lower(), host


def origin_allowed(origin: str | None, *, allow_file_origin: bool) -> bool:
    """The Origin rule for state-changing requests (docs/reference/gateway-protocol.md §4.2 step
    3)."""
    if origin is None or origin == "":
        return True
    if origin == "null":
        return allow_file_origin
    parsed = _origin_host(origin)
    if parsed is None:
        return False
    scheme, host = parsed
    if scheme == "file":
        return allow_file_origin
    return host in _LOOPBACK_ORIGIN_HOSTS


@dataclass(frozen=True)
class AuthVerdict:
    """The result of bearer parsing: `ok`, or the outcome label, envelope code and message."""

    outcome: AuthOutcome
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


_MALFORMED = "missing or malformed Bearer token"


def check_bearer(authorization_values: Sequence[str], keys: Iterable[bytes]) -> AuthVerdict:
    """Parse the Authorization header(s) exactly as docs/reference/gateway-protocol.md §4.3 and
    compare in constant time."""
    if len(authorization_values) > 1:
        return AuthVerdict("malformed", "unauthorized", "multiple Authorization headers")
    value = authorization_values[0].strip() if authorization_values else ""
    if not value:
        return AuthVerdict("missing", "unauthorized", _MALFORMED)
    if len(value) < 7 or value[:7].lower() != "bearer ":
        return AuthVerdict("malformed", "unauthorized", _MALFORMED)
    token = value[7:]  # verbatim: a second space becomes part of the token
    if not token.strip():
        return AuthVerdict("malformed", "unauthorized", _MALFORMED)
    presented = token.encode("utf-8", "surrogateescape")
    matched = False
    for key in keys:
        # No early exit: every key is compared, each in constant time.
        matched |= hmac.compare_digest(presented, key)
    if not matched:
        return AuthVerdict("invalid", "invalid_api_key", "invalid API key")
    return AuthVerdict("ok")


class FailureLimiter:
    """Per-IP token buckets for failed auth attempts (docs/reference/gateway-protocol.md §4.4).

    30 tokens, refilled at 0.5 per second; each failure takes one; a failure finding less than
    one token is rate limited and takes nothing. At most 4096 IPs (least recently seen evicted);
    buckets idle for more than 10 minutes are forgotten (lazily, which is what the real
    janitor's effect is).
    """

    CAPACITY = 30.0
    REFILL_PER_SECOND = 0.5
    MAX_TRACKED_IPS = 4096
    IDLE_SECONDS = 600.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def register_failure(self, ip: str) -> bool:
        """Record one failure from `ip`; False when the IP is over budget (answer 429)."""
        now = self._clock()
        with self._lock:
            self._forget_idle(now)
            tokens, updated = self._buckets.pop(ip, (self.CAPACITY, now))
            tokens = min(self.CAPACITY, tokens + (now - updated) * self.REFILL_PER_SECOND)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[ip] = (tokens, now)
            while len(self._buckets) > self.MAX_TRACKED_IPS:
                self._buckets.popitem(last=False)
            return allowed

    def _forget_idle(self, now: float) -> None:
        while self._buckets:
            ip, (_, updated) = next(iter(self._buckets.items()))
            if now - updated <= self.IDLE_SECONDS:
                break
            del self._buckets[ip]
