"""Outbound async-task webhooks: the SSRF guard, the signature, and the single POST
(docs/reference/gateway-protocol.md §5.5).

One attempt, no redirects, response ignored (at most 64 KiB of it read), 30-s budget. Refusals
and failures are only logged: the gateway never tells anyone a webhook was not sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from agentfm.testing._gowire import go_json

__all__ = [
    "SIGNATURE_HEADER",
    "deliver_webhook",
    "disallowed_address",
    "ssrf_refusal",
    "webhook_body",
    "webhook_signature",
]

logger = logging.getLogger("agentfm.sim.webhook")

# Go canonicalises the header name on the wire (docs/reference/gateway-protocol.md §5.5); receivers
# match it case-insensitively.
SIGNATURE_HEADER = "X-Agentfm-Signature"
MAX_RESPONSE_READ = 64 * 1024

_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_LINK_LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("169.254.0.0/16", "fe80::/10", "224.0.0.0/24", "ff02::/16")
)


def webhook_body(task_id: str, worker_id: str) -> bytes:
    """Compact JSON, alphabetical keys, no trailing newline; `completed` is the only status."""
    return go_json(
        {"status": "completed", "task_id": task_id, "worker_id": worker_id}, sort_keys=True
    )


def webhook_signature(secret: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret's bytes."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def disallowed_address(address: str) -> bool:
    """Loopback, link-local (unicast or multicast), private or unspecified (Go's netip tests)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return True
    return any(ip in network for network in (*_PRIVATE_NETWORKS, *_LINK_LOCAL_NETWORKS))


async def ssrf_refusal(url: str) -> str | None:
    """Why the guarded client would refuse `url`, or None when it may be dialled."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"invalid webhook URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"webhook scheme {parts.scheme!r} not allowed"
    host = parts.hostname or ""
    if not host:
        return "webhook URL has no host"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return (
            f"webhook target {host} is in a disallowed range" if disallowed_address(host) else None
        )
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        return f"webhook host {host} does not resolve: {exc}"
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        return f"webhook host {host} has no addresses"
    for address in addresses:
        if disallowed_address(address):
            return f"webhook host {host} resolves to disallowed address {address}"
    return None


async def deliver_webhook(
    url: str,
    body: bytes,
    *,
    secret: str,
    allow_private: bool,
    timeout_seconds: float,
    follow_redirects: bool = False,
) -> int | None:
    """POST `body` to `url` once; the receiver's status, or None when nothing was delivered.

    `follow_redirects` is 1.1.0's plain Go client (docs/reference/gateway-versions.md §10.1).
    """
    if not allow_private:
        refusal = await ssrf_refusal(url)
        if refusal is not None:
            logger.warning("webhook refused", extra={"url": url, "reason": refusal})
            return None
    headers: Mapping[str, str] = {
        "User-Agent": "Go-http-client/1.1",
        "Content-Type": "application/json",
        "Accept-Encoding": "gzip",
        **({SIGNATURE_HEADER: webhook_signature(secret, body)} if secret else {}),
    }
    # The guarded client dials directly; with the opt-out the gateway uses a plain client, to
    # which the standard proxy environment variables apply
    # (docs/reference/gateway-protocol.md §5.5).
    async with httpx.AsyncClient(
        follow_redirects=follow_redirects, timeout=timeout_seconds, trust_env=allow_private
    ) as client:
        for default in ("Accept", "Connection"):
            client.headers.pop(default, None)
        try:
            async with client.stream("POST", url, content=body, headers=headers) as response:
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if received >= MAX_RESPONSE_READ:
                        break
                status = response.status_code
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            logger.warning("webhook delivery failed", extra={"url": url, "error": str(exc)})
            return None
    logger.info("webhook delivered", extra={"url": url, "status": status})
    return status
