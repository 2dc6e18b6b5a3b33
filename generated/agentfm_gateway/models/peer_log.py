# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ledger_entry import LedgerEntry


T = TypeVar("T", bound="PeerLog")


@_attrs_define
class PeerLog:
    """Reply of `GET /v1/peers/{id}/log` (docs/reference/gateway-protocol.md §5.12.3).

    Attributes:
        subject (str): The path segment as given.
        limit (int): The effective page size (1–500).
        offset (int): The effective offset, clamped to the number of entries available.
        returned (int): Number of entries in this page.
        entries (list[LedgerEntry]): Newest first; `[]` when empty.
    """

    subject: str
    limit: int
    offset: int
    returned: int
    entries: list[LedgerEntry]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        limit = self.limit

        offset = self.offset

        returned = self.returned

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "limit": limit,
                "offset": offset,
                "returned": returned,
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ledger_entry import LedgerEntry  # noqa: PLC0415

        d = dict(src_dict)
        subject = d.pop("subject")

        limit = d.pop("limit")

        offset = d.pop("offset")

        returned = d.pop("returned")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = LedgerEntry.from_dict(entries_item_data)

            entries.append(entries_item)

        peer_log = cls(
            subject=subject,
            limit=limit,
            offset=offset,
            returned=returned,
            entries=entries,
        )

        peer_log.additional_properties = d
        return peer_log

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
