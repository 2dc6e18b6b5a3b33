"""`client.events` and `workers.watch()` refusals, sync and async, replayed from cassettes.

`/v1/events` never ends by itself, so a successful stream cannot be recorded: a cassette holds a
whole answer, and vcrpy reads the answer to the end before storing it. What can be recorded is
every answer that does end: here, the gateway refusing a wrong key, which the stream must raise
at once instead of reconnecting. The events themselves are tested live against the simulator and
with scripted chunking in tests/test_events.py.
"""

from __future__ import annotations

import pytest
from cassette_support import RecordedGateway

from agentfm import AgentFMClient, AsyncAgentFMClient, AuthenticationError

pytestmark = pytest.mark.cassette

WRONG_KEY = "not-the-key-for-events-0123"


def test_events_refuse_a_wrong_key_sync(recorded_gateway: RecordedGateway) -> None:
    with AgentFMClient(recorded_gateway.url, api_key=WRONG_KEY, retries=0) as client:
        with pytest.raises(AuthenticationError) as stream_refused:
            next(client.events.stream())
        with pytest.raises(AuthenticationError) as watch_refused:
            next(client.workers.watch())
    assert (stream_refused.value.status, stream_refused.value.code) == (401, "invalid_api_key")
    assert watch_refused.value.code == "invalid_api_key"


async def test_events_refuse_a_missing_key_async(recorded_gateway: RecordedGateway) -> None:
    async with AsyncAgentFMClient(recorded_gateway.url, api_key=None, retries=0) as client:
        stream = client.events.stream()
        with pytest.raises(AuthenticationError) as refused:
            await stream.__anext__()
        await stream.aclose()
        tables = client.workers.watch()
        with pytest.raises(AuthenticationError):
            await tables.__anext__()
        await tables.aclose()
    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
