# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RelayTestRequest")


@_attrs_define
class RelayTestRequest:
    """Body of `POST /api/relay/test` (docs/reference/gateway-protocol.md §5.6). Unknown fields are ignored.

    Attributes:
        multiaddr (str): Relay multiaddr ending in `/p2p/<peer id>`, e.g.
            `/ip4/203.0.113.7/tcp/4001/p2p/12D3KooW…`. Missing or blank ⇒ 400.
    """

    multiaddr: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        multiaddr = self.multiaddr

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "multiaddr": multiaddr,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        multiaddr = d.pop("multiaddr")

        relay_test_request = cls(
            multiaddr=multiaddr,
        )

        relay_test_request.additional_properties = d
        return relay_test_request

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
