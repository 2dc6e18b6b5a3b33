# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PeerReputationScores")


@_attrs_define
class PeerReputationScores:
    """Scores by dimension: `{"honesty": x}`; an equivocator gets exactly `-1`; `{}` when
    the gateway has no reputation engine.

        Attributes:
            honesty (float | Unset):
    """

    honesty: float | Unset = UNSET
    additional_properties: dict[str, float] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        honesty = self.honesty

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if honesty is not UNSET:
            field_dict["honesty"] = honesty

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        honesty = d.pop("honesty", UNSET)

        peer_reputation_scores = cls(
            honesty=honesty,
        )

        peer_reputation_scores.additional_properties = d
        return peer_reputation_scores

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> float:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: float) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
