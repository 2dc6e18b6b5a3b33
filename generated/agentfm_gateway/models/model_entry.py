# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ModelEntry")


@_attrs_define
class ModelEntry:
    """One online worker as an OpenAI model (docs/reference/gateway-protocol.md §5.9). `id` is the value to send as
    `model`.
    (`agentfm_last_seen` is declared upstream but never populated, so it never appears.)

        Attributes:
            id (str): The worker's peer id.
            object_ (Literal['model']):
            created (int): Unix seconds **at request time**, the same for every entry (not a creation time).
            owned_by (str): The worker's author, or `agentfm` when empty.
            agentfm_current_tasks (int):
            agentfm_max_tasks (int):
            agentfm_cpu_usage_pct (float):
            agentfm_ram_free_gb (float):
            agentfm_has_gpu (bool):
            agentfm_gpu_used_gb (float):
            agentfm_gpu_total_gb (float):
            agentfm_gpu_usage_pct (float):
            agentfm_honesty_score (float):
            agentfm_is_equivocator (bool):
            agentfm_dispatch_allowed (bool): Equivocator check only, as `dispatch_allowed` on `/api/workers`.
            agentfm_online (bool): Always `true`.
            description (str | Unset): `<agent name> · <engine> — <agent description>` (U+00B7, U+2014), parts left out when
                empty; omitted when all are empty.
            agentfm_name (str | Unset): Agent name; omitted when empty.
            agentfm_engine (str | Unset): The worker's model/engine string (its `-model`); omitted when empty.
            agentfm_status (str | Unset): `AVAILABLE` or `BUSY`; omitted when empty.
            agentfm_hardware (str | Unset): Same format as `hardware` on `/api/workers`; present in practice for every
                online worker.
            agentfm_image_ref (str | Unset): Omitted when empty.
            agentfm_image_digest (str | Unset): Omitted when empty.
            agentfm_capability (str | Unset): Omitted when empty.
            agentfm_dispatch_refuse_reason (str | Unset): Omitted when empty; the only value is `peer_is_equivocator`.
    """

    id: str
    object_: Literal["model"]
    created: int
    owned_by: str
    agentfm_current_tasks: int
    agentfm_max_tasks: int
    agentfm_cpu_usage_pct: float
    agentfm_ram_free_gb: float
    agentfm_has_gpu: bool
    agentfm_gpu_used_gb: float
    agentfm_gpu_total_gb: float
    agentfm_gpu_usage_pct: float
    agentfm_honesty_score: float
    agentfm_is_equivocator: bool
    agentfm_dispatch_allowed: bool
    agentfm_online: bool
    description: str | Unset = UNSET
    agentfm_name: str | Unset = UNSET
    agentfm_engine: str | Unset = UNSET
    agentfm_status: str | Unset = UNSET
    agentfm_hardware: str | Unset = UNSET
    agentfm_image_ref: str | Unset = UNSET
    agentfm_image_digest: str | Unset = UNSET
    agentfm_capability: str | Unset = UNSET
    agentfm_dispatch_refuse_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created = self.created

        owned_by = self.owned_by

        agentfm_current_tasks = self.agentfm_current_tasks

        agentfm_max_tasks = self.agentfm_max_tasks

        agentfm_cpu_usage_pct = self.agentfm_cpu_usage_pct

        agentfm_ram_free_gb = self.agentfm_ram_free_gb

        agentfm_has_gpu = self.agentfm_has_gpu

        agentfm_gpu_used_gb = self.agentfm_gpu_used_gb

        agentfm_gpu_total_gb = self.agentfm_gpu_total_gb

        agentfm_gpu_usage_pct = self.agentfm_gpu_usage_pct

        agentfm_honesty_score = self.agentfm_honesty_score

        agentfm_is_equivocator = self.agentfm_is_equivocator

        agentfm_dispatch_allowed = self.agentfm_dispatch_allowed

        agentfm_online = self.agentfm_online

        description = self.description

        agentfm_name = self.agentfm_name

        agentfm_engine = self.agentfm_engine

        agentfm_status = self.agentfm_status

        agentfm_hardware = self.agentfm_hardware

        agentfm_image_ref = self.agentfm_image_ref

        agentfm_image_digest = self.agentfm_image_digest

        agentfm_capability = self.agentfm_capability

        agentfm_dispatch_refuse_reason = self.agentfm_dispatch_refuse_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created": created,
                "owned_by": owned_by,
                "agentfm_current_tasks": agentfm_current_tasks,
                "agentfm_max_tasks": agentfm_max_tasks,
                "agentfm_cpu_usage_pct": agentfm_cpu_usage_pct,
                "agentfm_ram_free_gb": agentfm_ram_free_gb,
                "agentfm_has_gpu": agentfm_has_gpu,
                "agentfm_gpu_used_gb": agentfm_gpu_used_gb,
                "agentfm_gpu_total_gb": agentfm_gpu_total_gb,
                "agentfm_gpu_usage_pct": agentfm_gpu_usage_pct,
                "agentfm_honesty_score": agentfm_honesty_score,
                "agentfm_is_equivocator": agentfm_is_equivocator,
                "agentfm_dispatch_allowed": agentfm_dispatch_allowed,
                "agentfm_online": agentfm_online,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if agentfm_name is not UNSET:
            field_dict["agentfm_name"] = agentfm_name
        if agentfm_engine is not UNSET:
            field_dict["agentfm_engine"] = agentfm_engine
        if agentfm_status is not UNSET:
            field_dict["agentfm_status"] = agentfm_status
        if agentfm_hardware is not UNSET:
            field_dict["agentfm_hardware"] = agentfm_hardware
        if agentfm_image_ref is not UNSET:
            field_dict["agentfm_image_ref"] = agentfm_image_ref
        if agentfm_image_digest is not UNSET:
            field_dict["agentfm_image_digest"] = agentfm_image_digest
        if agentfm_capability is not UNSET:
            field_dict["agentfm_capability"] = agentfm_capability
        if agentfm_dispatch_refuse_reason is not UNSET:
            field_dict["agentfm_dispatch_refuse_reason"] = (
                agentfm_dispatch_refuse_reason
            )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["model"], d.pop("object"))
        if object_ != "model":
            raise ValueError(f"object must match const 'model', got '{object_}'")

        created = d.pop("created")

        owned_by = d.pop("owned_by")

        agentfm_current_tasks = d.pop("agentfm_current_tasks")

        agentfm_max_tasks = d.pop("agentfm_max_tasks")

        agentfm_cpu_usage_pct = d.pop("agentfm_cpu_usage_pct")

        agentfm_ram_free_gb = d.pop("agentfm_ram_free_gb")

        agentfm_has_gpu = d.pop("agentfm_has_gpu")

        agentfm_gpu_used_gb = d.pop("agentfm_gpu_used_gb")

        agentfm_gpu_total_gb = d.pop("agentfm_gpu_total_gb")

        agentfm_gpu_usage_pct = d.pop("agentfm_gpu_usage_pct")

        agentfm_honesty_score = d.pop("agentfm_honesty_score")

        agentfm_is_equivocator = d.pop("agentfm_is_equivocator")

        agentfm_dispatch_allowed = d.pop("agentfm_dispatch_allowed")

        agentfm_online = d.pop("agentfm_online")

        description = d.pop("description", UNSET)

        agentfm_name = d.pop("agentfm_name", UNSET)

        agentfm_engine = d.pop("agentfm_engine", UNSET)

        agentfm_status = d.pop("agentfm_status", UNSET)

        agentfm_hardware = d.pop("agentfm_hardware", UNSET)

        agentfm_image_ref = d.pop("agentfm_image_ref", UNSET)

        agentfm_image_digest = d.pop("agentfm_image_digest", UNSET)

        agentfm_capability = d.pop("agentfm_capability", UNSET)

        agentfm_dispatch_refuse_reason = d.pop("agentfm_dispatch_refuse_reason", UNSET)

        model_entry = cls(
            id=id,
            object_=object_,
            created=created,
            owned_by=owned_by,
            agentfm_current_tasks=agentfm_current_tasks,
            agentfm_max_tasks=agentfm_max_tasks,
            agentfm_cpu_usage_pct=agentfm_cpu_usage_pct,
            agentfm_ram_free_gb=agentfm_ram_free_gb,
            agentfm_has_gpu=agentfm_has_gpu,
            agentfm_gpu_used_gb=agentfm_gpu_used_gb,
            agentfm_gpu_total_gb=agentfm_gpu_total_gb,
            agentfm_gpu_usage_pct=agentfm_gpu_usage_pct,
            agentfm_honesty_score=agentfm_honesty_score,
            agentfm_is_equivocator=agentfm_is_equivocator,
            agentfm_dispatch_allowed=agentfm_dispatch_allowed,
            agentfm_online=agentfm_online,
            description=description,
            agentfm_name=agentfm_name,
            agentfm_engine=agentfm_engine,
            agentfm_status=agentfm_status,
            agentfm_hardware=agentfm_hardware,
            agentfm_image_ref=agentfm_image_ref,
            agentfm_image_digest=agentfm_image_digest,
            agentfm_capability=agentfm_capability,
            agentfm_dispatch_refuse_reason=agentfm_dispatch_refuse_reason,
        )

        model_entry.additional_properties = d
        return model_entry

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
