"""Go `http.ServeMux` routing as the gateway registers it (docs/reference/gateway-protocol.md §2).

Exact-match routes, the two prefix subtrees, a 301 from `/v1/peers` and `/ui/peer` to the slash
form, a 301 for any non-canonical path (`//`, `/./`, `..`) to the cleaned one (query kept), and
`404 page not found` for everything else. Pure functions; the app turns decisions into replies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

__all__ = [
    "EXACT_ROUTES",
    "PREFIX_ROUTES",
    "MuxDecision",
    "go_clean_path",
    "redirect_body",
    "resolve",
]

EXACT_ROUTES = frozenset(
    {
        "/v1/about",
        "/v1/events",
        "/api/workers",
        "/api/execute",
        "/api/execute/async",
        "/api/relay/test",
        "/v1/models",
        "/v1/chat/completions",
        "/v1/completions",
        "/metrics",
        "/health",
    }
)
PREFIX_ROUTES = ("/v1/peers/", "/ui/peer/")


@dataclass(frozen=True)
class MuxDecision:
    """`route` (with the registered `pattern`), `redirect` (to `location`) or `not_found`."""

    kind: Literal["route", "redirect", "not_found"]
    pattern: str = ""
    location: str = ""


def go_clean_path(path: str) -> str:
    """Go's path.Clean: the shortest equivalent rooted path (`/` for an empty result)."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(segment)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def _mux_clean_path(path: str) -> str:
    # net/http's cleanPath: rooted path.Clean that keeps a trailing slash.
    if not path:
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    cleaned = go_clean_path(path)
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def _escaped_location(path: str, raw_query: str) -> str:
    # url.URL{Path: p, RawQuery: q}.String(): path escaping keeps $&+,/:;=@ and unreserved.
    location = quote(path, safe="$&+,/:;=@")
    return f"{location}?{raw_query}" if raw_query else location


def _match(path: str, exact: frozenset[str], prefixes: tuple[str, ...]) -> str | None:
    if path in exact:
        return path
    for prefix in prefixes:
        if path.startswith(prefix):
            return prefix
    return None


def resolve(
    path: str,
    raw_query: str = "",
    *,
    exact: frozenset[str] = EXACT_ROUTES,
    prefixes: tuple[str, ...] = PREFIX_ROUTES,
) -> MuxDecision:
    """Route a decoded request path the way the gateway's ServeMux does.

    `exact` and `prefixes` are the registered patterns (an older release registers fewer,
    docs/reference/gateway-versions.md §2).
    """
    cleaned = _mux_clean_path(path)
    pattern = _match(cleaned, exact, prefixes)
    if pattern is None and cleaned + "/" in prefixes:
        return MuxDecision("redirect", location=_escaped_location(cleaned + "/", raw_query))
    if cleaned != path:
        return MuxDecision("redirect", location=_escaped_location(cleaned, raw_query))
    if pattern is None:
        return MuxDecision("not_found")
    return MuxDecision("route", pattern=pattern)


def redirect_body(location: str, method: str) -> tuple[str | None, bytes]:
    """(Content-Type, body) of Go's http.Redirect for `method`: a short HTML link on GET."""
    if method not in ("GET", "HEAD"):
        return None, b""
    if method == "HEAD":
        return "text/html; charset=utf-8", b""
    link = html.escape(location, quote=True).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    return "text/html; charset=utf-8", f'<a href="{link}">Moved Permanently</a>.\n\n'.encode()
