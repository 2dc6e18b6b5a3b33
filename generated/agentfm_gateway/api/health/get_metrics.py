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
        "url": "/metrics",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

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
    *,
    client: AuthenticatedClient | Client,
) -> Response[str]:
    """Prometheus metrics

     Prometheus text exposition format (client_golang 1.23; OpenMetrics is not offered; gzip
    when the request accepts it). Never authenticated, but CORS-wrapped: a cross-site
    non-GET request gets the Origin 403 and `OPTIONS` gets 200 (docs/reference/gateway-protocol.md
    §5.2).

    The Prometheus handler does not check the method: every method, `HEAD` included, gets
    the same exposition, so this route has no 405.

    AgentFM series (every label tuple pre-created at 0):
    `agentfm_tasks_total{status}` (`ok`, `error`, `rejected`, `timeout`; counted by
    `/api/execute`, async tasks and chat completions, not text completions),
    `agentfm_task_duration_seconds` (buckets 1, 5, 15, 60, 180, 300, 600, 1800),
    `agentfm_workers_online`, `agentfm_artifact_bytes_sent_total` (0 on a gateway),
    `agentfm_artifacts_built_total`,
    `agentfm_stream_errors_total{protocol,reason}` (protocol `task`, `artifacts`,
    `feedback`; reason `decode`, `deadline`, `reset`, `peer_eof`, `capacity_rejected`,
    `version_mismatch`, `unknown`), `agentfm_dht_queries_total{op}` (`find_peer`,
    `provide`, `get_value`), `agentfm_auth_attempts_total{outcome}` (`ok`, `missing`,
    `malformed`, `invalid`, `rate_limited`), plus the standard `process_*` and `go_*`
    collectors.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[str]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> str | None:
    """Prometheus metrics

     Prometheus text exposition format (client_golang 1.23; OpenMetrics is not offered; gzip
    when the request accepts it). Never authenticated, but CORS-wrapped: a cross-site
    non-GET request gets the Origin 403 and `OPTIONS` gets 200 (docs/reference/gateway-protocol.md
    §5.2).

    The Prometheus handler does not check the method: every method, `HEAD` included, gets
    the same exposition, so this route has no 405.

    AgentFM series (every label tuple pre-created at 0):
    `agentfm_tasks_total{status}` (`ok`, `error`, `rejected`, `timeout`; counted by
    `/api/execute`, async tasks and chat completions, not text completions),
    `agentfm_task_duration_seconds` (buckets 1, 5, 15, 60, 180, 300, 600, 1800),
    `agentfm_workers_online`, `agentfm_artifact_bytes_sent_total` (0 on a gateway),
    `agentfm_artifacts_built_total`,
    `agentfm_stream_errors_total{protocol,reason}` (protocol `task`, `artifacts`,
    `feedback`; reason `decode`, `deadline`, `reset`, `peer_eof`, `capacity_rejected`,
    `version_mismatch`, `unknown`), `agentfm_dht_queries_total{op}` (`find_peer`,
    `provide`, `get_value`), `agentfm_auth_attempts_total{outcome}` (`ok`, `missing`,
    `malformed`, `invalid`, `rate_limited`), plus the standard `process_*` and `go_*`
    collectors.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[str]:
    """Prometheus metrics

     Prometheus text exposition format (client_golang 1.23; OpenMetrics is not offered; gzip
    when the request accepts it). Never authenticated, but CORS-wrapped: a cross-site
    non-GET request gets the Origin 403 and `OPTIONS` gets 200 (docs/reference/gateway-protocol.md
    §5.2).

    The Prometheus handler does not check the method: every method, `HEAD` included, gets
    the same exposition, so this route has no 405.

    AgentFM series (every label tuple pre-created at 0):
    `agentfm_tasks_total{status}` (`ok`, `error`, `rejected`, `timeout`; counted by
    `/api/execute`, async tasks and chat completions, not text completions),
    `agentfm_task_duration_seconds` (buckets 1, 5, 15, 60, 180, 300, 600, 1800),
    `agentfm_workers_online`, `agentfm_artifact_bytes_sent_total` (0 on a gateway),
    `agentfm_artifacts_built_total`,
    `agentfm_stream_errors_total{protocol,reason}` (protocol `task`, `artifacts`,
    `feedback`; reason `decode`, `deadline`, `reset`, `peer_eof`, `capacity_rejected`,
    `version_mismatch`, `unknown`), `agentfm_dht_queries_total{op}` (`find_peer`,
    `provide`, `get_value`), `agentfm_auth_attempts_total{outcome}` (`ok`, `missing`,
    `malformed`, `invalid`, `rate_limited`), plus the standard `process_*` and `go_*`
    collectors.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> str | None:
    """Prometheus metrics

     Prometheus text exposition format (client_golang 1.23; OpenMetrics is not offered; gzip
    when the request accepts it). Never authenticated, but CORS-wrapped: a cross-site
    non-GET request gets the Origin 403 and `OPTIONS` gets 200 (docs/reference/gateway-protocol.md
    §5.2).

    The Prometheus handler does not check the method: every method, `HEAD` included, gets
    the same exposition, so this route has no 405.

    AgentFM series (every label tuple pre-created at 0):
    `agentfm_tasks_total{status}` (`ok`, `error`, `rejected`, `timeout`; counted by
    `/api/execute`, async tasks and chat completions, not text completions),
    `agentfm_task_duration_seconds` (buckets 1, 5, 15, 60, 180, 300, 600, 1800),
    `agentfm_workers_online`, `agentfm_artifact_bytes_sent_total` (0 on a gateway),
    `agentfm_artifacts_built_total`,
    `agentfm_stream_errors_total{protocol,reason}` (protocol `task`, `artifacts`,
    `feedback`; reason `decode`, `deadline`, `reset`, `peer_eof`, `capacity_rejected`,
    `version_mismatch`, `unknown`), `agentfm_dht_queries_total{op}` (`find_peer`,
    `provide`, `get_value`), `agentfm_auth_attempts_total{outcome}` (`ok`, `missing`,
    `malformed`, `invalid`, `rate_limited`), plus the standard `process_*` and `go_*`
    collectors.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
