# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.async_execute_request import AsyncExecuteRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    *,
    body: AsyncExecuteRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/execute/async",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | str | None:
    if response.status_code == 202:
        response_202 = response.json()
        return response_202

    if response.status_code == 400:
        response_400 = response.text
        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = response.text
        return response_403

    if response.status_code == 404:
        response_404 = response.text
        return response_404

    if response.status_code == 405:
        response_405 = response.text
        return response_405

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

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
    *,
    client: AuthenticatedClient | Client,
    body: AsyncExecuteRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Dispatch a task in the background, with an optional webhook

     Starts the task in the background and answers 202 at once (docs/reference/gateway-protocol.md §5.5).
    The gateway drains the
    output to nowhere, waits up to 10 s for the task's zip (so a task without artifacts
    delays the webhook by the full 10 s), then POSTs the `taskCompleted` webhook to
    `webhook_url` if one was given. There is no status endpoint and no failure
    notification: when the dial or the stream fails, nothing is sent. A worker that refused
    (capacity or version text) still counts as completed. Any `task_id` in the request is
    ignored; the gateway mints one and returns it.

    Args:
        body (AsyncExecuteRequest): Body of `POST /api/execute/async`
            (docs/reference/gateway-protocol.md §5.5). Unknown fields, including `task_id`, are
            ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
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
    body: AsyncExecuteRequest,
) -> Any | ErrorEnvelope | str | None:
    """Dispatch a task in the background, with an optional webhook

     Starts the task in the background and answers 202 at once (docs/reference/gateway-protocol.md §5.5).
    The gateway drains the
    output to nowhere, waits up to 10 s for the task's zip (so a task without artifacts
    delays the webhook by the full 10 s), then POSTs the `taskCompleted` webhook to
    `webhook_url` if one was given. There is no status endpoint and no failure
    notification: when the dial or the stream fails, nothing is sent. A worker that refused
    (capacity or version text) still counts as completed. Any `task_id` in the request is
    ignored; the gateway mints one and returns it.

    Args:
        body (AsyncExecuteRequest): Body of `POST /api/execute/async`
            (docs/reference/gateway-protocol.md §5.5). Unknown fields, including `task_id`, are
            ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AsyncExecuteRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Dispatch a task in the background, with an optional webhook

     Starts the task in the background and answers 202 at once (docs/reference/gateway-protocol.md §5.5).
    The gateway drains the
    output to nowhere, waits up to 10 s for the task's zip (so a task without artifacts
    delays the webhook by the full 10 s), then POSTs the `taskCompleted` webhook to
    `webhook_url` if one was given. There is no status endpoint and no failure
    notification: when the dial or the stream fails, nothing is sent. A worker that refused
    (capacity or version text) still counts as completed. Any `task_id` in the request is
    ignored; the gateway mints one and returns it.

    Args:
        body (AsyncExecuteRequest): Body of `POST /api/execute/async`
            (docs/reference/gateway-protocol.md §5.5). Unknown fields, including `task_id`, are
            ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AsyncExecuteRequest,
) -> Any | ErrorEnvelope | str | None:
    """Dispatch a task in the background, with an optional webhook

     Starts the task in the background and answers 202 at once (docs/reference/gateway-protocol.md §5.5).
    The gateway drains the
    output to nowhere, waits up to 10 s for the task's zip (so a task without artifacts
    delays the webhook by the full 10 s), then POSTs the `taskCompleted` webhook to
    `webhook_url` if one was given. There is no status endpoint and no failure
    notification: when the dial or the stream fails, nothing is sent. A worker that refused
    (capacity or version text) still counts as completed. Any `task_id` in the request is
    ignored; the gateway mints one and returns it.

    Args:
        body (AsyncExecuteRequest): Body of `POST /api/execute/async`
            (docs/reference/gateway-protocol.md §5.5). Unknown fields, including `task_id`, are
            ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
