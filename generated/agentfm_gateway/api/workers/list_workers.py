# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    include_offline: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_offline"] = include_offline

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/workers",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | str | None:
    if response.status_code == 200:
        response_200 = response.json()
        return response_200

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 405:
        response_405 = response.text
        return response_405

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

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
    *,
    client: AuthenticatedClient | Client,
    include_offline: bool | Unset = False,
) -> Response[Any | ErrorEnvelope | str]:
    """List workers

     The live worker table (docs/reference/gateway-protocol.md §5.3). Online workers come first, most
    recent telemetry first;
    with `include_offline=true`, offline peers follow in unspecified order.

    The engine/model a worker runs appears **only inside `hardware`** on this route
    (e.g. `llama3.2 (CPU: 12 Cores)`): there is no `model`, `engine`, `cpu_cores`,
    `is_witness` or `task` field. `/v1/models` exposes the engine as `agentfm_engine`.

    Args:
        include_offline (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        include_offline=include_offline,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    include_offline: bool | Unset = False,
) -> Any | ErrorEnvelope | str | None:
    """List workers

     The live worker table (docs/reference/gateway-protocol.md §5.3). Online workers come first, most
    recent telemetry first;
    with `include_offline=true`, offline peers follow in unspecified order.

    The engine/model a worker runs appears **only inside `hardware`** on this route
    (e.g. `llama3.2 (CPU: 12 Cores)`): there is no `model`, `engine`, `cpu_cores`,
    `is_witness` or `task` field. `/v1/models` exposes the engine as `agentfm_engine`.

    Args:
        include_offline (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return sync_detailed(
        client=client,
        include_offline=include_offline,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    include_offline: bool | Unset = False,
) -> Response[Any | ErrorEnvelope | str]:
    """List workers

     The live worker table (docs/reference/gateway-protocol.md §5.3). Online workers come first, most
    recent telemetry first;
    with `include_offline=true`, offline peers follow in unspecified order.

    The engine/model a worker runs appears **only inside `hardware`** on this route
    (e.g. `llama3.2 (CPU: 12 Cores)`): there is no `model`, `engine`, `cpu_cores`,
    `is_witness` or `task` field. `/v1/models` exposes the engine as `agentfm_engine`.

    Args:
        include_offline (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        include_offline=include_offline,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    include_offline: bool | Unset = False,
) -> Any | ErrorEnvelope | str | None:
    """List workers

     The live worker table (docs/reference/gateway-protocol.md §5.3). Online workers come first, most
    recent telemetry first;
    with `include_offline=true`, offline peers follow in unspecified order.

    The engine/model a worker runs appears **only inside `hardware`** on this route
    (e.g. `llama3.2 (CPU: 12 Cores)`): there is no `model`, `engine`, `cpu_cores`,
    `is_witness` or `task` field. `/v1/models` exposes the engine as `agentfm_engine`.

    Args:
        include_offline (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return (
        await asyncio_detailed(
            client=client,
            include_offline=include_offline,
        )
    ).parsed
