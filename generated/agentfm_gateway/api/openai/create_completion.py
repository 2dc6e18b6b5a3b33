# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
import contextlib
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.completion_request import CompletionRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CompletionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/completions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | str | None:
    if response.status_code == 200:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            # Asked for with `stream: true`: read it with sync_stream / asyncio_stream.
            return None
        response_200 = response.json()
        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = response.text
        return response_403

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

    if response.status_code == 502:
        response_502 = ErrorEnvelope.from_dict(response.json())

        return response_502

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
    body: CompletionRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Text completion routed to one worker

     OpenAI-compatible text completion (docs/reference/gateway-protocol.md §5.11): `prompt` goes to the
    worker verbatim (no role
    flattening). Same body cap, `model` rule, routing, errors and output processing as
    `/v1/chat/completions`. Only the string form of `prompt` is accepted: an array or any
    other type is a 400 `unsupported_prompt_type`.

    Args:
        body (CompletionRequest): Body of `POST /v1/completions`
            (docs/reference/gateway-protocol.md §5.11). Only these fields are honoured; every other
            field is accepted and ignored.

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
    body: CompletionRequest,
) -> Any | ErrorEnvelope | str | None:
    """Text completion routed to one worker

     OpenAI-compatible text completion (docs/reference/gateway-protocol.md §5.11): `prompt` goes to the
    worker verbatim (no role
    flattening). Same body cap, `model` rule, routing, errors and output processing as
    `/v1/chat/completions`. Only the string form of `prompt` is accepted: an array or any
    other type is a 400 `unsupported_prompt_type`.

    Args:
        body (CompletionRequest): Body of `POST /v1/completions`
            (docs/reference/gateway-protocol.md §5.11). Only these fields are honoured; every other
            field is accepted and ignored.

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
    body: CompletionRequest,
) -> Response[Any | ErrorEnvelope | str]:
    """Text completion routed to one worker

     OpenAI-compatible text completion (docs/reference/gateway-protocol.md §5.11): `prompt` goes to the
    worker verbatim (no role
    flattening). Same body cap, `model` rule, routing, errors and output processing as
    `/v1/chat/completions`. Only the string form of `prompt` is accepted: an array or any
    other type is a 400 `unsupported_prompt_type`.

    Args:
        body (CompletionRequest): Body of `POST /v1/completions`
            (docs/reference/gateway-protocol.md §5.11). Only these fields are honoured; every other
            field is accepted and ignored.

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
    body: CompletionRequest,
) -> Any | ErrorEnvelope | str | None:
    """Text completion routed to one worker

     OpenAI-compatible text completion (docs/reference/gateway-protocol.md §5.11): `prompt` goes to the
    worker verbatim (no role
    flattening). Same body cap, `model` rule, routing, errors and output processing as
    `/v1/chat/completions`. Only the string form of `prompt` is accepted: an array or any
    other type is a 400 `unsupported_prompt_type`.

    Args:
        body (CompletionRequest): Body of `POST /v1/completions`
            (docs/reference/gateway-protocol.md §5.11). Only these fields are honoured; every other
            field is accepted and ignored.

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


@contextlib.contextmanager
def sync_stream(
    *,
    client: AuthenticatedClient | Client,
    body: CompletionRequest,
    timeout: httpx.Timeout | Unset = UNSET,
) -> Iterator[httpx.Response]:
    """Send the request and hand back the open response without reading its body.

    The 200 body is a `text/event-stream`: iterate `response.iter_lines()`.
    Any other status carries a complete error body: call `response.read()` first. Leaving the
    `with` block closes the connection at once. `timeout` replaces the client's timeout for this
    request (a task may rightly be silent for minutes).
    """
    kwargs = _get_kwargs(
        body=body,
    )
    if not isinstance(timeout, Unset):
        kwargs["timeout"] = timeout
    with client.get_httpx_client().stream(**kwargs) as response:
        yield response


@contextlib.asynccontextmanager
async def asyncio_stream(
    *,
    client: AuthenticatedClient | Client,
    body: CompletionRequest,
    timeout: httpx.Timeout | Unset = UNSET,
) -> AsyncIterator[httpx.Response]:
    """The async twin of `sync_stream`: iterate `response.aiter_lines()`."""
    kwargs = _get_kwargs(
        body=body,
    )
    if not isinstance(timeout, Unset):
        kwargs["timeout"] = timeout
    async with client.get_async_httpx_client().stream(**kwargs) as response:
        yield response
