# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/health",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | str | None:
    if response.status_code == 200:
        response_200 = response.json()
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
) -> Response[Any | str]:
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
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | str]:
    """Gateway liveness

     Answers 200 as soon as the HTTP server listens, whatever the mesh connectivity or worker
    count (docs/reference/gateway-protocol.md §1.4, §5.1): it says the gateway is up, not that it
    reaches the mesh. Poll it for
    readiness instead of parsing the start-up banner. Not CORS-wrapped, never authenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | str]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> Any | str | None:
    """Gateway liveness

     Answers 200 as soon as the HTTP server listens, whatever the mesh connectivity or worker
    count (docs/reference/gateway-protocol.md §1.4, §5.1): it says the gateway is up, not that it
    reaches the mesh. Poll it for
    readiness instead of parsing the start-up banner. Not CORS-wrapped, never authenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | str]:
    """Gateway liveness

     Answers 200 as soon as the HTTP server listens, whatever the mesh connectivity or worker
    count (docs/reference/gateway-protocol.md §1.4, §5.1): it says the gateway is up, not that it
    reaches the mesh. Poll it for
    readiness instead of parsing the start-up banner. Not CORS-wrapped, never authenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> Any | str | None:
    """Gateway liveness

     Answers 200 as soon as the HTTP server listens, whatever the mesh connectivity or worker
    count (docs/reference/gateway-protocol.md §1.4, §5.1): it says the gateway is up, not that it
    reaches the mesh. Poll it for
    readiness instead of parsing the start-up banner. Not CORS-wrapped, never authenticated.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
