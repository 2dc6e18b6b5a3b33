# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...types import Response


def _get_kwargs(
    id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/ui/peer/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 405:
        response_405 = response.text
        return response_405

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[str]:
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
) -> Response[str]:
    """Static peer page (HTML)

     An embedded static HTML page (docs/reference/gateway-protocol.md §5.13), not rendered server-side:
    its script fetches
    `/v1/peers/<id>/reputation` and `/v1/peers/<id>/log?limit=50` **without** an
    `Authorization` header, so it shows no data when API keys are configured. Not
    CORS-wrapped, never authenticated.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[str]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> str | None:
    """Static peer page (HTML)

     An embedded static HTML page (docs/reference/gateway-protocol.md §5.13), not rendered server-side:
    its script fetches
    `/v1/peers/<id>/reputation` and `/v1/peers/<id>/log?limit=50` **without** an
    `Authorization` header, so it shows no data when API keys are configured. Not
    CORS-wrapped, never authenticated.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        str
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[str]:
    """Static peer page (HTML)

     An embedded static HTML page (docs/reference/gateway-protocol.md §5.13), not rendered server-side:
    its script fetches
    `/v1/peers/<id>/reputation` and `/v1/peers/<id>/log?limit=50` **without** an
    `Authorization` header, so it shows no data when API keys are configured. Not
    CORS-wrapped, never authenticated.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[str]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> str | None:
    """Static peer page (HTML)

     An embedded static HTML page (docs/reference/gateway-protocol.md §5.13), not rendered server-side:
    its script fetches
    `/v1/peers/<id>/reputation` and `/v1/peers/<id>/log?limit=50` **without** an
    `Authorization` header, so it shows no data when API keys are configured. Not
    CORS-wrapped, never authenticated.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        str
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
