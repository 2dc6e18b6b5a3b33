# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.signed_tree_head import SignedTreeHead


T = TypeVar("T", bound="InclusionProof")


@_attrs_define
class InclusionProof:
    """Reply of `GET /v1/peers/{id}/proof` (docs/reference/gateway-protocol.md §5.12.4).

    Attributes:
        entry_hash (str): The `entry` query value echoed verbatim; already the leaf hash.
        position (int): 0-based leaf index.
        audit_path (list[str]): Sibling hashes bottom-up (64 hex each); `[]` for a one-entry log.
        head (SignedTreeHead): The current signed head of this gateway's own log (signature and signer not exposed).
    """

    entry_hash: str
    position: int
    audit_path: list[str]
    head: SignedTreeHead
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        entry_hash = self.entry_hash

        position = self.position

        audit_path = self.audit_path

        head = self.head.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "entry_hash": entry_hash,
                "position": position,
                "audit_path": audit_path,
                "head": head,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.signed_tree_head import SignedTreeHead  # noqa: PLC0415

        d = dict(src_dict)
        entry_hash = d.pop("entry_hash")

        position = d.pop("position")

        audit_path = cast(list[str], d.pop("audit_path"))

        head = SignedTreeHead.from_dict(d.pop("head"))

        inclusion_proof = cls(
            entry_hash=entry_hash,
            position=position,
            audit_path=audit_path,
            head=head,
        )

        inclusion_proof.additional_properties = d
        return inclusion_proof

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
