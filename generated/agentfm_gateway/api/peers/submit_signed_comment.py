# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.signed_comment_request import SignedCommentRequest
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    body: SignedCommentRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/peers/{id}/comments".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | str | None:
    if response.status_code == 201:
        response_201 = response.json()
        return response_201

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = response.text
        return response_403

    if response.status_code == 405:
        response_405 = ErrorEnvelope.from_dict(response.json())

        return response_405

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 501:
        response_501 = ErrorEnvelope.from_dict(response.json())

        return response_501

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ErrorEnvelope | str]:
    try:
        parsed = _parse_response(client=client, response=response)
    except RecursionError:
        # JSON nested deeper than the parser can follow: as malformed as any other bad body.
        raise ValueError("the response body is nested too deeply to parse") from None
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SignedCommentRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Append a caller-signed comment about a peer

     Appends a Comment about peer `id` that the caller signed with **this gateway's own
    key** (docs/reference/gateway-protocol.md §5.12.5): `rater_peer_id` must be the gateway's
    `boss_peer_id`, so only a holder
    of the gateway's private key can use this route. For a comment signed by the gateway
    itself, use `/v1/peers/{id}/comments/self`.

    Checks in order: submission handler not wired ⇒ 501 (any method); non-POST ⇒ 405; no
    ledger ⇒ 503; subject id ⇒ 400; body read and JSON ⇒ 400; fields ⇒ 400; signature ⇒
    401 `bad_signature`; rater ⇒ 403 `non_self_submitter`. The comment text is stored
    before the signature is verified. After verification the ledger re-signs the entry
    under the gateway key and chains it into the gateway's own log.

    Args:
        id (str):
        body (SignedCommentRequest): Body of `POST /v1/peers/{id}/comments`
            (docs/reference/gateway-protocol.md §5.12.5). The signature covers the Comment
            protobuf built from rater id bytes, subject id bytes (from the path), CID
            `12 20 ‖ SHA-256(text)`, language (if non-empty), attached rating (if valid) and
            timestamp: Ed25519 over SHA-256 of those bytes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SignedCommentRequest,
) -> Any | ErrorEnvelope | str | None:
    """Append a caller-signed comment about a peer

     Appends a Comment about peer `id` that the caller signed with **this gateway's own
    key** (docs/reference/gateway-protocol.md §5.12.5): `rater_peer_id` must be the gateway's
    `boss_peer_id`, so only a holder
    of the gateway's private key can use this route. For a comment signed by the gateway
    itself, use `/v1/peers/{id}/comments/self`.

    Checks in order: submission handler not wired ⇒ 501 (any method); non-POST ⇒ 405; no
    ledger ⇒ 503; subject id ⇒ 400; body read and JSON ⇒ 400; fields ⇒ 400; signature ⇒
    401 `bad_signature`; rater ⇒ 403 `non_self_submitter`. The comment text is stored
    before the signature is verified. After verification the ledger re-signs the entry
    under the gateway key and chains it into the gateway's own log.

    Args:
        id (str):
        body (SignedCommentRequest): Body of `POST /v1/peers/{id}/comments`
            (docs/reference/gateway-protocol.md §5.12.5). The signature covers the Comment
            protobuf built from rater id bytes, subject id bytes (from the path), CID
            `12 20 ‖ SHA-256(text)`, language (if non-empty), attached rating (if valid) and
            timestamp: Ed25519 over SHA-256 of those bytes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SignedCommentRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Append a caller-signed comment about a peer

     Appends a Comment about peer `id` that the caller signed with **this gateway's own
    key** (docs/reference/gateway-protocol.md §5.12.5): `rater_peer_id` must be the gateway's
    `boss_peer_id`, so only a holder
    of the gateway's private key can use this route. For a comment signed by the gateway
    itself, use `/v1/peers/{id}/comments/self`.

    Checks in order: submission handler not wired ⇒ 501 (any method); non-POST ⇒ 405; no
    ledger ⇒ 503; subject id ⇒ 400; body read and JSON ⇒ 400; fields ⇒ 400; signature ⇒
    401 `bad_signature`; rater ⇒ 403 `non_self_submitter`. The comment text is stored
    before the signature is verified. After verification the ledger re-signs the entry
    under the gateway key and chains it into the gateway's own log.

    Args:
        id (str):
        body (SignedCommentRequest): Body of `POST /v1/peers/{id}/comments`
            (docs/reference/gateway-protocol.md §5.12.5). The signature covers the Comment
            protobuf built from rater id bytes, subject id bytes (from the path), CID
            `12 20 ‖ SHA-256(text)`, language (if non-empty), attached rating (if valid) and
            timestamp: Ed25519 over SHA-256 of those bytes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SignedCommentRequest,
) -> Any | ErrorEnvelope | str | None:
    """Append a caller-signed comment about a peer

     Appends a Comment about peer `id` that the caller signed with **this gateway's own
    key** (docs/reference/gateway-protocol.md §5.12.5): `rater_peer_id` must be the gateway's
    `boss_peer_id`, so only a holder
    of the gateway's private key can use this route. For a comment signed by the gateway
    itself, use `/v1/peers/{id}/comments/self`.

    Checks in order: submission handler not wired ⇒ 501 (any method); non-POST ⇒ 405; no
    ledger ⇒ 503; subject id ⇒ 400; body read and JSON ⇒ 400; fields ⇒ 400; signature ⇒
    401 `bad_signature`; rater ⇒ 403 `non_self_submitter`. The comment text is stored
    before the signature is verified. After verification the ledger re-signs the entry
    under the gateway key and chains it into the gateway's own log.

    Args:
        id (str):
        body (SignedCommentRequest): Body of `POST /v1/peers/{id}/comments`
            (docs/reference/gateway-protocol.md §5.12.5). The signature covers the Comment
            protobuf built from rater id bytes, subject id bytes (from the path), CID
            `12 20 ‖ SHA-256(text)`, language (if non-empty), attached rating (if valid) and
            timestamp: Ed25519 over SHA-256 of those bytes.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
