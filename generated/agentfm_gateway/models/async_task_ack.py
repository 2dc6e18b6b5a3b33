# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AsyncTaskAck")


@_attrs_define
class AsyncTaskAck:
    """The 202 acknowledgement, exactly
    `{"message":"Task dispatched to P2P mesh.","status":"queued","task_id":"task_…"}`.

        Attributes:
            message (str): Always `Task dispatched to P2P mesh.`
            status (str): Always `queued`.
            task_id (str): Gateway-minted id; the webhook and the artifact zip carry it.
    """

    message: str
    status: str
    task_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        status = self.status

        task_id = self.task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "status": status,
                "task_id": task_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        status = d.pop("status")

        task_id = d.pop("task_id")

        async_task_ack = cls(
            message=message,
            status=status,
            task_id=task_id,
        )

        async_task_ack.additional_properties = d
        return async_task_ack

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
