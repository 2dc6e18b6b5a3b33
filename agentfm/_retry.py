"""When to send a request again, and after how long. Decisions only: the transports sleep and send.

The rules (api-contract.md, "Clients"):

* An idempotent request (GET, HEAD, OPTIONS) is retried after a transport failure or a 408, 429,
  500, 502, 503 or 504 answer.
* Any other request (a POST dispatches a task) is re-sent only after a failure to *connect*: then
  the gateway provably never saw it. After a 5xx, a read error or a timeout it may have started the
  task, and sending it again could run it twice.
* Backoff is exponential with full jitter. A `Retry-After` the gateway sends is honoured when it
  is at most `max_retry_after` seconds; a longer one (the auth limiter asks for 60 s) is not waited
  out silently: the answer goes back to the caller, whose error carries `retry_after`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping

import attrs
import httpx

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), else None."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)


@attrs.frozen
class RetryPolicy:
    """How many extra attempts a request gets, and how long to wait before each."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 10.0
    # Jitter only spreads retries out; it needs no cryptographic randomness.
    jitter: Callable[[float], float] = attrs.field(
        default=lambda ceiling: random.uniform(0.0, ceiling)  # noqa: S311
    )

    def backoff(self, retry_number: int) -> float:
        """The wait before retry `retry_number` (0 for the first retry), with full jitter."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return self.jitter(ceiling)

    def after_exception(self, method: str, error: Exception, retry_number: int) -> float | None:
        """Seconds to wait before resending after a transport `error`, or None to give up."""
        if retry_number >= self.max_retries or not isinstance(error, httpx.TransportError):
            return None
        never_reached_gateway = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
        if never_reached_gateway or method.upper() in _IDEMPOTENT_METHODS:
            return self.backoff(retry_number)
        return None

    def after_response(
        self, method: str, status: int, headers: Mapping[str, str], retry_number: int
    ) -> float | None:
        """Seconds to wait before resending after an answer, or None to hand the answer back."""
        if retry_number >= self.max_retries or status not in RETRYABLE_STATUSES:
            return None
        if method.upper() not in _IDEMPOTENT_METHODS:
            return None
        retry_after = parse_retry_after(headers)
        if retry_after is None:
            return self.backoff(retry_number)
        if retry_after > self.max_retry_after:
            return None
        return retry_after
