"""`LocalMeshGateway`: run a local gateway (`agentfm -mode api` or `agentfm-sim`) as a subprocess.

    with LocalMeshGateway(port=0) as gw:                    # port 0: a free port, see gw.port
        client = AgentFMClient(gateway_url=gw.url, artifacts_dir=gw.artifacts_dir)
        workers = client.workers.list(wait_for_workers=1)

What `start()` (or entering the `with` block) does, in order:

1. The arguments were checked at construction: an `api_key` shorter than 16 bytes is refused
   here, because the gateway would refuse it at startup
   (docs/reference/gateway-protocol.md §1.2, §1.3).
2. The port is checked free on 127.0.0.1 before anything is spawned (`port=0` picks a free one).
   The real binary prints its banner *before* it binds and then lingers ~30 s when the bind fails
   (docs/reference/gateway-protocol.md §1.4), so a port held by another process would otherwise look
   like a healthy gateway.
3. The child runs in its working directory (`workdir`; default a fresh temporary directory,
   removed by `stop()`) as `<binary> -mode api -apiport <port> [-swarmkey F] [-bootstrap A]
   [extra_args...]`, with `AGENTFM_API_KEYS=<api_key>` when a key is given. An
   `AGENTFM_API_KEYS` inherited from this process's environment is not passed on, so the
   gateway's auth is exactly what the constructor says (`env=` can still set it). Its stdout and
   stderr go to `log_file` (default `<workdir>/agentfm-gateway.log`), and with `debug` also to
   this process's stderr (or the stream given as `debug`).
4. `GET /health` is polled until it answers 200 (the documented readiness check,
   docs/reference/gateway-protocol.md §1.4), while the child is checked to be alive.
5. The answering gateway is confirmed to be the child: its `/v1/about` `boss_peer_id` must be the
   peer id of the identity key the child keeps in its working directory
   (`.agentfm_api_identity.key`, docs/reference/gateway-protocol.md §1.1), which no other gateway
   has. This closes the race between the port check and the child's bind (the real binary may take
   tens of seconds to bind, docs/reference/gateway-protocol.md §1.4). The gateway writes that key
   during host setup, before it listens (docs/reference/gateway-protocol.md §1.1, §1.4), so until
   the key exists an answer cannot be the child's and polling goes on (a binary that never writes it
   ends in `startup_timeout`, saying so). When `/v1/about` itself cannot answer the question (it
   needs a key the launcher was not given, or the binary lacks the route), the pre-spawn port check
   and the child being alive are taken as enough, and a warning is logged.

Every failure raises `GatewayStartError`, also a `GatewayConnectionError` as in 0.3.0
(`port_in_use`, `binary_not_found` (also a `FileNotFoundError`), `gateway_exited`
with the tail of the child's log, `startup_timeout` naming the log file, ...) after stopping
whatever was started; a temporary working directory holding the default log is then kept,
so the log the error names can be read.
`stop()` sends SIGTERM, waits `shutdown_timeout` seconds (the gateway drains HTTP for up to
10 s, docs/reference/gateway-protocol.md §1.4), then kills. A child still running when the
interpreter exits is killed.

The gateway writes artifacts relative to its working directory
(docs/reference/gateway-protocol.md §6), so `gw.artifacts_dir` (`<workdir>/agentfm_artifacts`) is
where a client finds task zips.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final

from agentfm_gateway.api.about import get_about
from agentfm_gateway.records import About

from agentfm._client import AgentFMClient
from agentfm._identifiers import (
    IDENTITY_KEY_FILE_NAME,
    peer_id_from_ed25519_public_key,
    split_libp2p_ed25519_private_key,
)
from agentfm.crypto import SwarmKey
from agentfm.exceptions import (
    AgentFMError,
    AuthenticationError,
    GatewayBinaryNotFoundError,
    GatewayConnectionError,
    GatewayStartError,
    InvalidRequestError,
    SwarmKeyNotFoundError,
)

__all__ = ["LocalMeshGateway"]

logger = logging.getLogger("agentfm.daemon")

LOOPBACK: Final = "127.0.0.1"
API_KEYS_ENV: Final = "AGENTFM_API_KEYS"
# docs/reference/gateway-protocol.md §1.2: the gateway refuses to start with any key shorter than
# this.
MIN_API_KEY_BYTES: Final = 16
# docs/reference/gateway-protocol.md §1.1: the Boss's libp2p key, relative to its working directory;
# a libp2p-marshalled Ed25519 private key (`08 01 12 40`, 32-byte seed, 32-byte public key).
# docs/reference/gateway-protocol.md §6: artifacts land in `./agentfm_artifacts` under the gateway's
# working directory.
ARTIFACTS_SUBDIR: Final = "agentfm_artifacts"
DEFAULT_LOG_NAME: Final = "agentfm-gateway.log"
SWARM_KEY_NAME: Final = ".agentfm_swarm.key"
# Flags the launcher sets itself; in `extra_args` they would contradict `url` or a parameter.
_OWN_FLAGS: Final = {
    "mode": "it is always `api`",
    "apiport": "use port=",
    "swarmkey": "use swarm_key=",
    "bootstrap": "use bootstrap=",
}
_PROBE_TIMEOUT_SECONDS: Final = 2.0
_POLL_SECONDS: Final = 0.1
_TAIL_LINES: Final = 20
_TAIL_BYTES: Final = 64 * 1024
# pterm colours the gateway's banner lines (docs/reference/gateway-protocol.md §1.4); they are noise
# in an error message.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def _checked_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidRequestError(
            f"port must be a whole number 0-65535 (0 picks a free port), not {port!r}",
            code="invalid_port",
        )
    return port


def _checked_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidRequestError(
            f"{name} must be a positive number of seconds, not {value!r}", code="invalid_argument"
        )
    return float(value)


def _checked_api_key(api_key: str | None) -> str | None:
    """The key as the gateway will parse it from `AGENTFM_API_KEYS`
    (docs/reference/gateway-protocol.md §1.2); never shown."""
    if api_key is None:
        return None
    if not isinstance(api_key, str) or any(ord(c) < 0x21 or ord(c) == 0x7F for c in api_key):
        raise InvalidRequestError(
            "api_key must be a token without spaces or control characters",
            code="invalid_api_key_format",
        )
    if "," in api_key:
        # The gateway splits AGENTFM_API_KEYS on commas: this would become two keys.
        raise InvalidRequestError(
            "api_key must not contain a comma (AGENTFM_API_KEYS is comma-separated)",
            code="invalid_api_key_format",
        )
    if len(api_key.encode("utf-8")) < MIN_API_KEY_BYTES:
        raise InvalidRequestError(
            f"api_key is shorter than {MIN_API_KEY_BYTES} bytes; the gateway refuses to start "
            "with such a key (AGENTFM_API_KEYS)",
            code="api_key_too_short",
        )
    return api_key


def _checked_extra_args(extra_args: Sequence[str]) -> tuple[str, ...]:
    if isinstance(extra_args, str) or not all(isinstance(arg, str) for arg in extra_args):
        raise InvalidRequestError(
            "extra_args must be a list of strings, e.g. ['-reputation-floor', '-1.0']",
            code="invalid_argument",
        )
    for argument in extra_args:
        # Go's flag syntax: -name, --name, -name=value (docs/reference/gateway-protocol.md §1.1).
        name = argument.lstrip("-").partition("=")[0] if argument.startswith("-") else ""
        if name in _OWN_FLAGS:
            raise InvalidRequestError(
                f"extra_args must not set -{name}: {_OWN_FLAGS[name]}", code="invalid_argument"
            )
    return tuple(extra_args)


def _checked_env(env: Mapping[str, str] | None, api_key: str | None) -> dict[str, str]:
    given = dict(env or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise InvalidRequestError("env must map strings to strings", code="invalid_argument")
    if api_key is not None and API_KEYS_ENV in given:
        raise InvalidRequestError(
            f"give the key either as api_key= or as env[{API_KEYS_ENV!r}], not both",
            code="invalid_argument",
        )
    return given


def _resolve_program(program: str) -> str:
    """An absolute path to run: the child's working directory differs from ours."""
    if os.sep in program or (os.altsep is not None and os.altsep in program):
        return os.path.abspath(program)
    # A console script installed next to this interpreter (e.g. `agentfm-sim` in a virtualenv
    # that is not activated) counts as found.
    found = shutil.which(program) or shutil.which(program, path=str(Path(sys.executable).parent))
    if found is None:
        raise GatewayBinaryNotFoundError(
            f"gateway binary {program!r} was not found on PATH or next to {sys.executable}; "
            "pass binary_path= (e.g. the path of `agentfm`, or 'agentfm-sim' for the simulator)",
            code="binary_not_found",
        )
    return found


def _base_command(binary_path: str | os.PathLike[str] | Sequence[str]) -> list[str]:
    if isinstance(binary_path, (str, os.PathLike)):
        return [_resolve_program(os.fspath(binary_path))]
    command = list(binary_path)
    if not command or not all(isinstance(part, str) and part for part in command):
        raise InvalidRequestError(
            "binary_path must be a program, or a non-empty list of strings such as "
            "[sys.executable, '-m', 'agentfm.testing.cli']",
            code="invalid_argument",
        )
    return [_resolve_program(command[0]), *command[1:]]


def _pick_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _port_problem(port: int) -> str | None:
    """Why the gateway could not listen on 127.0.0.1:`port`, or None when it is free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name == "posix":
            # Go sets SO_REUSEADDR on listeners: a closed socket in TIME_WAIT does not stop the
            # gateway, only a live one does (on Windows the option would allow stealing).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def identity_peer_id(workdir: Path) -> str | None:
    """The peer id of the Boss identity key in `workdir` (docs/reference/gateway-protocol.md §1.1),
    or None when the file is missing or not a libp2p Ed25519 key."""
    try:
        data = (workdir / IDENTITY_KEY_FILE_NAME).read_bytes()
    except OSError:
        return None
    key = split_libp2p_ed25519_private_key(data)
    return None if key is None else peer_id_from_ed25519_public_key(key[1])


def read_log_tail(path: Path, start: int, *, secret: str | None = None) -> str:
    """The last lines the child wrote to `path` after byte `start`, without colour codes."""
    try:
        with open(path, "rb") as handle:
            end = handle.seek(0, os.SEEK_END)
            handle.seek(max(start, end - _TAIL_BYTES))
            data = handle.read()
    except OSError:
        return ""
    text = _ANSI_ESCAPE.sub("", data.decode("utf-8", errors="replace"))
    if secret:
        text = text.replace(secret, "***")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-_TAIL_LINES:])


def _copy_output(source: IO[bytes], log: IO[bytes], echo: IO[str] | None) -> None:
    """Tee the child's output into its log and, with `debug`, onto `echo` (a text stream that
    needs no file descriptor, so pytest's captured stderr or a StringIO work)."""
    try:
        while chunk := os.read(source.fileno(), 65536):
            log.write(chunk)
            log.flush()
            if echo is not None:
                try:
                    echo.write(chunk.decode("utf-8", errors="replace"))
                    echo.flush()
                except (OSError, ValueError):
                    echo = None  # the stream was closed: keep logging to the file
    except (OSError, ValueError):
        pass  # the pipe or the log broke; the child's exit is noticed elsewhere
    finally:
        source.close()
        log.close()


def _kill_at_exit(process: subprocess.Popen[bytes]) -> None:
    # Runs when a LocalMeshGateway is garbage-collected or the interpreter exits unstopped.
    if process.poll() is None:
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


class LocalMeshGateway:
    """A gateway subprocess for tests and notebooks: started by `start()` or `with`, stopped by
    `stop()` or leaving the block.

    `binary_path`: the gateway program (`agentfm`, `agentfm-sim`, a path), or an argv prefix
    such as `[sys.executable, "-m", "agentfm.testing.cli"]`. `port`: the HTTP port; 0 picks a
    free one (`.port`, `.url`). `swarm_key`: a key file path or an `agentfm.SwarmKey` (written
    0600 into the working directory). `bootstrap`: a relay multiaddr. `api_key`: handed to the
    gateway as `AGENTFM_API_KEYS` and sent by the readiness probe (at least 16 bytes).
    `debug`: also copy the gateway's output to stderr, or to the text stream given. `log_file`:
    where its output goes (default `<workdir>/agentfm-gateway.log`). `workdir`: its working
    directory, hence its identity and artifacts (default: a temporary directory removed on
    stop; a directory you give is kept). `extra_args`: more flags (e.g.
    `["-reputation-floor", "-1.0"]`); `env`: more environment variables.
    """

    def __init__(
        self,
        *,
        binary_path: str | os.PathLike[str] | Sequence[str] = "agentfm",
        port: int = 8080,
        swarm_key: str | os.PathLike[str] | SwarmKey | None = None,
        bootstrap: str | None = None,
        debug: bool | IO[str] = False,
        log_file: str | os.PathLike[str] | None = None,
        startup_timeout: float = 15.0,
        api_key: str | None = None,
        workdir: str | os.PathLike[str] | None = None,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        self._binary_path = binary_path
        self._requested_port = _checked_port(port)
        self._api_key = _checked_api_key(api_key)
        self._startup_timeout = _checked_seconds("startup_timeout", startup_timeout)
        self._shutdown_timeout = _checked_seconds("shutdown_timeout", shutdown_timeout)
        self._extra_args = _checked_extra_args(extra_args)
        self._env = _checked_env(env, self._api_key)
        if bootstrap is not None and (not isinstance(bootstrap, str) or not bootstrap.strip()):
            raise InvalidRequestError(
                "bootstrap must be a multiaddr string", code="invalid_argument"
            )
        self._bootstrap = bootstrap
        if swarm_key is not None and not isinstance(swarm_key, (SwarmKey, str, os.PathLike)):
            raise InvalidRequestError(
                "swarm_key must be a key file path or an agentfm.SwarmKey", code="invalid_argument"
            )
        self._swarm_key = swarm_key
        if not isinstance(debug, bool) and not callable(getattr(debug, "write", None)):
            raise InvalidRequestError(
                "debug must be True/False or a text stream such as sys.stderr",
                code="invalid_argument",
            )
        self._debug = debug
        # Relative paths are ours, not the child's: resolve them before its cwd differs.
        self._requested_log = Path(os.path.abspath(log_file)) if log_file is not None else None
        self._requested_workdir = Path(os.path.abspath(workdir)) if workdir is not None else None

        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = self._requested_port or None
        self._workdir: Path | None = self._requested_workdir
        self._temporary_workdir: Path | None = None
        self._log_file: Path | None = None
        self._log_start = 0
        self._written_swarm_key: Path | None = None
        self._output_thread: threading.Thread | None = None
        self._finalizer: weakref.finalize[..., LocalMeshGateway] | None = None

    # --- what the caller reads ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The HTTP port (the one picked, when `port=0` was given)."""
        if self._port is None:
            raise self._not_started("port")
        return self._port

    @property
    def url(self) -> str:
        """The gateway's root URL, e.g. `http://127.0.0.1:8080`."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def workdir(self) -> Path:
        """The gateway's working directory (its identity key and artifacts live there)."""
        if self._workdir is None:
            raise self._not_started("workdir")
        return self._workdir

    @property
    def artifacts_dir(self) -> Path:
        """Where the gateway writes task zips: `<workdir>/agentfm_artifacts`
        (docs/reference/gateway-protocol.md §6).

        Pass it to `AgentFMClient(artifacts_dir=...)`; it appears with the first artifact.
        """
        return self.workdir / ARTIFACTS_SUBDIR

    @property
    def log_file(self) -> Path | None:
        """The file holding the gateway's output: the `log_file` given, or once started the
        default `<workdir>/agentfm-gateway.log` (None before `start()` without one)."""
        return self._log_file or self._requested_log

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The child process while started; None before `start()` and after `stop()` (as in
        0.3.0). After a failed `start()` it is the exited child, for inspection."""
        return self._process

    # The constructor's settings, readable under their 0.3.0 names.

    @property
    def binary_path(self) -> str | os.PathLike[str] | Sequence[str]:
        """The gateway program (or argv prefix) as given."""
        return self._binary_path

    @property
    def swarm_key(self) -> Path | SwarmKey | None:
        """The swarm key: the key file's path, or the `SwarmKey` given."""
        key = self._swarm_key
        if key is None or isinstance(key, SwarmKey):
            return key
        return Path(key)

    @property
    def bootstrap(self) -> str | None:
        """The relay multiaddr handed to `-bootstrap`, if any."""
        return self._bootstrap

    @property
    def debug(self) -> bool | IO[str]:
        """Whether (or where) the gateway's output is echoed."""
        return self._debug

    @property
    def startup_timeout(self) -> float:
        """Seconds `start()` waits for the gateway to answer."""
        return self._startup_timeout

    @property
    def api_key(self) -> str | None:
        """The key handed to the gateway as `AGENTFM_API_KEYS` (a secret: not in the repr)."""
        return self._api_key

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = f"url={self.url!r}" if self._port is not None else "url=None"
        return f"LocalMeshGateway({where}, workdir={str(self._workdir)!r}, {state})"

    @staticmethod
    def _not_started(what: str) -> GatewayStartError:
        return GatewayStartError(
            f"the gateway's {what} is known once it is started (call start() or use `with`)",
            code="not_started",
        )

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> LocalMeshGateway:
        """Start the gateway and return once it answers `/health` (see the module docstring).

        Does nothing when it is already running. Raises `GatewayStartError` (nothing left
        running) or `InvalidRequestError` for a missing swarm key file.
        """
        if self.running:
            return self
        if self._process is not None:
            self._shutdown(keep_workdir=False)  # a child that died by itself: tidy up first
        self._reset()
        command = _base_command(self._binary_path)
        try:
            self._spawn(command)
            self._wait_until_ready()
        except BaseException as error:
            # Includes KeyboardInterrupt: a half-started child must not outlive the caller. A
            # temporary workdir holding the log an error names is kept for reading.
            keep = isinstance(error, GatewayStartError) and self._holds(error.log_file)
            self._shutdown(keep_workdir=keep)
            raise
        logger.info("gateway %s ready (pid %s, workdir %s)", self.url, self._pid(), self._workdir)
        return self

    def stop(self) -> None:
        """Stop the gateway (SIGTERM, then kill after `shutdown_timeout` seconds) and remove a
        temporary working directory; `process` is None afterwards. Safe to call more than once."""
        self._shutdown(keep_workdir=False)
        self._process = None

    def __enter__(self) -> LocalMeshGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _reset(self) -> None:
        self._process = None
        self._port = self._requested_port or None
        self._workdir = self._requested_workdir
        self._temporary_workdir = None
        self._log_file = None
        self._log_start = 0
        self._written_swarm_key = None
        self._output_thread = None

    def _holds(self, path: Path | None) -> bool:
        temporary = self._temporary_workdir
        return path is not None and temporary is not None and temporary in path.parents

    def _pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # --- starting --------------------------------------------------------------------------------

    def _prepare_workdir(self) -> Path:
        if self._requested_workdir is None:
            self._temporary_workdir = Path(tempfile.mkdtemp(prefix="agentfm-gateway-"))
            self._workdir = self._temporary_workdir
            return self._workdir
        try:
            self._requested_workdir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GatewayStartError(
                f"cannot create the working directory {self._requested_workdir}: "
                f"{error.strerror or error}",
                code="workdir_unusable",
            ) from None
        self._workdir = self._requested_workdir
        return self._workdir

    def _swarm_key_path(self, workdir: Path) -> Path | None:
        key = self._swarm_key
        if key is None:
            return None
        if isinstance(key, SwarmKey):
            path = key.save(workdir / SWARM_KEY_NAME, overwrite=True)
            self._written_swarm_key = path
            return path
        path = Path(os.path.abspath(key))
        if not path.is_file():
            raise SwarmKeyNotFoundError(
                f"swarm key file {path} does not exist", code="swarm_key_not_found"
            )
        return path

    def _choose_port(self) -> int:
        if self._requested_port == 0:
            return _pick_free_port()
        problem = _port_problem(self._requested_port)
        if problem is not None:
            raise GatewayStartError(
                f"port {self._requested_port} on {LOOPBACK} cannot be used ({problem}): another "
                "process holds it; choose another port, or port=0 for a free one",
                code="port_in_use",
            )
        return self._requested_port

    def _child_env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key != API_KEYS_ENV}
        if self._api_key is not None:
            env[API_KEYS_ENV] = self._api_key
        env.update(self._env)
        return env

    def _spawn(self, command: list[str]) -> None:
        port = self._choose_port()
        workdir = self._prepare_workdir()
        self._port = port
        arguments = [*command, "-mode", "api", "-apiport", str(port)]
        swarm_key = self._swarm_key_path(workdir)
        if swarm_key is not None:
            arguments += ["-swarmkey", str(swarm_key)]
        if self._bootstrap is not None:
            arguments += ["-bootstrap", self._bootstrap]
        arguments += self._extra_args

        log_path = self._requested_log or workdir / DEFAULT_LOG_NAME
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(log_path, "ab")  # noqa: SIM115 - handed to the child or the copy thread
        except OSError as error:
            raise GatewayStartError(
                f"cannot open the gateway log {log_path}: {error.strerror or error}",
                code="log_unwritable",
            ) from None
        self._log_file = log_path
        self._log_start = log.tell()
        if isinstance(self._debug, bool):
            echo = sys.stderr if self._debug else None
        else:
            echo = self._debug
        logger.debug("starting gateway: %s (cwd %s)", " ".join(arguments), workdir)
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the caller's own gateway binary
                arguments,
                cwd=workdir,
                env=self._child_env(),
                stdin=subprocess.DEVNULL,
                stdout=log if echo is None else subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except OSError as error:
            log.close()
            message = f"cannot run the gateway binary {arguments[0]}: {error.strerror or error}"
            if isinstance(error, FileNotFoundError):
                raise GatewayBinaryNotFoundError(message, code="binary_not_found") from None
            raise GatewayStartError(message, code="binary_unusable") from None
        self._finalizer = weakref.finalize(self, _kill_at_exit, self._process)
        if echo is None:
            log.close()  # the child has its own copy of the descriptor
            return
        assert self._process.stdout is not None
        self._output_thread = threading.Thread(
            target=_copy_output,
            args=(self._process.stdout, log, echo),
            name=f"agentfm-gateway-output-{port}",
            daemon=True,
        )
        self._output_thread.start()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        with AgentFMClient(
            gateway_url=self.url, api_key=self._api_key, retries=0, timeout=_PROBE_TIMEOUT_SECONDS
        ) as probe:
            answered = False
            while True:
                self._raise_if_exited()
                if probe.ping():
                    answered = True
                    if self._answered_by_child(probe):
                        # The child may have failed its bind and be on its way out
                        # (docs/reference/gateway-protocol.md §1.4).
                        self._raise_if_exited()
                        return
                if time.monotonic() >= deadline:
                    raise self._failure(self._timeout_message(answered), code="startup_timeout")
                time.sleep(_POLL_SECONDS)

    def _timeout_message(self, answered: bool) -> str:
        if answered and identity_peer_id(self.workdir) is None:
            return (
                f"{self.url}/health answered within {self._startup_timeout:g} s, but the "
                f"gateway's identity key {IDENTITY_KEY_FILE_NAME} never appeared in "
                f"{self.workdir}, "
                "so the answer cannot be told apart from another process's"
            )
        return (
            f"the gateway did not answer GET {self.url}/health within {self._startup_timeout:g} s"
        )

    def _answered_by_child(self, probe: AgentFMClient) -> bool:
        """True when the gateway on our port is the child (see the module docstring, step 5);
        False to keep polling; raises when it is provably another process."""
        expected = identity_peer_id(self.workdir)
        if expected is None:
            return False  # the child writes its key before it listens: not the child's answer
        try:
            about = probe._call(get_about.sync_detailed, About)
        except GatewayConnectionError:
            return False
        except AuthenticationError:
            if self._api_key is not None:
                raise self._held_by_other("refuses the api_key this gateway was given") from None
            return self._unconfirmed("/v1/about needs a key the launcher does not know")
        except AgentFMError as error:
            return self._unconfirmed(f"/v1/about answered {error}")
        if about.boss_peer_id != expected:
            raise self._held_by_other(f"is the gateway of peer {about.boss_peer_id}")
        return True

    def _unconfirmed(self, reason: str) -> bool:
        logger.warning(
            "gateway %s answers, but it could not be confirmed to be the child (pid %s): %s",
            self.url,
            self._pid(),
            reason,
        )
        return True

    def _held_by_other(self, what: str) -> GatewayStartError:
        return self._failure(
            f"port {self.port} is held by another process: the gateway answering {self.url} "
            f"{what}, not the one started (pid {self._pid()}), which cannot bind",
            code="port_in_use",
        )

    def _raise_if_exited(self) -> None:
        assert self._process is not None
        status = self._process.poll()
        if status is not None:
            raise self._failure(
                f"the gateway exited with status {status} during startup", code="gateway_exited"
            )

    def _failure(self, message: str, *, code: str) -> GatewayStartError:
        process = self._process
        exit_code = process.poll() if process is not None else None
        log_file = self._log_file
        if log_file is None:
            return GatewayStartError(message, code=code, exit_code=exit_code)
        if self._output_thread is not None and exit_code is not None:
            # Let the copy thread write the child's last words before they are read.
            self._output_thread.join(timeout=2.0)
        tail = read_log_tail(log_file, self._log_start, secret=self._api_key)
        shown = f"; last lines of {log_file}:\n{tail}" if tail else f" (log: {log_file}, empty)"
        return GatewayStartError(
            message + shown, code=code, log_file=log_file, exit_code=exit_code, log_tail=tail
        )

    # --- stopping --------------------------------------------------------------------------------

    def _shutdown(self, *, keep_workdir: bool) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.terminate()
            try:
                process.wait(self._shutdown_timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "gateway pid %s ignored SIGTERM for %g s: killing it",
                    process.pid,
                    self._shutdown_timeout,
                )
                with contextlib.suppress(OSError):
                    process.kill()
                process.wait()
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._output_thread is not None:
            self._output_thread.join(timeout=5.0)
            self._output_thread = None
        if self._written_swarm_key is not None:
            with contextlib.suppress(OSError):
                self._written_swarm_key.unlink()
            self._written_swarm_key = None
        if self._temporary_workdir is not None:
            if keep_workdir:
                logger.info("kept %s for its gateway log", self._temporary_workdir)
            else:
                shutil.rmtree(self._temporary_workdir, ignore_errors=True)
            self._temporary_workdir = None
