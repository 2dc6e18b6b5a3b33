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
from ...models.execute_request import ExecuteRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ExecuteRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/execute",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

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

    if response.status_code == 500:
        response_500 = response.text
        return response_500

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
    *,
    client: AuthenticatedClient | Client,
    body: ExecuteRequest,
) -> Response[ErrorEnvelope | str]:
    """Run a task and stream its raw output

     Dispatches `prompt` to the worker `worker_id` and streams the worker's raw task output
    back as it arrives (docs/reference/gateway-protocol.md §5.4). Validation happens before the 200;
    after that, every outcome
    is a 200.

    **A 200 without a completion sentinel is a failed task.** The body ends with
    `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n` only when the task ran to
    completion. A worker refusal (capacity, CPU, GPU, version mismatch) is a single `❌ ERROR: …`
    line and no sentinel; a stream error or the 10-minute idle timeout ends the body cleanly
    with no sentinel and no error text (an empty body when nothing had been written).

    The task id is not echoed (no header): send your own `task_id` to find the artifact
    `agentfm_artifacts/<task_id>.zip` on the gateway host. Synchronous dispatch has no
    concurrency cap.

    Args:
        body (ExecuteRequest): Body of `POST /api/execute` (docs/reference/gateway-protocol.md
            §5.4). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | str]
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
    body: ExecuteRequest,
) -> ErrorEnvelope | str | None:
    """Run a task and stream its raw output

     Dispatches `prompt` to the worker `worker_id` and streams the worker's raw task output
    back as it arrives (docs/reference/gateway-protocol.md §5.4). Validation happens before the 200;
    after that, every outcome
    is a 200.

    **A 200 without a completion sentinel is a failed task.** The body ends with
    `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n` only when the task ran to
    completion. A worker refusal (capacity, CPU, GPU, version mismatch) is a single `❌ ERROR: …`
    line and no sentinel; a stream error or the 10-minute idle timeout ends the body cleanly
    with no sentinel and no error text (an empty body when nothing had been written).

    The task id is not echoed (no header): send your own `task_id` to find the artifact
    `agentfm_artifacts/<task_id>.zip` on the gateway host. Synchronous dispatch has no
    concurrency cap.

    Args:
        body (ExecuteRequest): Body of `POST /api/execute` (docs/reference/gateway-protocol.md
            §5.4). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | str
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExecuteRequest,
) -> Response[ErrorEnvelope | str]:
    """Run a task and stream its raw output

     Dispatches `prompt` to the worker `worker_id` and streams the worker's raw task output
    back as it arrives (docs/reference/gateway-protocol.md §5.4). Validation happens before the 200;
    after that, every outcome
    is a 200.

    **A 200 without a completion sentinel is a failed task.** The body ends with
    `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n` only when the task ran to
    completion. A worker refusal (capacity, CPU, GPU, version mismatch) is a single `❌ ERROR: …`
    line and no sentinel; a stream error or the 10-minute idle timeout ends the body cleanly
    with no sentinel and no error text (an empty body when nothing had been written).

    The task id is not echoed (no header): send your own `task_id` to find the artifact
    `agentfm_artifacts/<task_id>.zip` on the gateway host. Synchronous dispatch has no
    concurrency cap.

    Args:
        body (ExecuteRequest): Body of `POST /api/execute` (docs/reference/gateway-protocol.md
            §5.4). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ExecuteRequest,
) -> ErrorEnvelope | str | None:
    """Run a task and stream its raw output

     Dispatches `prompt` to the worker `worker_id` and streams the worker's raw task output
    back as it arrives (docs/reference/gateway-protocol.md §5.4). Validation happens before the 200;
    after that, every outcome
    is a 200.

    **A 200 without a completion sentinel is a failed task.** The body ends with
    `\\n[AGENTFM: FILES_INCOMING]\\n` or `\\n[AGENTFM: NO_FILES]\\n` only when the task ran to
    completion. A worker refusal (capacity, CPU, GPU, version mismatch) is a single `❌ ERROR: …`
    line and no sentinel; a stream error or the 10-minute idle timeout ends the body cleanly
    with no sentinel and no error text (an empty body when nothing had been written).

    The task id is not echoed (no header): send your own `task_id` to find the artifact
    `agentfm_artifacts/<task_id>.zip` on the gateway host. Synchronous dispatch has no
    concurrency cap.

    Args:
        body (ExecuteRequest): Body of `POST /api/execute` (docs/reference/gateway-protocol.md
            §5.4). Unknown fields are ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | str
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
    body: ExecuteRequest,
    timeout: httpx.Timeout | Unset = UNSET,
) -> Iterator[httpx.Response]:
    """Send the request and hand back the open response without reading its body.

    The 200 body is chunked `text/plain` task output: iterate `response.iter_bytes()`; chunk
    boundaries are arbitrary.
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
    body: ExecuteRequest,
    timeout: httpx.Timeout | Unset = UNSET,
) -> AsyncIterator[httpx.Response]:
    """The async twin of `sync_stream`: iterate `response.aiter_bytes()`."""
    kwargs = _get_kwargs(
        body=body,
    )
    if not isinstance(timeout, Unset):
        kwargs["timeout"] = timeout
    async with client.get_async_httpx_client().stream(**kwargs) as response:
        yield response
