"""`MeshSimulator`: the loopback gateway with simulated workers, served from a background thread.

    with MeshSimulator() as mesh:                      # the default demo mesh
        httpx.get(f"{mesh.url}/api/workers").json()
        mesh.workers[0].fail_mode = "drop"             # fault knobs change at run time
        mesh.take_offline(mesh.workers[1])             # fires worker_offline on /v1/events

The socket is bound before the server thread starts (port 0 picks a free port, with no race),
and `start()` returns only once the server is accepting requests. `stop()` is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import socket
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from agentfm.testing._app import GatewayApp
from agentfm.testing._auth import parse_api_keys
from agentfm.testing._boss import Boss, BossConfig, SimulatedWorker
from agentfm.testing._http import ABORT_EXTENSION, Receive, Scope, Send
from agentfm.testing._identity import load_or_create_identity
from agentfm.testing._ledger import Ledger
from agentfm.testing._mesh import (
    DEFAULT_MESH,
    MeshSpec,
    WorkerSpec,
    load_mesh_file,
    parse_mesh,
    parse_worker,
)
from agentfm.testing._versions import GatewayGeneration, gateway_generation

__all__ = ["MeshSimulator", "bind_listener", "url_host"]

MeshLike = str | Path | Mapping[str, Any] | MeshSpec | Sequence[WorkerSpec | Mapping[str, Any]]
STARTUP_TIMEOUT_SECONDS = 30.0


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (Go's net.Listen; SO_REUSEADDR as Go sets it).

    `""` listens on every interface. Raises OSError when the address is in use or invalid.
    """
    if host == "":
        family, address = socket.AF_INET, "0.0.0.0"  # noqa: S104 - Go's ":port" means all
    else:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            # Go prefers IPv4 for a name such as localhost.
            infos.sort(key=lambda info: info[0] != socket.AF_INET)
            family, address = infos[0][0], str(infos[0][4][0])
        else:
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            address = host
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY (as Go does on every TCP
    # connection) only for sockets that say so, and accepted sockets inherit the protocol.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((address, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def url_host(host: str) -> str:
    """How to write the bind host in a URL a local client can use (IPv6 in brackets)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - not binding, naming a reachable address
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _mesh_spec(mesh: MeshLike | None, seed: int | None) -> MeshSpec:
    if mesh is None:
        spec = parse_mesh(DEFAULT_MESH)
    elif isinstance(mesh, MeshSpec):
        spec = mesh
    elif isinstance(mesh, (str, Path)):
        spec = load_mesh_file(mesh)
    elif isinstance(mesh, Mapping):
        spec = parse_mesh(mesh)
    else:
        workers = tuple(
            parse_worker(worker, where=f"workers[{index}]") for index, worker in enumerate(mesh)
        )
        spec = MeshSpec(workers=workers)
    if seed is not None:
        spec = MeshSpec(seed=seed, workers=spec.workers)
    return spec


class _AbortableH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, letting the app drop a connection without any answer
    (`scope["extensions"]["agentfm.abort"]`), as Go's server does when a handler panics."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = self.transport.abort
            await inner(scope, receive, send)

        self.app = app


class _Server(uvicorn.Server):
    """uvicorn's server, reporting when it accepts connections; signals are the owner's job."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._wake = asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn's loop, but woken at once by request_exit() instead of on its next 0.1-s tick.
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            if self._wake is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Begin a graceful shutdown (call on the server's loop)."""
        self.should_exit = True
        if self._wake is not None:
            self._wake.set()


class MeshSimulator:
    """A simulated AgentFM gateway ("Boss") and its workers, on loopback.

    `mesh`: None (the default demo mesh), a mesh file path, a mesh mapping, a `MeshSpec`, or a
    list of workers (`WorkerSpec` or mappings). `seed` overrides the mesh's seed. The remaining
    options mirror the real gateway's flags and environment (`api_keys` is
    `AGENTFM_API_KEYS`, validated the same way) plus test knobs: `heartbeat_seconds`
    (`/v1/events`), `async_artifact_wait_seconds` and `async_capacity` (`/api/execute/async`),
    `async_drain_seconds` (how long `stop()` lets async jobs and webhooks finish; the CLI uses
    the real 30 s), `shutdown_grace_seconds` (for in-flight responses).

    `gateway_version` picks the release whose wire it speaks: `"1.1.0"`, `"1.2.0"`, `"1.3.0"`
    or `"current"` (the default; docs/reference/gateway-versions.md lists the differences). An older
    release answers `404 page not found` for the routes it lacks; 1.1.0 ignores `api_keys` and the
    webhook settings, as it reads no environment.

    `workdir` holds the identity key and `agentfm_artifacts/`; by default a fresh temporary
    directory, removed on `stop()`. A caller's directory is left in place.
    """

    def __init__(
        self,
        mesh: MeshLike | None = None,
        *,
        seed: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        workdir: str | Path | None = None,
        api_keys: Sequence[str] | str = (),
        reputation_floor: float = -0.5,
        webhook_secret: str = "",
        webhook_allow_private: bool = False,
        allow_file_origin: bool = False,
        ledger_path: str | Path | None = None,
        heartbeat_seconds: float = 15.0,
        async_artifact_wait_seconds: float = 10.0,
        async_capacity: int = 256,
        async_drain_seconds: float = 0.0,
        shutdown_grace_seconds: float = 2.0,
        gateway_version: str | GatewayGeneration = "current",
    ) -> None:
        generation = gateway_generation(gateway_version)
        keys: list[str] = []
        if generation.reads_environment:
            keys = parse_api_keys(api_keys if isinstance(api_keys, str) else ",".join(api_keys))
        else:
            webhook_secret = ""  # 1.1.0 has neither keys nor a webhook secret
        spec = _mesh_spec(mesh, seed)
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="agentfm-sim-")
            workdir = self._temporary.name
        self._workdir = Path(workdir).resolve()
        self._host = host
        self._requested_port = port
        self._shutdown_grace = shutdown_grace_seconds
        self._async_drain = async_drain_seconds
        config = BossConfig(
            api_keys=tuple(keys),
            reputation_floor=reputation_floor,
            webhook_secret=webhook_secret,
            webhook_allow_private=webhook_allow_private,
            allow_file_origin=allow_file_origin,
            heartbeat_seconds=heartbeat_seconds,
            async_artifact_wait_seconds=async_artifact_wait_seconds,
            async_capacity=async_capacity,
            generation=generation,
        )
        self._ledger = Ledger(
            load_or_create_identity(self._workdir),
            path=Path(ledger_path) if ledger_path is not None else None,
        )
        self._boss = Boss(
            mesh=spec,
            config=config,
            ledger=self._ledger,
            artifacts_dir=self._workdir / "agentfm_artifacts",
        )
        self._app = GatewayApp(self._boss, async_drain_seconds=async_drain_seconds)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._port: int | None = None
        self._failure: BaseException | None = None
        self._stopped = False

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> MeshSimulator:
        """Bind, serve from a background thread, and return once requests are answered."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped MeshSimulator cannot be restarted")
            if self._thread is not None:
                return self
            sock = bind_listener(self._host, self._requested_port)
            self._port = int(sock.getsockname()[1])
            config = uvicorn.Config(
                self._app,
                # Only 1.1.0 has a handler that panics (docs/reference/gateway-versions.md §9).
                http=_AbortableH11Protocol
                if self._boss.config.generation.panics_on_short_task_id
                else "h11",
                loop="asyncio",
                ws="none",
                lifespan="on",
                log_config=None,
                access_log=False,
                server_header=False,
                date_header=False,
                # Go's IdleTimeout (docs/reference/gateway-protocol.md §2).
                timeout_keep_alive=120,
                timeout_graceful_shutdown=math.ceil(self._shutdown_grace),
            )
            server = _Server(config)
            self._server = server
            thread = threading.Thread(
                target=self._serve, args=(server, sock), name="agentfm-sim", daemon=True
            )
            self._thread = thread
            thread.start()
        while not server.ready.wait(0.05):
            if not thread.is_alive():
                break
        if not server.ready.is_set():
            self.stop()
            raise RuntimeError("agentfm-sim failed to start") from self._failure
        return self

    def _serve(self, server: _Server, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to start() / stop()
            self._failure = exc
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                sock.close()

    def stop(self) -> None:
        """Shut the server down gracefully and join its thread. Safe to call more than once."""
        with self._lock:
            self._stopped = True
            server, thread, loop = self._server, self._thread, self._loop
        if server is not None and thread is not None and thread.is_alive() and loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(self._begin_shutdown, server)
            thread.join()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    @property
    def running(self) -> bool:
        """True between a successful `start()` and `stop()` (False if the server died)."""
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stopped

    def _begin_shutdown(self, server: _Server) -> None:
        # Event streams never end on their own; end them first so the HTTP drain can finish.
        self._boss.events.close()
        server.request_exit()

    def __enter__(self) -> MeshSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- where it is ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (known once started)."""
        if self._port is None:
            raise RuntimeError("the simulator is not started")
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` (the gateway URL to give a client)."""
        return f"http://{url_host(self._host)}:{self.port}"

    @property
    def gateway_version(self) -> str:
        """The release it speaks: `1.1.0`, `1.2.0`, `1.3.0` or `current`."""
        return self._boss.config.generation.name

    @property
    def workdir(self) -> Path:
        return self._workdir

    @property
    def artifacts_dir(self) -> Path:
        """Where task zips and sidecars land (`<workdir>/agentfm_artifacts`,
        docs/reference/gateway-protocol.md §6)."""
        return self._boss.artifacts_dir

    @property
    def boss_peer_id(self) -> str:
        return self._ledger.boss_peer_id

    @property
    def ledger(self) -> Ledger:
        return self._ledger

    @property
    def boss(self) -> Boss:
        """The simulated gateway's state (metrics, config, workers)."""
        return self._boss

    # --- the mesh at run time ---------------------------------------------------------------

    @property
    def workers(self) -> list[SimulatedWorker]:
        """Every simulated worker, online or not, in the order they were added."""
        return self._boss.all_workers()

    def worker(self, key: str) -> SimulatedWorker:
        """A worker by peer id or by name (KeyError when there is none)."""
        for worker in self._boss.all_workers():
            if key in (worker.peer_id, worker.name):
                return worker
        raise KeyError(key)

    def _resolve(self, worker: SimulatedWorker | str) -> SimulatedWorker:
        return self.worker(worker) if isinstance(worker, str) else worker

    def add_worker(
        self, worker: WorkerSpec | Mapping[str, Any] | None = None, **fields: Any
    ) -> SimulatedWorker:
        """Add a worker (spec, mapping, or keyword fields); it comes online at once."""
        spec = parse_worker(dict(fields) if worker is None else worker)
        return self._boss.add_worker(spec)

    def remove_worker(self, worker: SimulatedWorker | str) -> None:
        """Remove a worker for good (fires `worker_offline` if it was online)."""
        self._boss.remove_worker(self._resolve(worker))

    def take_offline(self, worker: SimulatedWorker | str) -> None:
        """Drop a worker from the live table (fires `worker_offline`); it can come back."""
        self._boss.set_online(self._resolve(worker), False)

    def bring_online(self, worker: SimulatedWorker | str) -> None:
        """Put an offline worker back in the live table (fires `worker_online`)."""
        self._boss.set_online(self._resolve(worker), True)
