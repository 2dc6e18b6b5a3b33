# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecuteRequest")


@_attrs_define
class ExecuteRequest:
    """Body of `POST /api/execute` (docs/reference/gateway-protocol.md §5.4). Unknown fields are ignored.

    Attributes:
        worker_id (str): Peer id of an online worker, compared as an exact string with the base58 id the
            worker advertised (docs/reference/gateway-protocol.md §2.1). Empty ⇒ 400; unknown or offline ⇒ 404.
        prompt (str): The task text, passed to the agent container as one command-line argument (not
            trimmed: `" "` is accepted). Empty ⇒ 400. Linux caps one argument at 128 KiB, beyond
            which the worker reports `❌ Failed to start task: …` in-band.
        task_id (str | Unset): Your id for the task, to find its artifact zip (`agentfm_artifacts/<task_id>.zip`);
            it is not echoed in the response. Absent or empty ⇒ the gateway mints
            `task_<24 hex>`; any other value must match the pattern, else 400
            `Invalid task_id format`.
        feedback (str | Unset): Non-empty ⇒ after a successful stream the gateway appends a signed Comment (language
            `en`) about the worker to its ledger. Failures are only logged.
        feedback_rating (float | Unset): Used only with `feedback`: appends a paired Rating (dimension `honesty`,
            context
            `interactive`). Meant to be in [-1, 1] but **not range-checked** by the gateway
            (other peers reject out-of-range scores).
    """

    worker_id: str
    prompt: str
    task_id: str | Unset = UNSET
    feedback: str | Unset = UNSET
    feedback_rating: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        worker_id = self.worker_id

        prompt = self.prompt

        task_id = self.task_id

        feedback = self.feedback

        feedback_rating = self.feedback_rating

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "worker_id": worker_id,
                "prompt": prompt,
            }
        )
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if feedback is not UNSET:
            field_dict["feedback"] = feedback
        if feedback_rating is not UNSET:
            field_dict["feedback_rating"] = feedback_rating

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        worker_id = d.pop("worker_id")

        prompt = d.pop("prompt")

        task_id = d.pop("task_id", UNSET)

        feedback = d.pop("feedback", UNSET)

        feedback_rating = d.pop("feedback_rating", UNSET)

        execute_request = cls(
            worker_id=worker_id,
            prompt=prompt,
            task_id=task_id,
            feedback=feedback,
            feedback_rating=feedback_rating,
        )

        execute_request.additional_properties = d
        return execute_request

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
