# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TextCompletionChoice")


@_attrs_define
class TextCompletionChoice:
    """
    Attributes:
        index (int): Always 0.
        text (str): The filtered worker output; ends with `\\n`.
        finish_reason (str): Always `stop`.
    """

    index: int
    text: str
    finish_reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        text = self.text

        finish_reason = self.finish_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "text": text,
                "finish_reason": finish_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        index = d.pop("index")

        text = d.pop("text")

        finish_reason = d.pop("finish_reason")

        text_completion_choice = cls(
            index=index,
            text=text,
            finish_reason=finish_reason,
        )

        text_completion_choice.additional_properties = d
        return text_completion_choice

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
