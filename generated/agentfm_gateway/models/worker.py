# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, parse_datetime

T = TypeVar("T", bound="Worker")


@_attrs_define
class Worker:
    """One worker as `/api/workers` reports it (docs/reference/gateway-protocol.md §5.3). The engine/model is only inside
    `hardware`. Offline entries come from the ledger and carry stale or empty live fields.

        Attributes:
            peer_id (str): The worker's peer id; use it as `worker_id` or `model`.
            author (str): Operator handle (workers default to `Anonymous`).
            name (str): Agent name (at most 20 characters at the worker).
            status (str): `AVAILABLE` or `BUSY` from telemetry. `""` for an offline peer never seen live by this
                gateway process; an offline peer seen earlier keeps its **last** status, so never
                infer liveness from it (use `online`).
            hardware (str): **The only place the engine/model appears on this route.** `<model> (CPU: <cores>
                Cores)`, or with a GPU `<model> (GPU VRAM: <used>/<total> GB)` (one decimal). A
                never-seen offline peer shows ` (CPU: 0 Cores)` (leading space, empty model).
            description (str): Agent description (at most 3000 bytes).
            cpu_usage_pct (float):
            ram_free_gb (float): Available RAM, GiB.
            current_tasks (int):
            max_tasks (int):
            has_gpu (bool):
            gpu_used_gb (float):
            gpu_total_gb (float):
            gpu_usage_pct (float):
            honesty_score (float): EigenTrust score in [-1, 1]; 0 for unknown peers.
            is_equivocator (bool):
            dispatch_allowed (bool): Reflects **only the equivocator check**: false only for equivocators. The
                reputation floor is not considered, so `true` can still end in a 403
                `dispatch refused: reputation_below_floor`.
            online (bool): In the live telemetry table.
            agent_image_ref (str | Unset): The worker's container image reference; omitted when empty.
            agent_image_digest (str | Unset): `sha256:<hex>` of the image; omitted when empty.
            agent_capability (str | Unset): Kebab-case capability tag; omitted when empty.
            dispatch_refuse_reason (str | Unset): Omitted when empty; the only value is `peer_is_equivocator`.
            last_seen (datetime.datetime | Unset): Time of the last telemetry pulse, RFC 3339 in the gateway host's local
                zone. Present
                for online workers, **never present for offline ones**.
    """

    peer_id: str
    author: str
    name: str
    status: str
    hardware: str
    description: str
    cpu_usage_pct: float
    ram_free_gb: float
    current_tasks: int
    max_tasks: int
    has_gpu: bool
    gpu_used_gb: float
    gpu_total_gb: float
    gpu_usage_pct: float
    honesty_score: float
    is_equivocator: bool
    dispatch_allowed: bool
    online: bool
    agent_image_ref: str | Unset = UNSET
    agent_image_digest: str | Unset = UNSET
    agent_capability: str | Unset = UNSET
    dispatch_refuse_reason: str | Unset = UNSET
    last_seen: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        peer_id = self.peer_id

        author = self.author

        name = self.name

        status = self.status

        hardware = self.hardware

        description = self.description

        cpu_usage_pct = self.cpu_usage_pct

        ram_free_gb = self.ram_free_gb

        current_tasks = self.current_tasks

        max_tasks = self.max_tasks

        has_gpu = self.has_gpu

        gpu_used_gb = self.gpu_used_gb

        gpu_total_gb = self.gpu_total_gb

        gpu_usage_pct = self.gpu_usage_pct

        honesty_score = self.honesty_score

        is_equivocator = self.is_equivocator

        dispatch_allowed = self.dispatch_allowed

        online = self.online

        agent_image_ref = self.agent_image_ref

        agent_image_digest = self.agent_image_digest

        agent_capability = self.agent_capability

        dispatch_refuse_reason = self.dispatch_refuse_reason

        last_seen: str | Unset = UNSET
        if not isinstance(self.last_seen, Unset):
            last_seen = self.last_seen.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "peer_id": peer_id,
                "author": author,
                "name": name,
                "status": status,
                "hardware": hardware,
                "description": description,
                "cpu_usage_pct": cpu_usage_pct,
                "ram_free_gb": ram_free_gb,
                "current_tasks": current_tasks,
                "max_tasks": max_tasks,
                "has_gpu": has_gpu,
                "gpu_used_gb": gpu_used_gb,
                "gpu_total_gb": gpu_total_gb,
                "gpu_usage_pct": gpu_usage_pct,
                "honesty_score": honesty_score,
                "is_equivocator": is_equivocator,
                "dispatch_allowed": dispatch_allowed,
                "online": online,
            }
        )
        if agent_image_ref is not UNSET:
            field_dict["agent_image_ref"] = agent_image_ref
        if agent_image_digest is not UNSET:
            field_dict["agent_image_digest"] = agent_image_digest
        if agent_capability is not UNSET:
            field_dict["agent_capability"] = agent_capability
        if dispatch_refuse_reason is not UNSET:
            field_dict["dispatch_refuse_reason"] = dispatch_refuse_reason
        if last_seen is not UNSET:
            field_dict["last_seen"] = last_seen

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        peer_id = d.pop("peer_id")

        author = d.pop("author")

        name = d.pop("name")

        status = d.pop("status")

        hardware = d.pop("hardware")

        description = d.pop("description")

        cpu_usage_pct = d.pop("cpu_usage_pct")

        ram_free_gb = d.pop("ram_free_gb")

        current_tasks = d.pop("current_tasks")

        max_tasks = d.pop("max_tasks")

        has_gpu = d.pop("has_gpu")

        gpu_used_gb = d.pop("gpu_used_gb")

        gpu_total_gb = d.pop("gpu_total_gb")

        gpu_usage_pct = d.pop("gpu_usage_pct")

        honesty_score = d.pop("honesty_score")

        is_equivocator = d.pop("is_equivocator")

        dispatch_allowed = d.pop("dispatch_allowed")

        online = d.pop("online")

        agent_image_ref = d.pop("agent_image_ref", UNSET)

        agent_image_digest = d.pop("agent_image_digest", UNSET)

        agent_capability = d.pop("agent_capability", UNSET)

        dispatch_refuse_reason = d.pop("dispatch_refuse_reason", UNSET)

        _last_seen = d.pop("last_seen", UNSET)
        last_seen: datetime.datetime | Unset
        if isinstance(_last_seen, Unset):
            last_seen = UNSET
        else:
            last_seen = parse_datetime(_last_seen)

        worker = cls(
            peer_id=peer_id,
            author=author,
            name=name,
            status=status,
            hardware=hardware,
            description=description,
            cpu_usage_pct=cpu_usage_pct,
            ram_free_gb=ram_free_gb,
            current_tasks=current_tasks,
            max_tasks=max_tasks,
            has_gpu=has_gpu,
            gpu_used_gb=gpu_used_gb,
            gpu_total_gb=gpu_total_gb,
            gpu_usage_pct=gpu_usage_pct,
            honesty_score=honesty_score,
            is_equivocator=is_equivocator,
            dispatch_allowed=dispatch_allowed,
            online=online,
            agent_image_ref=agent_image_ref,
            agent_image_digest=agent_image_digest,
            agent_capability=agent_capability,
            dispatch_refuse_reason=dispatch_refuse_reason,
            last_seen=last_seen,
        )

        worker.additional_properties = d
        return worker

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
