# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RelayTestResult")


@_attrs_define
class RelayTestResult:
    """Every reply of `/api/relay/test`, success or error (docs/reference/gateway-protocol.md §5.6).

    Attributes:
        ok (bool): True when the gateway is connected to the relay.
        peer_id (str | Unset): The relay's peer id; omitted when empty.
        error (str | Unset): Why the test failed; omitted when empty.
    """

    ok: bool
    peer_id: str | Unset = UNSET
    error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        peer_id = self.peer_id

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ok": ok,
            }
        )
        if peer_id is not UNSET:
            field_dict["peer_id"] = peer_id
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ok = d.pop("ok")

        peer_id = d.pop("peer_id", UNSET)

        error = d.pop("error", UNSET)

        relay_test_result = cls(
            ok=ok,
            peer_id=peer_id,
            error=error,
        )

        relay_test_result.additional_properties = d
        return relay_test_result

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
