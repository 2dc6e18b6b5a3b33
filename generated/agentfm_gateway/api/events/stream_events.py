# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
import contextlib
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | str | None:
    if response.status_code == 200:
        response_200 = response.text
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

    if response.status_code == 500:
        response_500 = response.text
        return response_500

    if response.status_code == 503:
        response_503 = response.text
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


@contextlib.contextmanager
def sync_stream(
    *,
    client: AuthenticatedClient | Client,
    timeout: httpx.Timeout | Unset = UNSET,
) -> Iterator[httpx.Response]:
    """Send the request and hand back the open response without reading its body.

    The 200 body is a `text/event-stream`: iterate `response.iter_lines()`.
    Any other status carries a complete error body: call `response.read()` first. Leaving the
    `with` block closes the connection at once. `timeout` replaces the client's timeout for this
    request (a task may rightly be silent for minutes).
    """
    kwargs = _get_kwargs()
    if not isinstance(timeout, Unset):
        kwargs["timeout"] = timeout
    with client.get_httpx_client().stream(**kwargs) as response:
        yield response


@contextlib.asynccontextmanager
async def asyncio_stream(
    *,
    client: AuthenticatedClient | Client,
    timeout: httpx.Timeout | Unset = UNSET,
) -> AsyncIterator[httpx.Response]:
    """The async twin of `sync_stream`: iterate `response.aiter_lines()`."""
    kwargs = _get_kwargs()
    if not isinstance(timeout, Unset):
        kwargs["timeout"] = timeout
    async with client.get_async_httpx_client().stream(**kwargs) as response:
        yield response
