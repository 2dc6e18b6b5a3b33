# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, parse_datetime

if TYPE_CHECKING:
    from ..models.peer_reputation_scores import PeerReputationScores


T = TypeVar("T", bound="PeerReputation")


@_attrs_define
class PeerReputation:
    """Reply of `GET /v1/peers/{id}/reputation` (docs/reference/gateway-protocol.md §5.12.2).

    Attributes:
        peer_id (str): The path segment as given.
        scores (PeerReputationScores): Scores by dimension: `{"honesty": x}`; an equivocator gets exactly `-1`; `{}`
            when
            the gateway has no reputation engine.
        rating_count (int): Rating entries (all dimensions) about the peer, own log and inbox.
        is_equivocator (bool):
        last_updated (datetime.datetime | Unset): Newest rating's received/inserted time, **UTC, whole seconds**
            (`YYYY-MM-DDTHH:MM:SSZ`); omitted when there are no ratings.
        agent_image_ref (str | Unset): Omitted when empty; only while online.
        agent_image_digest (str | Unset): Omitted when empty; only while online.
        agent_capability (str | Unset): Omitted when empty; only while online.
    """

    peer_id: str
    scores: PeerReputationScores
    rating_count: int
    is_equivocator: bool
    last_updated: datetime.datetime | Unset = UNSET
    agent_image_ref: str | Unset = UNSET
    agent_image_digest: str | Unset = UNSET
    agent_capability: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        peer_id = self.peer_id

        scores = self.scores.to_dict()

        rating_count = self.rating_count

        is_equivocator = self.is_equivocator

        last_updated: str | Unset = UNSET
        if not isinstance(self.last_updated, Unset):
            last_updated = self.last_updated.isoformat()

        agent_image_ref = self.agent_image_ref

        agent_image_digest = self.agent_image_digest

        agent_capability = self.agent_capability

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "peer_id": peer_id,
                "scores": scores,
                "rating_count": rating_count,
                "is_equivocator": is_equivocator,
            }
        )
        if last_updated is not UNSET:
            field_dict["last_updated"] = last_updated
        if agent_image_ref is not UNSET:
            field_dict["agent_image_ref"] = agent_image_ref
        if agent_image_digest is not UNSET:
            field_dict["agent_image_digest"] = agent_image_digest
        if agent_capability is not UNSET:
            field_dict["agent_capability"] = agent_capability

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.peer_reputation_scores import PeerReputationScores  # noqa: PLC0415

        d = dict(src_dict)
        peer_id = d.pop("peer_id")

        scores = PeerReputationScores.from_dict(d.pop("scores"))

        rating_count = d.pop("rating_count")

        is_equivocator = d.pop("is_equivocator")

        _last_updated = d.pop("last_updated", UNSET)
        last_updated: datetime.datetime | Unset
        if isinstance(_last_updated, Unset):
            last_updated = UNSET
        else:
            last_updated = parse_datetime(_last_updated)

        agent_image_ref = d.pop("agent_image_ref", UNSET)

        agent_image_digest = d.pop("agent_image_digest", UNSET)

        agent_capability = d.pop("agent_capability", UNSET)

        peer_reputation = cls(
            peer_id=peer_id,
            scores=scores,
            rating_count=rating_count,
            is_equivocator=is_equivocator,
            last_updated=last_updated,
            agent_image_ref=agent_image_ref,
            agent_image_digest=agent_image_digest,
            agent_capability=agent_capability,
        )

        peer_reputation.additional_properties = d
        return peer_reputation

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
