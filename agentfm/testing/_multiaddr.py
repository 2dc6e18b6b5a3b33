"""Just enough multiaddr parsing for `POST /api/relay/test`
(docs/reference/gateway-protocol.md §5.6).

Parses the text form of the protocols a relay address uses, with error texts modelled on
go-multiaddr's, splits off the trailing `/p2p/<id>`, and applies the relay test's address-range
rule. Pure functions.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from agentfm._identifiers import is_peer_id

__all__ = ["Multiaddr", "MultiaddrError", "disallowed_relay_ip", "parse_multiaddr"]

# Protocols that carry a value, and those that do not (go-multiaddr's table, common subset).
_WITH_VALUE = frozenset(
    {
        "ip4",
        "ip6",
        "ip6zone",
        "dns",
        "dns4",
        "dns6",
        "dnsaddr",
        "tcp",
        "udp",
        "dccp",
        "sctp",
        "p2p",
        "ipfs",
        "certhash",
        "sni",
        "onion",
        "onion3",
        "garlic64",
        "garlic32",
        "ipcidr",
        "http-path",
    }
)
_WITHOUT_VALUE = frozenset(
    {
        "quic",
        "quic-v1",
        "webtransport",
        "ws",
        "wss",
        "tls",
        "noise",
        "p2p-circuit",
        "http",
        "https",
        "webrtc",
        "webrtc-direct",
        "udt",
        "utp",
        "p2p-webrtc-star",
        "p2p-webrtc-direct",
        "p2p-websocket-star",
        "p2p-stardust",
        "plaintextv2",
        "memory",
    }
)


class MultiaddrError(ValueError):
    """The text is not a multiaddr; `str()` reads like go-multiaddr's error."""


@dataclass(frozen=True)
class Multiaddr:
    """A parsed multiaddr: its (protocol, value) components in order."""

    text: str
    components: tuple[tuple[str, str], ...]

    def peer_id(self) -> str | None:
        """The id of a trailing `/p2p/<id>` (what peer.AddrInfoFromP2pAddr needs), else None."""
        if self.components and self.components[-1][0] in ("p2p", "ipfs"):
            return self.components[-1][1]
        return None

    def ip_literals(self) -> list[str]:
        return [value for name, value in self.components if name in ("ip4", "ip6")]


def _check_value(name: str, value: str) -> None:
    if name == "ip4":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise MultiaddrError(f"failed to parse ip4 addr: {value}") from None
    elif name == "ip6":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            raise MultiaddrError(f"failed to parse ip6 addr: {value}") from None
    elif name in ("tcp", "udp", "dccp", "sctp"):
        if not value.isdigit() or int(value) > 65535:
            raise MultiaddrError(f"failed to parse port addr: invalid port: {value}")
    elif name in ("p2p", "ipfs"):
        if not is_peer_id(value):
            raise MultiaddrError(f"failed to parse p2p addr: {value}: invalid cid")
    elif not value:
        raise MultiaddrError(f"empty value for protocol {name}")


def parse_multiaddr(text: str) -> Multiaddr:
    """Parse the text form; MultiaddrError with a go-multiaddr-like message when invalid."""
    prefix = f"failed to parse multiaddr {_go_quote(text)}"
    if not text:
        raise MultiaddrError(f"{prefix}: empty multiaddr")
    if not text.startswith("/"):
        raise MultiaddrError(f"{prefix}: must begin with /")
    parts = text.rstrip("/").split("/")[1:]
    if not parts:
        raise MultiaddrError(f"{prefix}: empty multiaddr")
    components: list[tuple[str, str]] = []
    index = 0
    while index < len(parts):
        name = parts[index]
        index += 1
        if name == "unix":
            # A path protocol: the rest of the address is its value.
            components.append((name, "/" + "/".join(parts[index:])))
            break
        if name in _WITHOUT_VALUE:
            components.append((name, ""))
            continue
        if name not in _WITH_VALUE:
            raise MultiaddrError(f"{prefix}: unknown protocol {name}")
        if index >= len(parts):
            raise MultiaddrError(f"{prefix}: unexpected end of multiaddr")
        value = parts[index]
        index += 1
        try:
            _check_value(name, value)
        except MultiaddrError as exc:
            raise MultiaddrError(
                f"{prefix}: invalid value {_go_quote(value)} for protocol {name}: {exc}"
            ) from None
        components.append((name, value))
    return Multiaddr(text, tuple(components))


def disallowed_relay_ip(address: str) -> bool:
    """Private, link-local, unspecified or multicast (docs/reference/gateway-protocol.md §5.6);
    loopback and public are allowed."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return False
    private_networks = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
    if any(ip in ipaddress.ip_network(network) for network in private_networks):
        return True
    link_local = ("169.254.0.0/16", "fe80::/10")
    if any(ip in ipaddress.ip_network(network) for network in link_local):
        return True
    return ip.is_unspecified or ip.is_multicast


def _go_quote(text: str) -> str:
    # Go's %q for printable text is a double-quoted string with backslash escapes.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
