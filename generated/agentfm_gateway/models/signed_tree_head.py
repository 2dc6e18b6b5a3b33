# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import parse_datetime

T = TypeVar("T", bound="SignedTreeHead")


@_attrs_define
class SignedTreeHead:
    """The current signed head of this gateway's own log (signature and signer not exposed).

    Attributes:
        tree_size (int):
        root_hash (str):
        witness_count (int): Witness co-signatures on the head; gateway 1.3.0 never attaches any, so 0.
        signed_at (datetime.datetime): UTC, whole seconds (`YYYY-MM-DDTHH:MM:SSZ`).
    """

    tree_size: int
    root_hash: str
    witness_count: int
    signed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tree_size = self.tree_size

        root_hash = self.root_hash

        witness_count = self.witness_count

        signed_at = self.signed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tree_size": tree_size,
                "root_hash": root_hash,
                "witness_count": witness_count,
                "signed_at": signed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tree_size = d.pop("tree_size")

        root_hash = d.pop("root_hash")

        witness_count = d.pop("witness_count")

        signed_at = parse_datetime(d.pop("signed_at"))

        signed_tree_head = cls(
            tree_size=tree_size,
            root_hash=root_hash,
            witness_count=witness_count,
            signed_at=signed_at,
        )

        signed_tree_head.additional_properties = d
        return signed_tree_head

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
