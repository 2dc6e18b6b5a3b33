# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RaterSummary")


@_attrs_define
class RaterSummary:
    """Distinct raters of the peer; a rater is verified when its own honesty score is ≥ 0.1.

    Attributes:
        verified_raters_count (int):
        unverified_raters_count (int):
    """

    verified_raters_count: int
    unverified_raters_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        verified_raters_count = self.verified_raters_count

        unverified_raters_count = self.unverified_raters_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "verified_raters_count": verified_raters_count,
                "unverified_raters_count": unverified_raters_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        verified_raters_count = d.pop("verified_raters_count")

        unverified_raters_count = d.pop("unverified_raters_count")

        rater_summary = cls(
            verified_raters_count=verified_raters_count,
            unverified_raters_count=unverified_raters_count,
        )

        rater_summary.additional_properties = d
        return rater_summary

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
