"""The simulator's ASGI application: Go ServeMux routing plus the gateway's middleware.

Plain ASGI rather than a framework router, because the mux semantics
(docs/reference/gateway-protocol.md §2) and the gate order of wrapped routes
(docs/reference/gateway-protocol.md §4.2: CORS headers, OPTIONS, Origin, bearer auth, then the
handler's own method check) must be reproduced exactly. Which wrapper a route gets is table 4.1;
older releases register fewer routes and fewer gates (docs/reference/gateway-versions.md §2 and §4).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agentfm.testing._auth import check_bearer, origin_allowed
from agentfm.testing._boss import Boss
from agentfm.testing._http import (
    ABORT_EXTENSION,
    AbortConnection,
    Receive,
    Reply,
    Request,
    Scope,
    Send,
    StreamReply,
    envelope_reply,
    plain_reply,
    send_reply,
)
from agentfm.testing._mux import redirect_body, resolve
from agentfm.testing._openai_routes import (
    handle_chat_completions,
    handle_completions,
    handle_models,
)
from agentfm.testing._peer_routes import handle_peers
from agentfm.testing._routes import (
    handle_about,
    handle_events,
    handle_execute,
    handle_execute_async,
    handle_health,
    handle_metrics,
    handle_peer_page,
    handle_relay_test,
    handle_workers,
)
from agentfm.testing._versions import GatewayGeneration

__all__ = ["CORS_HEADERS", "GatewayApp"]

logger = logging.getLogger("agentfm.sim")

Handler = Callable[[Boss, Request], Awaitable[Reply | StreamReply | AbortConnection]]

CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    # Authorization is not listed upstream either (docs/reference/gateway-protocol.md §4.2).
    ("Access-Control-Allow-Headers", "Content-Type"),
]


@dataclass(frozen=True)
class Route:
    handler: Handler
    cors: bool
    auth: bool


# Table 4.1.
ROUTES: dict[str, Route] = {
    "/v1/about": Route(handle_about, cors=True, auth=True),
    "/v1/events": Route(handle_events, cors=True, auth=True),
    "/api/workers": Route(handle_workers, cors=True, auth=True),
    "/api/execute": Route(handle_execute, cors=True, auth=True),
    "/api/execute/async": Route(handle_execute_async, cors=True, auth=True),
    "/api/relay/test": Route(handle_relay_test, cors=True, auth=True),
    "/v1/models": Route(handle_models, cors=True, auth=True),
    "/v1/chat/completions": Route(handle_chat_completions, cors=True, auth=True),
    "/v1/completions": Route(handle_completions, cors=True, auth=True),
    "/v1/peers/": Route(handle_peers, cors=True, auth=True),
    "/metrics": Route(handle_metrics, cors=True, auth=False),
    "/health": Route(handle_health, cors=False, auth=False),
    "/ui/peer/": Route(handle_peer_page, cors=False, auth=False),
}


def routes_for(generation: GatewayGeneration) -> dict[str, Route]:
    """The route table of a release (docs/reference/gateway-versions.md §2 and §4).

    1.1.0 wraps its three routes in CORS and has no auth; 1.2.0 serves `/metrics` bare.
    """
    exact, prefixes = generation.listed_routes
    table = {
        pattern: route
        for pattern, route in ROUTES.items()
        if pattern in exact or pattern in prefixes
    }
    if not generation.metrics_behind_cors and "/metrics" in table:
        table["/metrics"] = Route(handle_metrics, cors=False, auth=False)
    if not generation.has_auth:
        table = {
            pattern: Route(route.handler, route.cors, False) for pattern, route in table.items()
        }
    return table


class GatewayApp:
    """ASGI app over a `Boss`; at shutdown async jobs get `async_drain_seconds` to finish."""

    def __init__(self, boss: Boss, *, async_drain_seconds: float = 0.0) -> None:
        self.boss = boss
        self.async_drain_seconds = async_drain_seconds
        generation = boss.config.generation
        self._routes = ROUTES if generation.is_current else routes_for(generation)
        self._exact, self._prefixes = generation.listed_routes
        self._checks_origin = generation.checks_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        reply = await self._route(request)
        if isinstance(reply, AbortConnection):
            abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
            if abort is None:
                raise RuntimeError("the handler panicked")  # the server answers 500 instead
            abort()
            await asyncio.sleep(0)  # let the server see the disconnect before it would answer
            return
        await send_reply(send, receive, reply)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.boss.events.bind_loop(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown(self.async_drain_seconds)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def shutdown(self, async_grace_seconds: float = 0.0) -> None:
        """End event streams; give async jobs (and their webhooks) a grace period, then cancel."""
        self.boss.events.close()
        jobs = list(self.boss.async_jobs)
        if jobs and async_grace_seconds > 0:
            await asyncio.wait(jobs, timeout=async_grace_seconds)
        for job in jobs:
            job.cancel()
        for job in jobs:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await job

    async def _route(self, request: Request) -> Reply | StreamReply | AbortConnection:
        if request.path == "*" and request.method == "OPTIONS":
            return Reply(200)  # Go's server answers `OPTIONS *` itself
        decision = resolve(
            request.path, request.query_string, exact=self._exact, prefixes=self._prefixes
        )
        if decision.kind == "redirect":
            content_type, body = redirect_body(decision.location, request.method)
            headers = [("Location", decision.location)]
            if content_type is not None:
                headers.append(("Content-Type", content_type))
            return Reply(301, headers, body)
        if decision.kind == "not_found":
            return plain_reply(404, "404 page not found")
        route = self._routes[decision.pattern]
        if not route.cors:
            return await route.handler(self.boss, request)
        reply = await self._gated(route, request)
        if not isinstance(reply, AbortConnection):
            reply.headers[:0] = CORS_HEADERS
        return reply

    async def _gated(self, route: Route, request: Request) -> Reply | StreamReply | AbortConnection:
        """Steps 2-5 of docs/reference/gateway-protocol.md §4.2 for a CORS-wrapped route."""
        boss = self.boss
        if request.method == "OPTIONS":
            return Reply(200)
        if (
            self._checks_origin
            and request.method not in ("GET", "HEAD")
            and not origin_allowed(
                request.header("Origin"), allow_file_origin=boss.config.allow_file_origin
            )
        ):
            return plain_reply(403, "cross-origin request refused")
        if route.auth and boss.config.api_keys:
            verdict = check_bearer(request.header_values("Authorization"), boss.api_keys)
            if not verdict.ok:
                if not boss.limiter.register_failure(request.client_ip):
                    boss.metrics.count_auth("rate_limited")
                    return envelope_reply(
                        429,
                        "rate_limited",
                        "too many failed auth attempts; slow down",
                        headers=[("Retry-After", "60")],
                    )
                boss.metrics.count_auth(verdict.outcome)
                return envelope_reply(401, verdict.code, verdict.message)
            boss.metrics.count_auth("ok")
        return await route.handler(boss, request)
