"""Client construction: the api-key modes, derived clients, validation, and keeping secrets."""

from __future__ import annotations

import logging

import httpx
import pytest

from agentfm import AgentFMClient, AsyncAgentFMClient, InvalidRequestError

KEY = "k-0123456789abcdef"
OTHER_KEY = "o-0123456789abcdef"


class Recorder:
    """A MockTransport handler answering /health and remembering each Authorization header."""

    def __init__(self) -> None:
        self.authorization: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.authorization.append(request.headers.get("Authorization"))
        return httpx.Response(200, json={"online_workers": 0, "status": "ok"})


def _client(recorder: Recorder, **options: object) -> AgentFMClient:
    return AgentFMClient(
        "http://gw.test",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        **options,  # type: ignore[arg-type]
    )


def test_an_explicit_key_is_sent_as_a_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", OTHER_KEY)
    recorder = Recorder()
    assert _client(recorder, api_key=KEY).ping()
    assert recorder.authorization == [f"Bearer {KEY}"]


def test_an_omitted_key_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", KEY)
    recorder = Recorder()
    client = _client(recorder)
    assert client.ping()
    assert recorder.authorization == [f"Bearer {KEY}"]
    assert client.api_key == KEY


def test_an_empty_environment_key_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", "")
    recorder = Recorder()
    assert _client(recorder).ping()
    assert recorder.authorization == [None]


def test_an_explicit_none_means_no_auth_and_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", KEY)
    recorder = Recorder()
    assert _client(recorder, api_key=None).ping()
    assert recorder.authorization == [None]


def test_changing_api_key_after_construction_does_not_change_the_header() -> None:
    recorder = Recorder()
    client = _client(recorder, api_key=KEY)
    client.api_key = OTHER_KEY
    client.ping()
    assert recorder.authorization == [f"Bearer {KEY}"]


def test_with_options_replaces_the_key_or_clears_it_and_inherits_the_rest() -> None:
    recorder = Recorder()
    client = _client(recorder, api_key=KEY, retries=5, timeout=7.0)
    other = client.with_options(api_key=OTHER_KEY)
    anonymous = client.with_options(api_key=None)
    inherited = client.with_options(retries=1)
    for derived in (other, anonymous, inherited):
        derived.ping()
    assert recorder.authorization == [f"Bearer {OTHER_KEY}", None, f"Bearer {KEY}"]
    assert other.retries == 5
    assert other.timeout == httpx.Timeout(7.0)
    assert inherited.retries == 1
    assert other.gateway_url == "http://gw.test"


async def test_the_async_client_has_the_same_key_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", KEY)
    recorder = Recorder()
    async with AsyncAgentFMClient(
        "http://gw.test", http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    ) as client:
        assert await client.ping()
        assert await client.with_options(api_key=None).ping()
    assert recorder.authorization == [f"Bearer {KEY}", None]


def test_the_key_never_appears_in_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="agentfm")
    calls = iter(
        [httpx.Response(503), httpx.Response(200, json={"status": "ok", "online_workers": 0})]
    )
    client = AgentFMClient(
        "http://gw.test",
        api_key=KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(lambda request: next(calls))),
    )
    assert client.ping()
    assert KEY not in repr(client)
    assert KEY not in repr(client._options)
    assert "retrying GET /health" in caplog.text
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    "options",
    [
        {"gateway_url": "127.0.0.1:8080"},
        {"gateway_url": "ftp://gateway"},
        {"timeout": -1},
        {"timeout": "30"},
        {"retries": -1},
        {"retries": 1.5},
        {"api_key": "line\nbreak"},
        {"api_key": "has space"},
    ],
)
def test_bad_settings_are_refused_at_construction(options: dict[str, object]) -> None:
    with pytest.raises(InvalidRequestError):
        AgentFMClient(**options)  # type: ignore[arg-type]


def test_the_low_level_client_shares_the_pool_url_and_key() -> None:
    recorder = Recorder()
    client = _client(recorder, api_key=KEY)
    from agentfm_gateway.api.health import get_health

    health = get_health.sync(client=client.gateway)
    assert health is not None
    assert recorder.authorization == [f"Bearer {KEY}"]


def test_an_injected_http_client_is_used_untouched_and_left_open() -> None:
    recorder = Recorder()
    injected = httpx.Client(transport=httpx.MockTransport(recorder), headers={"X-Mine": "1"})
    with AgentFMClient("http://gw.test", api_key=KEY, http_client=injected) as client:
        assert client.ping()
    assert not injected.is_closed
    assert "Authorization" not in injected.headers
    assert injected.headers["X-Mine"] == "1"
