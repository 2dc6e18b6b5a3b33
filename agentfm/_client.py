"""`AgentFMClient` and `AsyncAgentFMClient`: the two clients users construct.

Both are thin shells over `ClientBase` (settings, response checking) and the namespaces; they only
differ in how they send and wait. Every request goes through the generated `agentfm_gateway`
functions on one httpx client whose transport retries (agentfm/_transport.py).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from agentfm_gateway import Client as GatewayClient
from agentfm_gateway.api.health import get_health
from agentfm_gateway.records import Health
from agentfm_gateway.types import Response

from agentfm._base import (
    PARSE_ERRORS,
    ClientBase,
    expect_parsed,
    forget_answer,
    remember_answer,
    remember_answer_async,
    stream_failure,
    unparsable_answer,
)
from agentfm._bounds import CallBounds, bounded_call
from agentfm._errors import error_from_transport
from agentfm._options import DEFAULT_GATEWAY_URL, NOT_GIVEN, ClientOptions, NotGiven, TimeoutSetting
from agentfm._retry import RetryPolicy
from agentfm._transport import (
    AsyncBoundedTransport,
    AsyncClientTransport,
    AsyncRetryingTransport,
    BoundedTransport,
    ClientTransport,
    RetryingTransport,
    _asyncio_sleep,
    bounded_wire,
    bounded_wire_async,
)
from agentfm.exceptions import AgentFMError, GatewayProtocolError

if TYPE_CHECKING:
    from agentfm._events import AsyncEvents, Events
    from agentfm._peers import AsyncPeers, Peers
    from agentfm._tasks import AsyncTasks, Tasks
    from agentfm._workers import AsyncWorkers, Workers
    from agentfm.artifacts import ArtifactManager
    from agentfm.openai import AsyncOpenAI, OpenAI

__all__ = ["AgentFMClient", "AsyncAgentFMClient"]


def _artifact_manager(options: ClientOptions) -> ArtifactManager | None:
    """`client.artifacts`: the harvester of the gateway's artifact folder, or None (no harvest)
    when `artifacts_dir` is not set, because the folder is then unknown (as in 0.3.0)."""
    if options.artifacts_dir is None:
        return None
    from agentfm.artifacts import ArtifactManager

    return ArtifactManager(options.artifacts_dir)


ParsedT = TypeVar("ParsedT")
# A 1.1.0 gateway has no /health; its cheapest read is the worker list
# (docs/reference/gateway-versions.md §14).
WORKERS_PATH = "/api/workers"
PathSetting = str | os.PathLike[str] | None


class AgentFMClient(ClientBase):
    """The synchronous client of an AgentFM gateway.

    ``api_key``: omitted reads ``AGENTFM_API_KEY``; ``None`` sends no token (and ignores the
    environment); a string is sent as ``Authorization: Bearer <key>``. ``timeout``: ``None`` is
    30 s per phase, or seconds, or an ``httpx.Timeout``; a non-streamed call also ends within 4x
    the largest phase (120 s by default, retries included), and its answer may decode to at most
    32 MiB (agentfm/_bounds.py). ``retries``: extra attempts, only where resending cannot
    dispatch a task twice. ``http_client``: your own ``httpx.Client`` (proxies,
    TLS, hooks) to send through; it is used, never modified, and not closed by this client.
    """

    def __init__(
        self,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        *,
        timeout: TimeoutSetting = None,
        retries: int = 2,
        artifacts_dir: PathSetting = None,
        api_key: str | NotGiven | None = NOT_GIVEN,
        http_client: httpx.Client | None = None,
    ) -> None:
        options = ClientOptions.create(
            gateway_url=gateway_url,
            timeout=timeout,
            retries=retries,
            artifacts_dir=artifacts_dir,
            api_key=api_key,
        )
        self._setup(options, http_client)

    def _setup(self, options: ClientOptions, http_client: httpx.Client | None) -> None:
        super().__init__(options)
        self._injected_client = http_client
        wire: httpx.BaseTransport = (
            ClientTransport(http_client) if http_client is not None else bounded_wire()
        )
        retrying = RetryingTransport(wire, RetryPolicy(max_retries=options.retries))
        self._retrying = retrying
        self.artifacts: ArtifactManager | None = _artifact_manager(options)
        transport = BoundedTransport(retrying)
        self._http = httpx.Client(
            transport=transport,
            event_hooks={"response": [remember_answer]},
            **self._http_settings(),
        )
        self._gateway = GatewayClient(base_url=options.gateway_url).set_httpx_client(self._http)

    def _reconfigure(self, options: ClientOptions) -> None:
        self._options = options
        self._retrying._policy = RetryPolicy(max_retries=options.retries)
        self._http.base_url = httpx.URL(options.gateway_url)
        self._gateway = GatewayClient(base_url=options.gateway_url).set_httpx_client(self._http)

    @property
    def gateway(self) -> GatewayClient:
        """The generated low-level client, on this client's connection pool, URL and key."""
        return self._gateway

    @cached_property
    def workers(self) -> Workers:
        """Discover workers: `list(...)`, `get(peer_id)`."""
        from agentfm._workers import Workers

        return Workers(self)

    @cached_property
    def peers(self) -> Peers:
        """The trust layer: `get`, `reputation`, `log`, `proof`, `verify`, `comment`, ..."""
        from agentfm._peers import Peers

        return Peers(self)

    @cached_property
    def events(self) -> Events:
        """Live mesh events: `stream()` yields workers coming online and going offline."""
        from agentfm._events import Events

        return Events(self)

    @cached_property
    def tasks(self) -> Tasks:
        """Dispatch to a worker: `run`, `stream`, `submit_async`, `scatter`, `scatter_by_model`."""
        from agentfm._tasks import Tasks

        return Tasks(self)

    @cached_property
    def openai(self) -> OpenAI:
        """The OpenAI-compatible routes: `models`, `chat.completions`, `completions`."""
        from agentfm.openai import OpenAI

        return OpenAI(self)

    def with_options(
        self,
        *,
        gateway_url: str | NotGiven = NOT_GIVEN,
        timeout: TimeoutSetting | NotGiven = NOT_GIVEN,
        retries: int | NotGiven = NOT_GIVEN,
        artifacts_dir: PathSetting | NotGiven = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
    ) -> AgentFMClient:
        """A new client with some settings replaced; the others are inherited.

        ``api_key=None`` clears auth on the new client; ``artifacts_dir=None`` switches artifact
        harvesting off. An injected ``http_client`` is shared.
        """
        options = self._options.derive(
            gateway_url=gateway_url,
            timeout=timeout,
            retries=retries,
            artifacts_dir=artifacts_dir,
            api_key=api_key,
        )
        derived = AgentFMClient.__new__(AgentFMClient)
        derived._setup(options, self._injected_client)
        return derived

    def ping(self) -> bool:
        """True when the gateway answers its health check (`/health`; on a 1.1.0 gateway, which
        has none, `/api/workers`: docs/reference/gateway-versions.md §15). Never raises; each
        request is bounded by the client's timeout."""
        try:
            health = self._call(get_health.sync_detailed, Health)
        except GatewayProtocolError as error:
            if error.code != "route_not_found":
                return False
            try:
                return self._http.get(WORKERS_PATH).status_code == 200  # any 200 (section 15)
            except httpx.HTTPError:
                return False
        except AgentFMError:
            return False
        return health.status == "ok"

    def close(self) -> None:
        """Release the connection pool (an injected http_client stays open: it is yours)."""
        self._http.close()

    def __enter__(self) -> AgentFMClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # The three ways namespaces touch the wire.

    def _call(
        self, send: Callable[..., Response[Any]], expected: type[ParsedT], **arguments: Any
    ) -> ParsedT:
        forget_answer()
        try:
            with bounded_call(self._call_bounds()):
                response = send(client=self._gateway, **arguments)
        except httpx.HTTPError as error:
            raise error_from_transport(error, self.gateway_url) from None
        except PARSE_ERRORS as error:
            raise unparsable_answer(error) from None
        return expect_parsed(response, expected)

    @contextlib.contextmanager
    def _stream(
        self,
        open_stream: Callable[..., contextlib.AbstractContextManager[httpx.Response]],
        read_timeout: float,
        *,
        bounds: CallBounds | None = None,
        **arguments: Any,
    ) -> Iterator[httpx.Response]:
        """Send a streamed request; `bounds` (default: none) limit its deadline and size."""
        timeout = self._options.stream_timeout(read_timeout)
        try:
            with contextlib.ExitStack() as opened:
                # Only the sending sees the bounds: the caller's code inside the block must not.
                with bounded_call(bounds or CallBounds()):
                    response = opened.enter_context(
                        open_stream(client=self._gateway, timeout=timeout, **arguments)
                    )
                if response.status_code != 200:
                    response.read()
                    raise stream_failure(response)
                yield response
        except httpx.HTTPError as error:
            raise error_from_transport(error, self.gateway_url) from None

    @staticmethod
    def _sleep(seconds: float) -> None:
        time.sleep(seconds)


class AsyncAgentFMClient(ClientBase):
    """The asynchronous client: the same surface as `AgentFMClient`, awaited."""

    def __init__(
        self,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        *,
        timeout: TimeoutSetting = None,
        retries: int = 2,
        artifacts_dir: PathSetting = None,
        api_key: str | NotGiven | None = NOT_GIVEN,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        options = ClientOptions.create(
            gateway_url=gateway_url,
            timeout=timeout,
            retries=retries,
            artifacts_dir=artifacts_dir,
            api_key=api_key,
        )
        self._setup(options, http_client)

    def _setup(self, options: ClientOptions, http_client: httpx.AsyncClient | None) -> None:
        super().__init__(options)
        self._injected_client = http_client
        wire: httpx.AsyncBaseTransport = (
            AsyncClientTransport(http_client) if http_client is not None else bounded_wire_async()
        )
        retrying = AsyncRetryingTransport(wire, RetryPolicy(max_retries=options.retries))
        self._retrying = retrying
        self.artifacts: ArtifactManager | None = _artifact_manager(options)
        transport = AsyncBoundedTransport(retrying)
        self._http = httpx.AsyncClient(
            transport=transport,
            event_hooks={"response": [remember_answer_async]},
            **self._http_settings(),
        )
        self._gateway = GatewayClient(base_url=options.gateway_url).set_async_httpx_client(
            self._http
        )

    def _reconfigure(self, options: ClientOptions) -> None:
        self._options = options
        self._retrying._policy = RetryPolicy(max_retries=options.retries)
        self._http.base_url = httpx.URL(options.gateway_url)
        self._gateway = GatewayClient(base_url=options.gateway_url).set_async_httpx_client(
            self._http
        )

    @property
    def gateway(self) -> GatewayClient:
        """The generated low-level client (use its `asyncio*` functions), on this client's pool."""
        return self._gateway

    @cached_property
    def workers(self) -> AsyncWorkers:
        """Discover workers: `await list(...)`, `await get(peer_id)`."""
        from agentfm._workers import AsyncWorkers

        return AsyncWorkers(self)

    @cached_property
    def peers(self) -> AsyncPeers:
        """The trust layer: `await get(...)`, `reputation`, `log`, `proof`, `verify`, ..."""
        from agentfm._peers import AsyncPeers

        return AsyncPeers(self)

    @cached_property
    def events(self) -> AsyncEvents:
        """Live mesh events: `async for event in client.events.stream()`."""
        from agentfm._events import AsyncEvents

        return AsyncEvents(self)

    @cached_property
    def tasks(self) -> AsyncTasks:
        """Dispatch to a worker: `run`, `stream`, `submit_async`, `scatter`, `scatter_by_model`."""
        from agentfm._tasks import AsyncTasks

        return AsyncTasks(self)

    @cached_property
    def openai(self) -> AsyncOpenAI:
        """The OpenAI-compatible routes: `models`, `chat.completions`, `completions`."""
        from agentfm.openai import AsyncOpenAI

        return AsyncOpenAI(self)

    def with_options(
        self,
        *,
        gateway_url: str | NotGiven = NOT_GIVEN,
        timeout: TimeoutSetting | NotGiven = NOT_GIVEN,
        retries: int | NotGiven = NOT_GIVEN,
        artifacts_dir: PathSetting | NotGiven = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
    ) -> AsyncAgentFMClient:
        """A new client with some settings replaced; the others are inherited."""
        options = self._options.derive(
            gateway_url=gateway_url,
            timeout=timeout,
            retries=retries,
            artifacts_dir=artifacts_dir,
            api_key=api_key,
        )
        derived = AsyncAgentFMClient.__new__(AsyncAgentFMClient)
        derived._setup(options, self._injected_client)
        return derived

    async def ping(self) -> bool:
        """True when the gateway answers its health check (see `AgentFMClient.ping`)."""
        try:
            health = await self._call(get_health.asyncio_detailed, Health)
        except GatewayProtocolError as error:
            if error.code != "route_not_found":
                return False
            try:
                return (await self._http.get(WORKERS_PATH)).status_code == 200
            except httpx.HTTPError:
                return False
        except AgentFMError:
            return False
        return health.status == "ok"

    async def aclose(self) -> None:
        """Release the connection pool (an injected http_client stays open: it is yours)."""
        await self._http.aclose()

    async def close(self) -> None:
        """The same as `aclose()`."""
        await self.aclose()

    async def __aenter__(self) -> AsyncAgentFMClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _call(
        self,
        send: Callable[..., Awaitable[Response[Any]]],
        expected: type[ParsedT],
        **arguments: Any,
    ) -> ParsedT:
        forget_answer()
        try:
            with bounded_call(self._call_bounds()):
                response = await send(client=self._gateway, **arguments)
        except httpx.HTTPError as error:
            raise error_from_transport(error, self.gateway_url) from None
        except PARSE_ERRORS as error:
            raise unparsable_answer(error) from None
        return expect_parsed(response, expected)

    @contextlib.asynccontextmanager
    async def _stream(
        self,
        open_stream: Callable[..., contextlib.AbstractAsyncContextManager[httpx.Response]],
        read_timeout: float,
        *,
        bounds: CallBounds | None = None,
        **arguments: Any,
    ) -> AsyncIterator[httpx.Response]:
        """Send a streamed request; `bounds` (default: none) limit its deadline and size."""
        timeout = self._options.stream_timeout(read_timeout)
        try:
            async with contextlib.AsyncExitStack() as opened:
                with bounded_call(bounds or CallBounds()):
                    response = await opened.enter_async_context(
                        open_stream(client=self._gateway, timeout=timeout, **arguments)
                    )
                if response.status_code != 200:
                    await response.aread()
                    raise stream_failure(response)
                yield response
        except httpx.HTTPError as error:
            raise error_from_transport(error, self.gateway_url) from None

    @staticmethod
    async def _sleep(seconds: float) -> None:
        await _asyncio_sleep(seconds)
