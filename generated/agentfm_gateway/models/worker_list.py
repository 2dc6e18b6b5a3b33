# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.worker import Worker


T = TypeVar("T", bound="WorkerList")


@_attrs_define
class WorkerList:
    """Reply of `GET /api/workers` (docs/reference/gateway-protocol.md §5.3).

    Attributes:
        agents (list[Worker]): Online workers first (most recent telemetry first), then offline peers. Never null.
        offline_count (int): Offline entries included (0 unless `include_offline=true`).
        online_count (int): Online entries.
        success (bool): Always `true`, even when a ledger failure emptied the list.
    """

    agents: list[Worker]
    offline_count: int
    online_count: int
    success: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agents = []
        for agents_item_data in self.agents:
            agents_item = agents_item_data.to_dict()
            agents.append(agents_item)

        offline_count = self.offline_count

        online_count = self.online_count

        success = self.success

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agents": agents,
                "offline_count": offline_count,
                "online_count": online_count,
                "success": success,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.worker import Worker  # noqa: PLC0415

        d = dict(src_dict)
        agents = []
        _agents = d.pop("agents")
        for agents_item_data in _agents:
            agents_item = Worker.from_dict(agents_item_data)

            agents.append(agents_item)

        offline_count = d.pop("offline_count")

        online_count = d.pop("online_count")

        success = d.pop("success")

        worker_list = cls(
            agents=agents,
            offline_count=offline_count,
            online_count=online_count,
            success=success,
        )

        worker_list.additional_properties = d
        return worker_list

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
