# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SelfCommentRequest")


@_attrs_define
class SelfCommentRequest:
    """Body of `POST /v1/peers/{id}/comments/self` (docs/reference/gateway-protocol.md §5.12.6).

    Attributes:
        text (str): The comment; at most **10240 bytes** of UTF-8 (else 400 `body_too_large`).
        language (str | Unset): Stored as given; **no default** (`""` when absent, not `en`).
        rating (float | Unset): Optional honesty rating in [-1, 1], appended as a paired Rating; non-finite or out of
            range ⇒ 400 `bad_rating`.
        attached_rating_hash (str | Unset): 64 hex ⇒ attached; an invalid value is silently dropped.
    """

    text: str
    language: str | Unset = UNSET
    rating: float | Unset = UNSET
    attached_rating_hash: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        language = self.language

        rating = self.rating

        attached_rating_hash = self.attached_rating_hash

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text": text,
            }
        )
        if language is not UNSET:
            field_dict["language"] = language
        if rating is not UNSET:
            field_dict["rating"] = rating
        if attached_rating_hash is not UNSET:
            field_dict["attached_rating_hash"] = attached_rating_hash

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text")

        language = d.pop("language", UNSET)

        rating = d.pop("rating", UNSET)

        attached_rating_hash = d.pop("attached_rating_hash", UNSET)

        self_comment_request = cls(
            text=text,
            language=language,
            rating=rating,
            attached_rating_hash=attached_rating_hash,
        )

        self_comment_request.additional_properties = d
        return self_comment_request

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
