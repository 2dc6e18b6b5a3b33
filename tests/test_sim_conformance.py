"""Schemathesis runs schema/openapi.yaml against agentfm-sim: spec and simulator agree.

Every generated request — schema-valid (positive) and schema-violating (negative) — must get an
answer with a documented status, a documented content type, the documented headers and a body
matching the documented schema, and never a 5xx the spec does not list.

Three of schemathesis's default checks are heuristics the real gateway contradicts, so they are
left out (gateway-protocol.md is the truth):
* `unsupported_method` also demands an `Allow` header on 405; Go's `http.Error` never sends one.
* `negative_data_rejection` expects schema-violating input to be refused; the gateway's Go JSON
  decoder accepts `null` for any field and it clamps junk `limit`/`offset`/`include_offline`.
* `positive_data_acceptance` expects every schema-valid input to be accepted; a peer id cannot be
  captured by a pattern (three libp2p text forms, checked by decoding), so the gateway's
  documented 400 `bad_peer_id` looks like a refusal of valid input.
`/v1/events` is an endless stream and is checked by tests/test_sim_events.py instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks

from agentfm.testing import MeshSimulator

SPEC = Path(__file__).resolve().parent.parent / "schema" / "openapi.yaml"
EXCLUDED_CHECKS = [
    checks.unsupported_method,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
]
KEY = "conformance-key-0123456789"

schema = schemathesis.openapi.from_path(str(SPEC))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=25,
    deterministic=True,
)
# Cases are generated lazily per test; a second view of the same spec for the keyed gateway.
protected = schemathesis.openapi.from_path(str(SPEC))
protected.config.generation.update(
    modes=[GenerationMode.POSITIVE], max_examples=5, deterministic=True
)


@pytest.fixture(scope="module")
def open_gateway() -> Iterator[MeshSimulator]:
    with MeshSimulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def keyed_gateway() -> Iterator[MeshSimulator]:
    with MeshSimulator(api_keys=[KEY]) as simulator:
        yield simulator


@schema.exclude(operation_id="stream_events").parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_simulator_answers_as_the_spec_documents(
    case: schemathesis.Case, open_gateway: MeshSimulator
) -> None:
    case.call_and_validate(base_url=open_gateway.url, excluded_checks=EXCLUDED_CHECKS)


@protected.exclude(operation_id="stream_events").parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_without_a_token_a_keyed_gateway_answers_as_documented(
    case: schemathesis.Case, keyed_gateway: MeshSimulator
) -> None:
    # No Authorization header is sent: protected routes refuse with their documented 401 envelope,
    # or, once this address has failed 30 times, the limiter's 429 (gateway-protocol.md 4.4).
    response = case.call_and_validate(base_url=keyed_gateway.url, excluded_checks=EXCLUDED_CHECKS)
    operation_id = case.operation.definition.raw["operationId"]
    exempt = operation_id in {"get_health", "get_metrics", "get_peer_page"}
    assert (response.status_code in (401, 429)) is not exempt
