"""The transports under every SDK request: retries, and delegation to a caller's own httpx client.

Retrying here, below httpx's client, covers every request the SDK sends — facade calls, streams
and raw `client.gateway` calls alike — with the one policy of `agentfm._retry`. The sync and async
transports differ only in how they wait and send.

A caller's injected `httpx.Client` is used as the wire: requests go through its `send`, so its
transport, proxies, TLS settings, auth and event hooks all apply, and it is never modified.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import httpx

from agentfm._retry import RetryPolicy

__all__ = [
    "AsyncClientTransport",
    "AsyncRetryingTransport",
    "ClientTransport",
    "RetryingTransport",
]

logger = logging.getLogger("agentfm.http")


async def _asyncio_sleep(seconds: float) -> None:
    # Imported when first needed: asyncio costs a sync-only user a third of `import agentfm`.
    import asyncio

    await asyncio.sleep(seconds)


def _log_retry(request: httpx.Request, reason: str, delay: float, retry_number: int) -> None:
    # Only method and path: the URL's query and the headers may carry what should not be logged.
    logger.info(
        "retrying %s %s after %s in %.2fs (retry %d)",
        request.method,
        request.url.path,
        reason,
        delay,
        retry_number + 1,
    )


class RetryingTransport(httpx.BaseTransport):
    """Sends through `inner`; resends what `policy` allows after failures and retryable answers."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retry_number = 0
        while True:
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError as error:
                delay = self._policy.after_exception(request.method, error, retry_number)
                if delay is None:
                    raise
                _log_retry(request, type(error).__name__, delay, retry_number)
            else:
                delay = self._policy.after_response(
                    request.method, response.status_code, response.headers, retry_number
                )
                if delay is None:
                    return response
                response.close()
                _log_retry(request, f"HTTP {response.status_code}", delay, retry_number)
            self._sleep(delay)
            retry_number += 1

    def close(self) -> None:
        self._inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The async twin of `RetryingTransport`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], Awaitable[None]] = _asyncio_sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        retry_number = 0
        while True:
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as error:
                delay = self._policy.after_exception(request.method, error, retry_number)
                if delay is None:
                    raise
                _log_retry(request, type(error).__name__, delay, retry_number)
            else:
                delay = self._policy.after_response(
                    request.method, response.status_code, response.headers, retry_number
                )
                if delay is None:
                    return response
                await response.aclose()
                _log_retry(request, f"HTTP {response.status_code}", delay, retry_number)
            await self._sleep(delay)
            retry_number += 1

    async def aclose(self) -> None:
        await self._inner.aclose()


class ClientTransport(httpx.BaseTransport):
    """Sends through a caller's `httpx.Client`, leaving the client itself untouched."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._client.send(request, stream=True)

    def close(self) -> None:
        # The caller owns the client and closes it.
        pass


class AsyncClientTransport(httpx.AsyncBaseTransport):
    """Sends through a caller's `httpx.AsyncClient`, leaving the client itself untouched."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._client.send(request, stream=True)

    async def aclose(self) -> None:
        pass
