"""The transports under every SDK request: bounds, retries, and delegation to a caller's client.

Retrying here, below httpx's client, covers every request the SDK sends — facade calls, streams
and raw `client.gateway` calls alike — with the one policy of `agentfm._retry`. The sync and async
transports differ only in how they wait and send.

`BoundedTransport` is the one place where an answer's cost is bounded (see `agentfm._bounds` for
the limits and why): the call's deadline clamps every phase timeout and every socket read, so a
gateway dripping one byte at a time cannot outlive it; the body is decoded here (never by httpx)
in pieces of at most 64 KiB, so a compressed bomb never expands in one step; and the decoded size
is capped per kind of answer.

A caller's injected `httpx.Client` is used as the wire: requests go through its `send`, so its
transport, proxies, TLS settings, auth and event hooks all apply, and it is never modified.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from agentfm._bounds import (
    MAX_ERROR_BODY_BYTES,
    AnswerDecoder,
    CallBounds,
    active_deadline,
    call_bounds,
    deadline_error,
    deadline_in_effect,
    scrub_secret,
)
from agentfm._retry import RetryPolicy

__all__ = [
    "AsyncBoundedTransport",
    "AsyncClientTransport",
    "AsyncRetryingTransport",
    "BoundedTransport",
    "ClientTransport",
    "RetryingTransport",
    "bounded_wire",
    "bounded_wire_async",
    "hide_secret_from_http_logs",
]

logger = logging.getLogger("agentfm.http")


# The loggers of the HTTP library. A filter on a logger sees only the records logged to that very
# logger (not its children's), so each is named; httpcore's DEBUG records show response headers,
# which is where a gateway or proxy that reflects `Authorization` puts the api key.
_HTTP_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_REDACTED = "[redacted]"


class _SecretScrubbingFilter(logging.Filter):
    """Replaces the api keys of this process's clients in every record it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: logging reports it
            return True
        if any(secret in message for secret in secrets):
            for secret in sorted(secrets, key=len, reverse=True):
                message = message.replace(secret, _REDACTED)
            record.msg, record.args = message, None
        return True


_SECRET_FILTER = _SecretScrubbingFilter()


def hide_secret_from_http_logs(secret: str | None) -> None:
    """Keep `secret` out of the HTTP library's log records (installed once per process)."""
    if not secret or secret in _SECRET_FILTER.secrets:
        return
    # Replaced, not mutated: a record filtered concurrently sees one consistent set.
    _SECRET_FILTER.secrets = _SECRET_FILTER.secrets | {secret}
    for name in _HTTP_LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if _SECRET_FILTER not in library_logger.filters:
            library_logger.addFilter(_SECRET_FILTER)


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


# The request extension through which `BoundedTransport` tells the retrying one its call's deadline.
_DEADLINE_EXTENSION = "agentfm.deadline"


def _fits_deadline(request: httpx.Request, delay: float) -> bool:
    """Whether waiting `delay` seconds and trying again still leaves time before the deadline."""
    deadline = request.extensions.get(_DEADLINE_EXTENSION)
    return deadline is None or time.monotonic() + delay < deadline


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
                if delay is None or not _fits_deadline(request, delay):
                    raise
                _log_retry(request, type(error).__name__, delay, retry_number)
            else:
                delay = self._policy.after_response(
                    request.method, response.status_code, response.headers, retry_number
                )
                if delay is None or not _fits_deadline(request, delay):
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
                if delay is None or not _fits_deadline(request, delay):
                    raise
                _log_retry(request, type(error).__name__, delay, retry_number)
            else:
                delay = self._policy.after_response(
                    request.method, response.status_code, response.headers, retry_number
                )
                if delay is None or not _fits_deadline(request, delay):
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


# --- Bounds: the deadline, at every socket operation, and the answer's decoded size ---


def _remaining_or_timeout(
    timeout: float | None, expired: type[httpcore.TimeoutException]
) -> float | None:
    """`timeout` shortened to the active deadline; `expired` is raised once it has passed."""
    deadline = active_deadline()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the call's deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline of the call using it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining_or_timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining_or_timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _remaining_or_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _remaining_or_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout = _remaining_or_timeout(timeout, httpcore.ReadTimeout)
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _remaining_or_timeout(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return _AsyncDeadlineStream(await self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _remaining_or_timeout(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(
            await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        timeout = _remaining_or_timeout(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _wrap_network_backend(transport: object, wrapper: Callable[[Any], Any]) -> None:
    # httpx builds its connection pool without a way to pass a network backend, so the pool's
    # backend is wrapped in place. Should a later httpx lay this out differently, the deadline is
    # still checked between received chunks (as for an injected http_client); it is only no
    # longer enforced inside a single silent read.
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = wrapper(backend)  # type: ignore[union-attr]


def bounded_wire(**options: Any) -> httpx.HTTPTransport:
    """The SDK's own connection pool, its sockets bounded by each call's deadline (`options`:
    `httpx.HTTPTransport`'s, e.g. scatter's one-connection lanes)."""
    transport = httpx.HTTPTransport(**options)
    _wrap_network_backend(transport, _DeadlineBackend)
    return transport


def bounded_wire_async(**options: Any) -> httpx.AsyncHTTPTransport:
    """The async twin of `bounded_wire`."""
    transport = httpx.AsyncHTTPTransport(**options)
    _wrap_network_backend(transport, _AsyncDeadlineBackend)
    return transport


def _clamped_timeouts(request: httpx.Request, remaining: float) -> None:
    """Shorten every phase timeout of `request` to the time its call has left."""
    timeouts = dict(request.extensions.get("timeout") or {})
    for phase in ("connect", "read", "write", "pool"):
        current = timeouts.get(phase)
        timeouts[phase] = remaining if current is None else min(current, remaining)
    request.extensions["timeout"] = timeouts


def _sent_secret(request: httpx.Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class _AnswerReading:
    """What the bounded sync and async body streams share: decoding, caps, scrubbing, deadline."""

    def __init__(
        self, request: httpx.Request, response: httpx.Response, bounds: CallBounds
    ) -> None:
        self.bounds = bounds
        self.where = _where(request)
        self.refusal = not 200 <= response.status_code < 300
        self.secret = _sent_secret(request)
        self.decoder = AnswerDecoder(
            response.headers.get("content-encoding", ""),
            max_bytes=MAX_ERROR_BODY_BYTES if self.refusal else bounds.max_answer_bytes,
            truncate=self.refusal,
        )
        self.decoder.announce(response.headers.get("content-length"))
        # The body is decoded here, so httpx must not decode it again.
        response.headers.pop("content-encoding", None)
        self._held: list[bytes] = []

    def take(self, raw: bytes) -> Iterator[bytes]:
        if self.bounds.expired():
            raise deadline_error(self.bounds, self.where)
        if self.refusal:
            # A refusal is held whole (at most 64 KiB) so a reflected key can be scrubbed from it.
            self._held.extend(self.decoder.feed(raw))
            return
        yield from self.decoder.feed(raw)

    def end(self) -> Iterator[bytes]:
        if not self.refusal:
            yield from self.decoder.finish()
            return
        body = scrub_secret(b"".join([*self._held, *self.decoder.finish()]), self.secret)
        if body:
            yield body

    def timed_out(self, error: httpx.TimeoutException) -> Exception:
        return deadline_error(self.bounds, self.where) if self.bounds.expired() else error


def _where(request: httpx.Request) -> str:
    from agentfm._errors import redact_url

    return redact_url(request.url.copy_with(path="/")).rstrip("/")


class _BoundedBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, reading: _AnswerReading) -> None:
        self._inner = inner
        self._reading = reading

    def __iter__(self) -> Iterator[bytes]:
        raw_chunks = iter(self._inner)
        while not self._reading.decoder.done:
            with deadline_in_effect(self._reading.bounds.deadline):
                try:
                    raw = next(raw_chunks, None)
                except httpx.TimeoutException as error:
                    raise self._reading.timed_out(error) from None
            if raw is None:
                break
            yield from self._reading.take(raw)
        yield from self._reading.end()

    def close(self) -> None:
        self._inner.close()


class _AsyncBoundedBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, reading: _AnswerReading) -> None:
        self._inner = inner
        self._reading = reading

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raw_chunks = aiter(self._inner)
        while not self._reading.decoder.done:
            with deadline_in_effect(self._reading.bounds.deadline):
                try:
                    raw = await anext(raw_chunks, None)
                except httpx.TimeoutException as error:
                    raise self._reading.timed_out(error) from None
            if raw is None:
                break
            for piece in self._reading.take(raw):
                yield piece
        for piece in self._reading.end():
            yield piece

    async def aclose(self) -> None:
        await self._inner.aclose()


def _before_sending(request: httpx.Request, bounds: CallBounds) -> None:
    remaining = bounds.remaining()
    if remaining is None:
        return
    if remaining <= 0:
        raise deadline_error(bounds, _where(request))
    request.extensions[_DEADLINE_EXTENSION] = bounds.deadline
    _clamped_timeouts(request, remaining)


class BoundedTransport(httpx.BaseTransport):
    """Applies the bounds of the call being sent (`agentfm._bounds`) to its request and answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        bounds = call_bounds()
        _before_sending(request, bounds)
        with deadline_in_effect(bounds.deadline):
            try:
                response = self._inner.handle_request(request)
            except httpx.TimeoutException as error:
                if bounds.expired():
                    raise deadline_error(bounds, _where(request)) from None
                raise error
        try:
            reading = _AnswerReading(request, response, bounds)
        except BaseException:
            response.close()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _BoundedBody(response.stream, reading)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncBoundedTransport(httpx.AsyncBaseTransport):
    """The async twin of `BoundedTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        bounds = call_bounds()
        _before_sending(request, bounds)
        with deadline_in_effect(bounds.deadline):
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TimeoutException as error:
                if bounds.expired():
                    raise deadline_error(bounds, _where(request)) from None
                raise error
        try:
            reading = _AnswerReading(request, response, bounds)
        except BaseException:
            await response.aclose()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _AsyncBoundedBody(response.stream, reading)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
