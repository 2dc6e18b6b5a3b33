# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SignedCommentRequest")


@_attrs_define
class SignedCommentRequest:
    """Body of `POST /v1/peers/{id}/comments` (docs/reference/gateway-protocol.md §5.12.5). The signature covers the
    Comment
    protobuf built from rater id bytes, subject id bytes (from the path), CID
    `12 20 ‖ SHA-256(text)`, language (if non-empty), attached rating (if valid) and
    timestamp: Ed25519 over SHA-256 of those bytes.

        Attributes:
            rater_peer_id (str): Must be this gateway's `boss_peer_id` (else 403 `non_self_submitter`).
            text (str): The comment; at most **10240 bytes** of UTF-8 (else 400 `body_too_large`).
            signature (str): Standard base64 **with padding** of the 64-byte Ed25519 signature.
            timestamp_unix_ns (int): Caller-chosen entry timestamp, Unix nanoseconds; ≤ 0 ⇒ 400 `missing_field`.
            language (str | Unset): Stored as given (`""` when absent).
            attached_rating_hash (str | Unset): 64 hex ⇒ attached to the comment. An invalid value is **silently dropped**
                (and must
                then not be part of what was signed).
    """

    rater_peer_id: str
    text: str
    signature: str
    timestamp_unix_ns: int
    language: str | Unset = UNSET
    attached_rating_hash: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rater_peer_id = self.rater_peer_id

        text = self.text

        signature = self.signature

        timestamp_unix_ns = self.timestamp_unix_ns

        language = self.language

        attached_rating_hash = self.attached_rating_hash

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rater_peer_id": rater_peer_id,
                "text": text,
                "signature": signature,
                "timestamp_unix_ns": timestamp_unix_ns,
            }
        )
        if language is not UNSET:
            field_dict["language"] = language
        if attached_rating_hash is not UNSET:
            field_dict["attached_rating_hash"] = attached_rating_hash

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rater_peer_id = d.pop("rater_peer_id")

        text = d.pop("text")

        signature = d.pop("signature")

        timestamp_unix_ns = d.pop("timestamp_unix_ns")

        language = d.pop("language", UNSET)

        attached_rating_hash = d.pop("attached_rating_hash", UNSET)

        signed_comment_request = cls(
            rater_peer_id=rater_peer_id,
            text=text,
            signature=signature,
            timestamp_unix_ns=timestamp_unix_ns,
            language=language,
            attached_rating_hash=attached_rating_hash,
        )

        signed_comment_request.additional_properties = d
        return signed_comment_request

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
