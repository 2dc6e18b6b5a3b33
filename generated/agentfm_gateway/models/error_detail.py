# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_detail_type import ErrorDetailType, check_error_detail_type

T = TypeVar("T", bound="ErrorDetail")


@_attrs_define
class ErrorDetail:
    """One error; all three keys are always present.

    Attributes:
        message (str): Human-readable; may embed Go error text. Do not branch on it.
        type_ (ErrorDetailType): `invalid_request_error` for 4xx, `server_error` for 5xx.
        code (str): The machine-readable reason; branch on it. The complete catalogue of gateway 1.3.0
            (docs/reference/gateway-protocol.md §3.3), documented as a list rather than an enum so that a newer gateway's
            codes do
            not break older clients:

            | HTTP | code | when |
            |---|---|---|
            | 401 | `unauthorized` | bearer header missing, malformed or repeated |
            | 401 | `invalid_api_key` | token not configured |
            | 429 | `rate_limited` | auth failure budget exhausted (`Retry-After: 60`) |
            | 503 | `async_capacity_exhausted` | 256 async tasks in flight (`Retry-After: 5`) |
            | 405 | `method_not_allowed` | OpenAI routes and `/v1/peers/*`, wrong method |
            | 400 | `invalid_request_error` | OpenAI: body not decodable JSON (same string as the type) |
            | 400 | `model_required` | OpenAI: `model` missing or blank |
            | 400 | `prompt_required` | chat: no messages; text: `prompt` missing, null or blank |
            | 400 | `unsupported_prompt_type` | text: `prompt` not a string |
            | 404 | `model_not_found` | OpenAI: no trust-permitted worker matches |
            | 503 | `mesh_overloaded` | OpenAI: the matched tier is at capacity |
            | 500 | `internal_error` | OpenAI: worker selection failed |
            | 502 | `worker_unreachable` | OpenAI: dial failed |
            | 502 | `worker_stream_failed` | OpenAI: stream set-up, send or (non-streaming) read failed |
            | 404 | `not_found` | `/v1/peers/`: unknown sub-resource |
            | 400 | `bad_request` | `/v1/peers/*`: empty id, missing/invalid `entry`, missing CID |
            | 400 | `bad_peer_id` | `/v1/peers/*`: id fails libp2p decoding |
            | 503 | `ledger_unavailable` | ledger / read store not wired |
            | 503 | `comments_unavailable` | comment store not wired |
            | 503 | `host_unavailable` | comments/self without a libp2p host |
            | 500 | `ledger_error` | reputation: equivocator lookup failed |
            | 500 | `gather_error` | log / summary: store scan failed |
            | 404 | `entry_not_found` | proof: hash not in this gateway's own log |
            | 500 | `prove_error` | proof: other failure |
            | 501 | `not_implemented` | caller-signed comments: handler not wired |
            | 400 | `read_body` | comments: body read error |
            | 400 | `bad_json` | comments: JSON parse error |
            | 400 | `missing_field` | comments: required field empty, timestamp ≤ 0 |
            | 400 | `body_too_large` | comments: `text` over 10240 bytes |
            | 400 | `bad_rating` | comments/self: rating not finite or outside [-1, 1] |
            | 400 | `store_body` | comments: body store write failed |
            | 401 | `bad_signature` | caller-signed comment: signature invalid (not a bearer failure) |
            | 403 | `non_self_submitter` | caller-signed comment: rater is not this gateway |
            | 500 | `append_failed` | comments: ledger append failed |
            | 400 | `bad_cid` | comment body: CID malformed |
            | 404 | `comment_not_found` | comment body: not found locally, from the author or the relay |
            | 500 | `store_error` | comment body: other store error |
    """

    message: str
    type_: ErrorDetailType
    code: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        type_: str = self.type_

        code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "type": type_,
                "code": code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        type_ = check_error_detail_type(d.pop("type"))

        code = d.pop("code")

        error_detail = cls(
            message=message,
            type_=type_,
            code=code,
        )

        error_detail.additional_properties = d
        return error_detail

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
