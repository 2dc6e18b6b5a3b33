# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, parse_datetime

T = TypeVar("T", bound="LedgerEntry")


@_attrs_define
class LedgerEntry:
    """A Rating or Comment about the subject (docs/reference/gateway-protocol.md §5.12.3). Signature, previous hash,
    timestamp,
    attached rating and subject bytes are not exposed.

        Attributes:
            received_at (datetime.datetime): Insertion time (own log) or receipt time (inbox), local zone, nanoseconds.
            kind (str): `Rating` or `Comment`.
            entry_hash (str): RFC 6962 leaf hash of the entry in the **rater's** log; provable with `/proof` only
                when the rater is this gateway.
            rater_peer_id (str):
            rater_status (str): `verified` (rater honesty ≥ 0.1) or `unverified`.
            rater_honesty_score (float):
            dimension (str | Unset): Ratings, e.g. `honesty`; omitted when empty.
            score (float | Unset): Ratings; **omitted when 0**, so treat absence as 0.
            context (str | Unset): Ratings (task id, `interactive`, …); omitted when empty.
            language (str | Unset): Comments; omitted when empty.
            text_cid (str | Unset): Comments only (68 hex); fetch the text with `/v1/peers/{id}/comments/{cid}`.
    """

    received_at: datetime.datetime
    kind: str
    entry_hash: str
    rater_peer_id: str
    rater_status: str
    rater_honesty_score: float
    dimension: str | Unset = UNSET
    score: float | Unset = UNSET
    context: str | Unset = UNSET
    language: str | Unset = UNSET
    text_cid: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        received_at = self.received_at.isoformat()

        kind = self.kind

        entry_hash = self.entry_hash

        rater_peer_id = self.rater_peer_id

        rater_status = self.rater_status

        rater_honesty_score = self.rater_honesty_score

        dimension = self.dimension

        score = self.score

        context = self.context

        language = self.language

        text_cid = self.text_cid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "received_at": received_at,
                "kind": kind,
                "entry_hash": entry_hash,
                "rater_peer_id": rater_peer_id,
                "rater_status": rater_status,
                "rater_honesty_score": rater_honesty_score,
            }
        )
        if dimension is not UNSET:
            field_dict["dimension"] = dimension
        if score is not UNSET:
            field_dict["score"] = score
        if context is not UNSET:
            field_dict["context"] = context
        if language is not UNSET:
            field_dict["language"] = language
        if text_cid is not UNSET:
            field_dict["text_cid"] = text_cid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        received_at = parse_datetime(d.pop("received_at"))

        kind = d.pop("kind")

        entry_hash = d.pop("entry_hash")

        rater_peer_id = d.pop("rater_peer_id")

        rater_status = d.pop("rater_status")

        rater_honesty_score = d.pop("rater_honesty_score")

        dimension = d.pop("dimension", UNSET)

        score = d.pop("score", UNSET)

        context = d.pop("context", UNSET)

        language = d.pop("language", UNSET)

        text_cid = d.pop("text_cid", UNSET)

        ledger_entry = cls(
            received_at=received_at,
            kind=kind,
            entry_hash=entry_hash,
            rater_peer_id=rater_peer_id,
            rater_status=rater_status,
            rater_honesty_score=rater_honesty_score,
            dimension=dimension,
            score=score,
            context=context,
            language=language,
            text_cid=text_cid,
        )

        ledger_entry.additional_properties = d
        return ledger_entry

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
