"""The 0.3.0 README's snippets run unchanged against agentfm-sim: its API is a promise.

Each snippet below is the published text, character for character, run with `exec`. They talk to
`http://127.0.0.1:8080` (the README's address, and the SDK's default); the `seed_gateway` fixture
sends that address to a simulator on a free port by rewriting the port in httpx's transport, the
test's equivalent of an /etc/hosts entry, so not one character of a snippet changes. What a
snippet leaves undefined (`client`, `worker`, `peer_id`, `want_to_stop`), the test defines first,
as the README's prose does. The artifact hello world, webhooks, scatter and the local gateway have
their own tests (test_daemon.py, test_webhook.py, test_scatter.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import textwrap
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agentfm import WorkerNotFoundError
from agentfm.testing import MeshSimulator

SEED_ADDRESS = ("127.0.0.1", 8080)

HELLO_WORLD = """
from agentfm import AgentFMClient

with AgentFMClient(gateway_url="http://127.0.0.1:8080") as client:
    # 1. Discover: see every candidate with full metadata
    for w in client.workers.list(model="llama3.2"):
        print(f"{w.peer_id[:12]}...  {w.author!r}  load={w.current_tasks}/{w.max_tasks}")

    # 2. Pick: explicit choice (peer_id is the cryptographically verifiable identifier)
    worker = client.workers.list(model="llama3.2")[0]

    # 3. Dispatch: by peer_id, always
    result = client.tasks.run(
        worker_id=worker.peer_id,
        prompt="Draft a 200-word leave policy. Save it as policy.md to /tmp/output.",
    )

    print(result.text)
    print(f"\\nDuration: {result.duration_seconds:.1f}s")

    # Anything the agent wrote to /tmp/output is auto-zipped, transferred,
    # and extracted client-side. result.artifacts is a list of pathlib.Path.
    for path in result.artifacts:
        print(f"  artifact: {path} ({path.stat().st_size} bytes)")
"""

STREAMING = """
for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="..."):
    if chunk.kind == "text":
        print(chunk.text, end="", flush=True)
"""

OPENAI_NAMESPACE = """
# AgentFM's typed namespace (recommended for new code)
resp = client.openai.chat.completions.create(
    model=worker.peer_id,                    # peer_id pin-routes; any string also works
    messages=[{"role": "user", "content": "hi"}],
)
print(resp.choices[0].message.content)

# Streaming
for chunk in client.openai.chat.completions.create(
    model=worker.peer_id,
    messages=[{"role": "user", "content": "hi"}],
    stream=True,
):
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
"""

OFFICIAL_OPENAI = """
from openai import OpenAI

client = OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="your-key")
resp = client.chat.completions.create(
    model="llama3.2",
    messages=[{"role": "user", "content": "hi"}],
)
"""

AUTHENTICATION = """
from agentfm import AgentFMClient, AuthenticationError

# Three modes:
client = AgentFMClient(api_key="your-key")    # explicit
client = AgentFMClient()                       # falls back to AGENTFM_API_KEY env
client = AgentFMClient(api_key=None)           # explicit no-auth (skips env)

try:
    client.workers.list()
except AuthenticationError as e:
    print(e.code, e.status)  # "invalid_api_key" 401
"""

ERROR_HANDLING = """
from agentfm import (
    AgentFMError, AuthenticationError, GatewayConnectionError,
    ModelNotFoundError, MeshOverloadedError, WorkerNotFoundError,
    WorkerStreamError, WorkerUnreachableError, InvalidRequestError,
)

try:
    result = client.tasks.run(worker_id=peer_id, prompt="...")
except AuthenticationError:
    print("API key rejected; check AGENTFM_API_KEY")
except WorkerNotFoundError:
    print("That peer isn't in current telemetry")
except WorkerUnreachableError:
    print("Peer is online but the gateway can't dial it")
except MeshOverloadedError:
    print("All matching workers are at capacity; retry later")
except WorkerStreamError as e:
    print(f"Stream failed mid-task: {e.message}")
except AgentFMError as e:
    print(f"Other gateway error: code={e.code} status={e.status}")
"""

SCATTER = """
prompts = [f"Summarise document #{i}" for i in range(50)]

# Spread across an explicit peer list
results = client.tasks.scatter(
    prompts,
    peer_ids=[w.peer_id for w in client.workers.list(available_only=True)],
    max_concurrency=8,
    max_retries=2,
)

for i, r in enumerate(results):
    if r.status == "success":
        print(f"[{i}] ok  ({len(r.text)} chars)")
    else:
        print(f"[{i}] failed: {r.error}")
"""

SCATTER_BY_MODEL = """
results = client.tasks.scatter_by_model(
    prompts,
    model="llama3.2",          # filters workers by their advertised model
    max_workers=4,             # use at most 4 of the matching workers
    max_concurrency=8,         # at most 8 concurrent in-flight tasks
    max_retries=2,
)
"""

SCATTER_PICK = """
results = client.tasks.scatter_by_model(
    prompts,
    model="flux.2",
    pick=lambda ws: sorted(ws, key=lambda w: w.gpu_usage_pct)[:3],
)
"""

ASYNC = """
import asyncio
from agentfm import AsyncAgentFMClient

async def main() -> None:
    async with AsyncAgentFMClient() as client:
        workers = await client.workers.list()
        worker = workers[0]
        async for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="hi"):
            if chunk.kind == "text":
                print(chunk.text, end="", flush=True)

asyncio.run(main())
"""

ASYNC_OPENAI_STREAMING = """
async with AsyncAgentFMClient() as client:
    stream = await client.openai.chat.completions.create(
        model=worker.peer_id,
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
"""

ACLOSING = """
from contextlib import aclosing

async with aclosing(client.tasks.stream(worker_id=peer_id, prompt="...")) as stream:
    async for chunk in stream:
        if want_to_stop:
            break  # response cleaned up via aclosing
"""


def _run(snippet: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(snippet, "<seed README>", "exec"), namespace)
    return namespace


async def _run_async(snippet: str, namespace: dict[str, Any]) -> dict[str, Any]:
    # A top-level `async with` in the README runs inside the reader's own coroutine.
    body = textwrap.indent(snippet, "    ")
    _run(f"async def __snippet__():\n{body}\n    return locals()\n", namespace)
    namespace.update(await namespace["__snippet__"]())
    return namespace


@contextlib.contextmanager
def _route_seed_address_to(url: str) -> Iterator[None]:
    port = httpx.URL(url).port
    patch = pytest.MonkeyPatch()
    # The SDK sends through httpx; the official openai package through its fork httpx2.
    for module in (httpx, _optional("httpx2")):
        if module is not None:
            _redirect_transports(module, port, patch)
    try:
        yield
    finally:
        patch.undo()


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _redirect_transports(module: Any, port: int | None, patch: pytest.MonkeyPatch) -> None:
    sync_send = module.HTTPTransport.handle_request
    async_send = module.AsyncHTTPTransport.handle_async_request

    def redirected(request: Any) -> Any:
        if (request.url.host, request.url.port) == SEED_ADDRESS:
            request.url = request.url.copy_with(port=port)
        return request

    def handle_request(self: Any, request: Any) -> Any:
        return sync_send(self, redirected(request))

    async def handle_async_request(self: Any, request: Any) -> Any:
        return await async_send(self, redirected(request))

    patch.setattr(module.HTTPTransport, "handle_request", handle_request)
    patch.setattr(module.AsyncHTTPTransport, "handle_async_request", handle_async_request)


@pytest.fixture
def seed_gateway(
    agentfm_mesh: MeshSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MeshSimulator]:
    """The default demo mesh, answering at the README's address, run from the gateway's working
    directory (the README's setting: `./agentfm_artifacts` is where the gateway writes zips)."""
    monkeypatch.delenv("AGENTFM_API_KEY", raising=False)
    monkeypatch.chdir(agentfm_mesh.workdir)
    with _route_seed_address_to(agentfm_mesh.url):
        yield agentfm_mesh


@pytest.fixture
def context(seed_gateway: MeshSimulator) -> Iterator[dict[str, Any]]:
    """What the README's later snippets assume: `client`, `worker`, `peer_id` from hello world."""
    from agentfm import AgentFMClient

    client = AgentFMClient(gateway_url="http://127.0.0.1:8080")
    worker = client.workers.list(model="llama3.2")[0]
    yield {"client": client, "worker": worker, "peer_id": worker.peer_id}
    client.close()


def test_hello_world(seed_gateway: MeshSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = _run(HELLO_WORLD, {})
    printed = capsys.readouterr().out
    assert "Draft a 200-word leave policy" in namespace["result"].text
    assert namespace["result"].worker_id == namespace["worker"].peer_id
    assert f"{namespace['worker'].peer_id[:12]}..." in printed
    assert "Duration: " in printed


def test_streaming(context: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    _run(STREAMING, context)
    printed = capsys.readouterr().out
    assert "received: ..." in printed
    assert "AGENTFM" not in printed


def test_openai_namespace(context: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    namespace = _run(OPENAI_NAMESPACE, context)
    printed = capsys.readouterr().out
    assert namespace["resp"].choices[0].message.content in printed
    assert printed.count("user: hi") == 2  # once answered whole, once streamed


def test_official_openai_package(seed_gateway: MeshSimulator) -> None:
    namespace = _run(OFFICIAL_OPENAI, {})
    assert "user: hi" in namespace["resp"].choices[0].message.content


@pytest.mark.agentfm_mesh(api_keys=["a-key-configured-on-the-gateway"])
def test_authentication(seed_gateway: MeshSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    # The gateway requires a key: the snippet's explicit no-auth client is refused.
    _run(AUTHENTICATION, {})
    assert capsys.readouterr().out == "unauthorized 401\n"


def test_error_handling_on_success(
    context: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = _run(ERROR_HANDLING, context)
    assert "received: ..." in namespace["result"].text
    assert capsys.readouterr().out == ""


def test_error_handling_of_an_unknown_peer(
    context: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    context["peer_id"] = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
    _run(ERROR_HANDLING, context)
    assert capsys.readouterr().out == "That peer isn't in current telemetry\n"


@pytest.mark.agentfm_mesh(workers=[{"name": "dropper", "engine": "llama3.2", "fail_mode": "drop"}])
def test_error_handling_of_a_dropped_stream(
    context: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    _run(ERROR_HANDLING, context)
    assert capsys.readouterr().out.startswith("Stream failed mid-task: ")


def test_scatter(context: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    namespace = _run(SCATTER, context)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split("]")[0] for line in printed] == [f"[{i}" for i in range(50)]
    assert all(" ok  (" in line for line in printed)
    for prompt, result in zip(namespace["prompts"], namespace["results"], strict=True):
        assert result.prompt == prompt
        assert prompt in result.text


def test_scatter_by_model(context: dict[str, Any]) -> None:
    namespace = _run(SCATTER, context)
    llama = {w.peer_id for w in context["client"].workers.list(model="llama3.2")}
    namespace = _run(SCATTER_BY_MODEL, namespace)
    assert all(r.status == "success" and r.worker_id in llama for r in namespace["results"])
    # No worker serves flux.2 on the demo mesh: as in 0.3.0, the call raises WorkerNotFoundError.
    with pytest.raises(WorkerNotFoundError, match=r"flux\.2"):
        _run(SCATTER_PICK, namespace)


def test_async(seed_gateway: MeshSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    _run(ASYNC, {})  # the snippet calls asyncio.run itself
    assert "received: hi" in capsys.readouterr().out


async def test_async_openai_streaming(
    context: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from agentfm import AsyncAgentFMClient

    await _run_async(ASYNC_OPENAI_STREAMING, {**context, "AsyncAgentFMClient": AsyncAgentFMClient})
    assert "user: hi" in capsys.readouterr().out


@pytest.mark.parametrize("want_to_stop", [True, False])
async def test_aclosing_early_exit(context: dict[str, Any], want_to_stop: bool) -> None:
    from agentfm import AsyncAgentFMClient

    async with AsyncAgentFMClient() as client:
        namespace = await _run_async(
            ACLOSING, {**context, "client": client, "want_to_stop": want_to_stop}
        )
    # Stopped early or not, the worker's slot is free again once the block has left.
    assert namespace["chunk"].kind in ("text", "marker")
    worker = next(w for w in context["client"].workers.list() if w.peer_id == context["peer_id"])
    deadline = asyncio.get_running_loop().time() + 10
    while worker.current_tasks and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        worker = context["client"].workers.get(context["peer_id"])
    assert worker.current_tasks == 0
