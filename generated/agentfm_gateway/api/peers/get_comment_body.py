# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    id: str,
    cid: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/peers/{id}/comments/{cid}".format(
            id=quote(str(id), safe=""),
            cid=quote(str(cid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = ErrorEnvelope.from_dict(response.json())

        return response_405

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | str]:
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
    cid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | str]:
    """Comment text by CID

     The exact stored text of a comment (docs/reference/gateway-protocol.md §5.12.7). On a local miss the
    gateway asks the
    comment's author and then its relay (10 s each) and caches what it fetches, so a miss
    can take about 20 s before the 404.

    Args:
        id (str):
        cid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        id=id,
        cid=cid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    cid: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | str | None:
    """Comment text by CID

     The exact stored text of a comment (docs/reference/gateway-protocol.md §5.12.7). On a local miss the
    gateway asks the
    comment's author and then its relay (10 s each) and caches what it fetches, so a miss
    can take about 20 s before the 404.

    Args:
        id (str):
        cid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | str
    """

    return sync_detailed(
        id=id,
        cid=cid,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    cid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | str]:
    """Comment text by CID

     The exact stored text of a comment (docs/reference/gateway-protocol.md §5.12.7). On a local miss the
    gateway asks the
    comment's author and then its relay (10 s each) and caches what it fetches, so a miss
    can take about 20 s before the 404.

    Args:
        id (str):
        cid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        id=id,
        cid=cid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    cid: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | str | None:
    """Comment text by CID

     The exact stored text of a comment (docs/reference/gateway-protocol.md §5.12.7). On a local miss the
    gateway asks the
    comment's author and then its relay (10 s each) and caches what it fetches, so a miss
    can take about 20 s before the 404.

    Args:
        id (str):
        cid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | str
    """

    return (
        await asyncio_detailed(
            id=id,
            cid=cid,
            client=client,
        )
    ).parsed
