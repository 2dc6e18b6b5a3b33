# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CommentReceipt")


@_attrs_define
class CommentReceipt:
    """201 reply of both comment routes.

    Attributes:
        cid (str): The comment's CID (fetch the text with `/comments/{cid}`).
        ledger_hash (str): Leaf hash of the new entry in this gateway's own log (provable with `/proof`).
    """

    cid: str
    ledger_hash: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cid = self.cid

        ledger_hash = self.ledger_hash

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cid": cid,
                "ledger_hash": ledger_hash,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cid = d.pop("cid")

        ledger_hash = d.pop("ledger_hash")

        comment_receipt = cls(
            cid=cid,
            ledger_hash=ledger_hash,
        )

        comment_receipt.additional_properties = d
        return comment_receipt

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
