# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CompletionRequest")


@_attrs_define
class CompletionRequest:
    """Body of `POST /v1/completions` (docs/reference/gateway-protocol.md §5.11). Only these fields are honoured; every
    other
    field is accepted and ignored.

        Attributes:
            model (str): As on chat completions. Missing or blank ⇒ 400 `model_required`.
            prompt (str): Sent to the worker verbatim. Only a string is honoured: absent or null ⇒ 400
                `prompt_required`; blank ⇒ 400 `prompt_required`; an array or any other type ⇒ 400
                `unsupported_prompt_type`.
            stream (bool | Unset): `true` ⇒ Server-Sent Events of `TextCompletionChunk`. A non-boolean ⇒ 400. Default:
                False.
    """

    model: str
    prompt: str
    stream: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        prompt = self.prompt

        stream = self.stream

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "prompt": prompt,
            }
        )
        if stream is not UNSET:
            field_dict["stream"] = stream

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model = d.pop("model")

        prompt = d.pop("prompt")

        stream = d.pop("stream", UNSET)

        completion_request = cls(
            model=model,
            prompt=prompt,
            stream=stream,
        )

        completion_request.additional_properties = d
        return completion_request

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
