# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AsyncExecuteRequest")


@_attrs_define
class AsyncExecuteRequest:
    """Body of `POST /api/execute/async` (docs/reference/gateway-protocol.md §5.5). Unknown fields, including `task_id`,
    are
    ignored.

        Attributes:
            worker_id (str): Peer id of an online worker (exact string match). Empty ⇒ 400; unknown ⇒ 404.
            prompt (str): The task text (not trimmed). Empty ⇒ 400.
            webhook_url (str | Unset): Where to POST the `taskCompleted` webhook. **Not validated at submission**: a bad,
                non-http(s) or private/loopback URL still gets the 202 and is silently dropped at
                delivery (see the webhook's SSRF guard).
    """

    worker_id: str
    prompt: str
    webhook_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        worker_id = self.worker_id

        prompt = self.prompt

        webhook_url = self.webhook_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "worker_id": worker_id,
                "prompt": prompt,
            }
        )
        if webhook_url is not UNSET:
            field_dict["webhook_url"] = webhook_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        worker_id = d.pop("worker_id")

        prompt = d.pop("prompt")

        webhook_url = d.pop("webhook_url", UNSET)

        async_execute_request = cls(
            worker_id=worker_id,
            prompt=prompt,
            webhook_url=webhook_url,
        )

        async_execute_request.additional_properties = d
        return async_execute_request

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
