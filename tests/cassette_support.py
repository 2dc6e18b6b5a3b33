"""Recorded-cassette tests: replayed offline by `make test`, re-recorded by `make record`.

A test marked `@pytest.mark.cassette` takes the `recorded_gateway` fixture and talks to
`recorded_gateway.url` with `recorded_gateway.api_key`:

* replay (the default, and CI): vcrpy serves the recorded answers with record mode `none`, so a
  request with no recorded answer fails loudly and nothing touches the network;
* recording (`make record`, see tests/record.py): the same requests go to a running gateway —
  `agentfm-sim` started with an API key, or `GATEWAY_URL` — and every cassette is written anew.

Requests are matched on method, path, query and body (not host and port, which differ between a
recording and a replay). Task ids the SDK mints are made deterministic for the test, so request
bodies match. Authorization, cookies and the recording key are scrubbed before anything is written.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.cassette import Cassette

CASSETTES = Path(__file__).resolve().parent / "cassettes"
RECORD_GATEWAY_ENV = "AGENTFM_RECORD_GATEWAY"
RECORD_KEY_ENV = "AGENTFM_RECORD_API_KEY"
# In replay nothing is contacted; the URL only has to be well formed.
REPLAY_URL = "http://127.0.0.1:8080"
REPLAY_KEY = "replayed-key-is-never-sent"
SCRUBBED = "<scrubbed>"


def recording() -> bool:
    return bool(os.environ.get(RECORD_GATEWAY_ENV))


def _scrub_secrets(text: str) -> str:
    key = os.environ.get(RECORD_KEY_ENV)
    return text.replace(key, SCRUBBED) if key else text


def _scrub_request(request: Any) -> Any:
    if isinstance(request.body, bytes):
        request.body = _scrub_secrets(request.body.decode("utf-8", "replace")).encode("utf-8")
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = _scrub_secrets(body.decode("utf-8", "replace")).encode()
    return response


def make_vcr() -> vcr.VCR:
    return vcr.VCR(
        serializer="yaml",
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if recording() else "none",
        match_on=("method", "path", "query", "body"),
        filter_headers=["authorization", "cookie", "set-cookie"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )


@dataclass(frozen=True)
class RecordedGateway:
    """Where a cassette test sends its requests, and the cassette that answers them."""

    url: str
    api_key: str
    cassette: Cassette


def cassette_path(request: pytest.FixtureRequest) -> str:
    module = Path(str(request.node.fspath)).stem
    return f"{module}/{request.node.name}.yaml"


@pytest.fixture
def recorded_gateway(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordedGateway]:
    """A gateway behind a cassette (see the module docstring)."""
    counter = itertools.count(1)
    monkeypatch.setattr("agentfm._tasks.new_task_id", lambda: f"task_{next(counter):024x}")
    if recording():
        url = os.environ[RECORD_GATEWAY_ENV]
        api_key = os.environ.get(RECORD_KEY_ENV) or REPLAY_KEY
    else:
        url, api_key = REPLAY_URL, REPLAY_KEY
    with make_vcr().use_cassette(cassette_path(request)) as cassette:
        yield RecordedGateway(url=url, api_key=api_key, cassette=cassette)
        if not recording():
            assert cassette.all_played, "the test no longer makes every recorded request"
