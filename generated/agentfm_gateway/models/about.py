# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="About")


@_attrs_define
class About:
    """Reply of `GET /v1/about` (docs/reference/gateway-protocol.md §5.7); every key is always present.

    Attributes:
        boss_peer_id (str): This gateway's peer id (stable per working directory); the rater of its own ledger entries.
        relay_peer_id (str): The relay's peer id while connected, else `""`.
        relay_multiaddr (str): The configured bootstrap multiaddr while connected, else `""`.
        reputation_floor (float): Dispatch threshold (`-reputation-floor`, default `-0.5`): peers whose honesty score
            is strictly below it are refused.
        ledger_tree_size (int): Size of this gateway's own signed log (0 when none).
        version (str): Gateway version, `1.3.0`.
        uptime_seconds (int): Whole seconds since the gateway started.
    """

    boss_peer_id: str
    relay_peer_id: str
    relay_multiaddr: str
    reputation_floor: float
    ledger_tree_size: int
    version: str
    uptime_seconds: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        boss_peer_id = self.boss_peer_id

        relay_peer_id = self.relay_peer_id

        relay_multiaddr = self.relay_multiaddr

        reputation_floor = self.reputation_floor

        ledger_tree_size = self.ledger_tree_size

        version = self.version

        uptime_seconds = self.uptime_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "boss_peer_id": boss_peer_id,
                "relay_peer_id": relay_peer_id,
                "relay_multiaddr": relay_multiaddr,
                "reputation_floor": reputation_floor,
                "ledger_tree_size": ledger_tree_size,
                "version": version,
                "uptime_seconds": uptime_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        boss_peer_id = d.pop("boss_peer_id")

        relay_peer_id = d.pop("relay_peer_id")

        relay_multiaddr = d.pop("relay_multiaddr")

        reputation_floor = d.pop("reputation_floor")

        ledger_tree_size = d.pop("ledger_tree_size")

        version = d.pop("version")

        uptime_seconds = d.pop("uptime_seconds")

        about = cls(
            boss_peer_id=boss_peer_id,
            relay_peer_id=relay_peer_id,
            relay_multiaddr=relay_multiaddr,
            reputation_floor=reputation_floor,
            ledger_tree_size=ledger_tree_size,
            version=version,
            uptime_seconds=uptime_seconds,
        )

        about.additional_properties = d
        return about

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
