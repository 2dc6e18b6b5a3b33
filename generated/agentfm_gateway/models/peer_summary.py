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
    from ..models.rater_summary import RaterSummary


T = TypeVar("T", bound="PeerSummary")


@_attrs_define
class PeerSummary:
    """Reply of `GET /v1/peers/{id}` (docs/reference/gateway-protocol.md §5.12.1). Live fields are present only while the
    peer is online.

        Attributes:
            peer_id (str): The path segment as given.
            agent_name (str): Agent name; `""` unless online.
            online (bool): In the live telemetry table.
            honesty_score (float):
            is_equivocator (bool):
            dispatch_allowed (bool): Equivocator check only, as `dispatch_allowed` on `/api/workers`.
            entries_count (int): Ledger entries (Ratings and Comments) about the peer, own log and inbox.
            rater_summary (RaterSummary): Distinct raters of the peer; a rater is verified when its own honesty score is ≥
                0.1.
            author (str | Unset): Omitted when empty (always when offline).
            description (str | Unset): Omitted when empty (always when offline).
            last_seen (datetime.datetime | Unset): Last telemetry time (local zone); omitted unless online.
            dispatch_refuse_reason (str | Unset): Omitted when empty; the only value is `peer_is_equivocator`.
            last_entry_at (datetime.datetime | Unset): Newest entry's received/inserted time (local zone); omitted when
                there are no entries.
            advertised_image_ref (str | Unset): Omitted when empty (always when offline).
            advertised_image_digest (str | Unset): Omitted when empty (always when offline).
            advertised_capability (str | Unset): Omitted when empty (always when offline).
    """

    peer_id: str
    agent_name: str
    online: bool
    honesty_score: float
    is_equivocator: bool
    dispatch_allowed: bool
    entries_count: int
    rater_summary: RaterSummary
    author: str | Unset = UNSET
    description: str | Unset = UNSET
    last_seen: datetime.datetime | Unset = UNSET
    dispatch_refuse_reason: str | Unset = UNSET
    last_entry_at: datetime.datetime | Unset = UNSET
    advertised_image_ref: str | Unset = UNSET
    advertised_image_digest: str | Unset = UNSET
    advertised_capability: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        peer_id = self.peer_id

        agent_name = self.agent_name

        online = self.online

        honesty_score = self.honesty_score

        is_equivocator = self.is_equivocator

        dispatch_allowed = self.dispatch_allowed

        entries_count = self.entries_count

        rater_summary = self.rater_summary.to_dict()

        author = self.author

        description = self.description

        last_seen: str | Unset = UNSET
        if not isinstance(self.last_seen, Unset):
            last_seen = self.last_seen.isoformat()

        dispatch_refuse_reason = self.dispatch_refuse_reason

        last_entry_at: str | Unset = UNSET
        if not isinstance(self.last_entry_at, Unset):
            last_entry_at = self.last_entry_at.isoformat()

        advertised_image_ref = self.advertised_image_ref

        advertised_image_digest = self.advertised_image_digest

        advertised_capability = self.advertised_capability

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "peer_id": peer_id,
                "agent_name": agent_name,
                "online": online,
                "honesty_score": honesty_score,
                "is_equivocator": is_equivocator,
                "dispatch_allowed": dispatch_allowed,
                "entries_count": entries_count,
                "rater_summary": rater_summary,
            }
        )
        if author is not UNSET:
            field_dict["author"] = author
        if description is not UNSET:
            field_dict["description"] = description
        if last_seen is not UNSET:
            field_dict["last_seen"] = last_seen
        if dispatch_refuse_reason is not UNSET:
            field_dict["dispatch_refuse_reason"] = dispatch_refuse_reason
        if last_entry_at is not UNSET:
            field_dict["last_entry_at"] = last_entry_at
        if advertised_image_ref is not UNSET:
            field_dict["advertised_image_ref"] = advertised_image_ref
        if advertised_image_digest is not UNSET:
            field_dict["advertised_image_digest"] = advertised_image_digest
        if advertised_capability is not UNSET:
            field_dict["advertised_capability"] = advertised_capability

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rater_summary import RaterSummary  # noqa: PLC0415

        d = dict(src_dict)
        peer_id = d.pop("peer_id")

        agent_name = d.pop("agent_name")

        online = d.pop("online")

        honesty_score = d.pop("honesty_score")

        is_equivocator = d.pop("is_equivocator")

        dispatch_allowed = d.pop("dispatch_allowed")

        entries_count = d.pop("entries_count")

        rater_summary = RaterSummary.from_dict(d.pop("rater_summary"))

        author = d.pop("author", UNSET)

        description = d.pop("description", UNSET)

        _last_seen = d.pop("last_seen", UNSET)
        last_seen: datetime.datetime | Unset
        if isinstance(_last_seen, Unset):
            last_seen = UNSET
        else:
            last_seen = parse_datetime(_last_seen)

        dispatch_refuse_reason = d.pop("dispatch_refuse_reason", UNSET)

        _last_entry_at = d.pop("last_entry_at", UNSET)
        last_entry_at: datetime.datetime | Unset
        if isinstance(_last_entry_at, Unset):
            last_entry_at = UNSET
        else:
            last_entry_at = parse_datetime(_last_entry_at)

        advertised_image_ref = d.pop("advertised_image_ref", UNSET)

        advertised_image_digest = d.pop("advertised_image_digest", UNSET)

        advertised_capability = d.pop("advertised_capability", UNSET)

        peer_summary = cls(
            peer_id=peer_id,
            agent_name=agent_name,
            online=online,
            honesty_score=honesty_score,
            is_equivocator=is_equivocator,
            dispatch_allowed=dispatch_allowed,
            entries_count=entries_count,
            rater_summary=rater_summary,
            author=author,
            description=description,
            last_seen=last_seen,
            dispatch_refuse_reason=dispatch_refuse_reason,
            last_entry_at=last_entry_at,
            advertised_image_ref=advertised_image_ref,
            advertised_image_digest=advertised_image_digest,
            advertised_capability=advertised_capability,
        )

        peer_summary.additional_properties = d
        return peer_summary

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
