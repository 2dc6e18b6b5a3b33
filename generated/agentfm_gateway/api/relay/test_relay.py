# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.relay_test_request import RelayTestRequest
from ...models.relay_test_result import RelayTestResult
from ...types import Response


def _get_kwargs(
    *,
    body: RelayTestRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/relay/test",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | RelayTestResult | str | None:
    if response.status_code == 200:
        response_200 = RelayTestResult.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = RelayTestResult.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = response.text
        return response_403

    if response.status_code == 405:
        response_405 = RelayTestResult.from_dict(response.json())

        return response_405

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = RelayTestResult.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | RelayTestResult | str]:
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
    body: RelayTestRequest,
) -> Response[ErrorEnvelope | RelayTestResult | str]:
    """Test a relay multiaddr

     Checks that the gateway can reach the relay at `multiaddr` (docs/reference/gateway-protocol.md
    §5.6): already connected, or
    a 5-second dial succeeds. Every reply of this handler, errors included, is a
    `RelayTestResult`. A 200 may carry `ok: false`: read `ok`, not the status. A successful
    dial adds the relay to the gateway's address book.

    Args:
        body (RelayTestRequest): Body of `POST /api/relay/test`
            (docs/reference/gateway-protocol.md §5.6). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | RelayTestResult | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: RelayTestRequest,
) -> ErrorEnvelope | RelayTestResult | str | None:
    """Test a relay multiaddr

     Checks that the gateway can reach the relay at `multiaddr` (docs/reference/gateway-protocol.md
    §5.6): already connected, or
    a 5-second dial succeeds. Every reply of this handler, errors included, is a
    `RelayTestResult`. A 200 may carry `ok: false`: read `ok`, not the status. A successful
    dial adds the relay to the gateway's address book.

    Args:
        body (RelayTestRequest): Body of `POST /api/relay/test`
            (docs/reference/gateway-protocol.md §5.6). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | RelayTestResult | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RelayTestRequest,
) -> Response[ErrorEnvelope | RelayTestResult | str]:
    """Test a relay multiaddr

     Checks that the gateway can reach the relay at `multiaddr` (docs/reference/gateway-protocol.md
    §5.6): already connected, or
    a 5-second dial succeeds. Every reply of this handler, errors included, is a
    `RelayTestResult`. A 200 may carry `ok: false`: read `ok`, not the status. A successful
    dial adds the relay to the gateway's address book.

    Args:
        body (RelayTestRequest): Body of `POST /api/relay/test`
            (docs/reference/gateway-protocol.md §5.6). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | RelayTestResult | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RelayTestRequest,
) -> ErrorEnvelope | RelayTestResult | str | None:
    """Test a relay multiaddr

     Checks that the gateway can reach the relay at `multiaddr` (docs/reference/gateway-protocol.md
    §5.6): already connected, or
    a 5-second dial succeeds. Every reply of this handler, errors included, is a
    `RelayTestResult`. A 200 may carry `ok: false`: read `ok`, not the status. A successful
    dial adds the relay to the gateway's address book.

    Args:
        body (RelayTestRequest): Body of `POST /api/relay/test`
            (docs/reference/gateway-protocol.md §5.6). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | RelayTestResult | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
