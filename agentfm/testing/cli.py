"""`agentfm-sim`: the gateway simulator's command line, a drop-in for `agentfm -mode api`.

Flags follow Go's `flag` package (`-name value`, `-name=value`, `--name value`, `--name=value`;
parsing stops at the first non-flag argument or `--`), with the real binary's names and defaults
(docs/reference/gateway-protocol.md §1.1) and the same environment variables
(docs/reference/gateway-protocol.md §1.2), public-bind guard
(docs/reference/gateway-protocol.md §1.3), banner and readiness
(docs/reference/gateway-protocol.md §1.4). Simulator-only flags start with `-sim-`:

    -sim-mesh FILE                 mesh description (JSON); default: the demo mesh
    -sim-seed N                    RNG seed (overrides the mesh file's)
    -sim-heartbeat SECONDS         /v1/events heartbeat interval (15)
    -sim-async-artifact-wait SEC   how long async jobs wait for a zip before the webhook (10)
    -sim-async-capacity N          async tasks in flight before 503 (256)
    -sim-bind-fail-linger SECONDS  how long to linger before exiting when the port is taken (30,
                                   like the real gateway's wait for its telemetry goroutine)
    -sim-gateway-version VERSION   the release to reproduce: 1.1.0, 1.2.0, 1.3.0 or current (the
                                   default); its flags, banner, routes and wire
                                   (docs/reference/gateway-versions.md)

Exit status: 0 after SIGINT/SIGTERM, 1 for a startup failure (short API key, public bind
without keys, port in use), 2 for bad flags, a bad mode or a bad mesh file.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from agentfm.testing._versions import CURRENT, GATEWAY_VERSIONS, gateway_generation

if TYPE_CHECKING:
    from agentfm.testing._simulator import MeshSimulator

__all__ = ["FlagError", "FlagSpec", "main", "parse_go_flags"]

PROGRAM = "agentfm-sim"


class FlagError(Exception):
    """A command line Go's flag package would reject (exit 2)."""


class HelpRequested(Exception):
    """`-h` / `-help`: print usage and exit 0, as Go's flag package does."""


@dataclass(frozen=True)
class FlagSpec:
    name: str
    kind: str  # "string", "float", "int"
    default: str
    usage: str
    # The first release defining it (a GatewayGeneration rank: 1 = 1.1.0, 2 = 1.2.0, 3 = 1.3.0);
    # an older one exits 2 on it (docs/reference/gateway-versions.md §1).
    since: int = 1


FLAGS: tuple[FlagSpec, ...] = (
    FlagSpec("mode", "string", "", "run mode; only 'api' (the headless gateway) is simulated"),
    FlagSpec("apiport", "string", "8080", "HTTP API port"),
    FlagSpec("api-bind", "string", "127.0.0.1", "HTTP API bind host", since=2),
    FlagSpec("reputation-floor", "float", "-0.5", "dispatch trust-gate threshold", since=3),
    FlagSpec(
        "ledger-path", "string", "", "ledger file (default: in memory in the simulator)", since=3
    ),
    FlagSpec("bootstrap", "string", "", "relay/bootstrap multiaddr (ignored: no libp2p)"),
    FlagSpec("swarmkey", "string", "", "private swarm key file (ignored: no libp2p)"),
    FlagSpec("port", "int", "0", "libp2p listen port (ignored: no libp2p)"),
    FlagSpec("log-format", "string", "auto", "log format: auto, text or json", since=2),
    FlagSpec("log-level", "string", "info", "log level: debug, info, warn or error", since=2),
    FlagSpec(
        "prom-listen", "string", "", "ignored in api mode (/metrics is on the API port)", since=2
    ),
    FlagSpec("identity", "string", "", "ignored in api mode", since=3),
    # Worker-mode flags of the real binary named by the protocol sheet; accepted and ignored.
    FlagSpec("model", "string", "", "worker engine (worker mode only; ignored)"),
    FlagSpec("desc", "string", "", "worker description (worker mode only; ignored)"),
    FlagSpec("image", "string", "", "worker image (worker mode only; ignored)"),
    FlagSpec("maxcpu", "float", "0", "worker CPU limit (worker mode only; ignored)"),
    FlagSpec("maxgpu", "float", "0", "worker GPU limit (worker mode only; ignored)"),
    FlagSpec("sim-mesh", "string", "", "simulator: mesh description file (JSON)"),
    FlagSpec("sim-seed", "int", "", "simulator: RNG seed (default: the mesh's)"),
    FlagSpec("sim-heartbeat", "float", "15", "simulator: /v1/events heartbeat seconds"),
    FlagSpec("sim-async-artifact-wait", "float", "10", "simulator: async artifact wait seconds"),
    FlagSpec("sim-async-capacity", "int", "256", "simulator: async tasks in flight"),
    FlagSpec("sim-bind-fail-linger", "float", "30", "simulator: seconds to linger when bind fails"),
    FlagSpec(
        "sim-gateway-version",
        "version",
        "current",
        "simulator: gateway release to reproduce (1.1.0, 1.2.0, 1.3.0, current)",
    ),
)
_BY_NAME = {flag.name: flag for flag in FLAGS}
_VERSION_FLAG = "sim-gateway-version"
_VERSION_RANKS = {name: gateway_generation(name).rank for name in GATEWAY_VERSIONS}


def flags_of(version: str) -> dict[str, FlagSpec]:
    """The flags the binary of `version` defines (plus the simulator's own)."""
    rank = _VERSION_RANKS.get(version, CURRENT.rank)
    return {flag.name: flag for flag in FLAGS if flag.since <= rank}


def requested_version(argv: Sequence[str]) -> str:
    """The `-sim-gateway-version` value of a command line (last one wins, as in Go), looked up
    before parsing because it decides which flags exist."""
    version = _BY_NAME[_VERSION_FLAG].default
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        name, has_value, value = argument.lstrip("-").partition("=")
        if not argument.startswith("-") or name != _VERSION_FLAG:
            continue
        if has_value:
            version = value
        elif index + 1 < len(argv):
            version = argv[index + 1]
    return version if version in _VERSION_RANKS else _BY_NAME[_VERSION_FLAG].default


def go_parse_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64), which Go's flag.Int uses: 0x/0o/0b and leading-0 octal."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or body != body.strip():
        raise ValueError(text)
    if body[:2].lower() in ("0x", "0o", "0b"):
        value = int(body, 0)
    elif len(body) > 1 and body.startswith("0"):
        value = int(body, 8)
    else:
        value = int(body, 10)
    value = -value if text.startswith("-") else value
    if not -(2**63) <= value < 2**63:
        raise ValueError(text)
    return value


def go_parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64), which Go's flag.Float64 uses (no spaces or underscores)."""
    if not text or text != text.strip() or "_" in text:
        raise ValueError(text)
    return float(text)


def _check_value(flag: FlagSpec, value: str) -> None:
    if flag.kind == "version":
        if value not in _VERSION_RANKS:
            raise FlagError(
                f'invalid value "{value}" for flag -{flag.name}: '
                f"expected one of {', '.join(GATEWAY_VERSIONS)}"
            )
        return
    try:
        if flag.kind == "float":
            go_parse_float(value)
        elif flag.kind == "int":
            go_parse_int(value)
    except ValueError:
        raise FlagError(f'invalid value "{value}" for flag -{flag.name}: parse error') from None


def parse_go_flags(
    argv: Sequence[str], defined: dict[str, FlagSpec] | None = None
) -> dict[str, str]:
    """Values of the flags given (name -> text), validated like Go's flag.Parse.

    `defined`: the flags that exist (default: every flag of the current release).
    """
    known = _BY_NAME if defined is None else defined
    values: dict[str, str] = {}
    index = 0
    while index < len(argv):
        argument = argv[index]
        if len(argument) < 2 or not argument.startswith("-"):
            break  # the first non-flag argument ends flag parsing
        dashes = 2 if argument.startswith("--") else 1
        if argument == "--":
            break
        name = argument[dashes:]
        if not name or name.startswith(("-", "=")):
            raise FlagError(f"bad flag syntax: {argument}")
        index += 1
        name, has_value, value = name.partition("=")
        flag = known.get(name)
        if flag is None:
            if name in ("h", "help"):
                raise HelpRequested
            raise FlagError(f"flag provided but not defined: -{name}")
        if not has_value:
            if index >= len(argv):
                raise FlagError(f"flag needs an argument: -{name}")
            value = argv[index]
            index += 1
        _check_value(flag, value)
        values[name] = value
    return values


def usage(version: str = "current") -> str:
    lines = [f"Usage of {PROGRAM}:"]
    for flag in sorted(flags_of(version).values(), key=lambda item: item.name):
        kind = {"string": "string", "float": "float", "int": "int", "version": "string"}[flag.kind]
        default = ""
        if flag.default not in ("", "0"):
            shown = f'"{flag.default}"' if flag.kind == "string" else flag.default
            default = f" (default {shown})"
        lines.append(f"  -{flag.name} {kind}\n    \t{flag.usage}{default}")
    return "\n".join(lines)


# --- logging: slog-like lines on stdout (docs/reference/gateway-protocol.md §1.1) -----------------

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_LEVEL_NAMES = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR"}


def _slog_quote(value: Any) -> str:
    text = str(value)
    if text and all(character.isprintable() and character not in ' "=' for character in text):
        return text
    return json.dumps(text, ensure_ascii=False)


class SlogFormatter(logging.Formatter):
    """`time=... level=INFO msg="..." key=value` (text) or one JSON object per line."""

    def __init__(self, *, as_json: bool) -> None:
        super().__init__()
        self._as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=timezone.utc).astimezone()
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        level = _LEVEL_NAMES.get(record.levelname, record.levelname)
        attributes = {
            key: value for key, value in vars(record).items() if key not in _RECORD_FIELDS
        }
        message = record.getMessage()
        if self._as_json:
            payload = {"time": stamp, "level": level, "msg": message, **attributes}
            return json.dumps(payload, ensure_ascii=False, default=str)
        parts = [f"time={stamp}", f"level={level}", f"msg={_slog_quote(message)}"]
        parts.extend(f"{key}={_slog_quote(value)}" for key, value in attributes.items())
        return " ".join(parts)


def _configure_logging(log_format: str, log_level: str) -> logging.Logger:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(SlogFormatter(as_json=log_format == "json"))
    level = {"debug": logging.DEBUG, "warn": logging.WARNING, "warning": logging.WARNING}.get(
        log_level.lower(), logging.ERROR if log_level.lower() == "error" else logging.INFO
    )
    for name in ("agentfm.sim", "uvicorn.error"):
        target = logging.getLogger(name)
        target.handlers[:] = [handler]
        target.setLevel(level if name == "agentfm.sim" else max(level, logging.WARNING))
        target.propagate = False
    return logging.getLogger("agentfm.sim")


# --- startup ------------------------------------------------------------------------------------


def is_loopback_bind(bind: str) -> bool:
    """docs/reference/gateway-protocol.md §1.3: "", localhost, 127.0.0.1, ::1 (trimmed, any case) or
    a loopback literal."""
    host = bind.strip().lower()
    if host in ("", "localhost", "127.0.0.1", "::1"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name, or a bracketed form such as [::1]


def _join_host_port(host: str, port: str) -> str:
    # Go's net.JoinHostPort: brackets around hosts containing a colon.
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _print(line: str) -> None:
    print(line, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until SIGINT/SIGTERM; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    version = requested_version(arguments)
    try:
        given = parse_go_flags(arguments, flags_of(version))
    except HelpRequested:
        print(usage(version), file=sys.stderr)
        return 0
    except FlagError as exc:
        print(exc, file=sys.stderr)
        print(usage(version), file=sys.stderr)
        return 2
    generation = gateway_generation(version)

    def flag(name: str) -> str:
        if name == "api-bind" and not generation.has_bind_flag:
            return ""  # 1.1.0 listens on every interface (docs/reference/gateway-versions.md §1)
        return given.get(name, _BY_NAME[name].default)

    mode = flag("mode")
    if mode != "api":
        shown = f'"{mode}"' if mode else "(none)"
        print(
            f"{PROGRAM}: only -mode api (the headless gateway) is simulated; got -mode {shown}",
            file=sys.stderr,
        )
        return 2
    logger = _configure_logging(flag("log-format"), flag("log-level"))

    # Imported here so that `-h` and flag errors stay fast and need no server stack.
    from agentfm.testing._extras import SimExtraMissingError, sim_extra_required

    try:
        with sim_extra_required(PROGRAM):
            from agentfm.testing._auth import parse_api_keys
            from agentfm.testing._mesh import MeshConfigError, load_mesh_file
            from agentfm.testing._simulator import MeshSimulator
    except SimExtraMissingError as missing:
        print(missing, file=sys.stderr)
        return 1

    # 1.1.0 reads no environment at all: no keys, no guard, no webhook settings (1).
    environment: Mapping[str, str] = os.environ if generation.reads_environment else {}
    try:
        keys = parse_api_keys(environment.get("AGENTFM_API_KEYS"))
    except ValueError as exc:
        logger.error(str(exc))
        return 1
    bind = flag("api-bind")
    if (
        generation.reads_environment
        and not is_loopback_bind(bind)
        and not keys
        and environment.get("AGENTFM_ALLOW_UNAUTH_PUBLIC") != "1"
    ):
        logger.error(
            "refusing to start: bind is non-loopback and no API keys configured. "
            "Set AGENTFM_API_KEYS, or AGENTFM_ALLOW_UNAUTH_PUBLIC=1 to accept the risk."
        )
        return 1
    try:
        mesh = load_mesh_file(flag("sim-mesh")) if flag("sim-mesh") else None
    except MeshConfigError as exc:
        print(f"{PROGRAM}: {exc}", file=sys.stderr)
        return 2
    seed_text = flag("sim-seed")
    port = _listen_port(flag("apiport"))
    try:
        simulator = MeshSimulator(
            mesh,
            seed=go_parse_int(seed_text) if seed_text else None,
            host=bind,
            port=port if port is not None else 0,
            workdir=Path.cwd(),
            api_keys=keys,
            reputation_floor=go_parse_float(flag("reputation-floor")),
            webhook_secret=environment.get("AGENTFM_WEBHOOK_SECRET", ""),
            webhook_allow_private=environment.get("AGENTFM_WEBHOOK_ALLOW_PRIVATE") == "1",
            allow_file_origin=environment.get("AGENTFM_ALLOW_FILE_ORIGIN") == "1",
            ledger_path=flag("ledger-path") or None,
            heartbeat_seconds=go_parse_float(flag("sim-heartbeat")),
            async_artifact_wait_seconds=go_parse_float(flag("sim-async-artifact-wait")),
            async_capacity=go_parse_int(flag("sim-async-capacity")),
            # docs/reference/gateway-protocol.md §1.4 shutdown: 10 s for HTTP, then up to 30 s for
            # async tasks and webhooks.
            shutdown_grace_seconds=10.0,
            async_drain_seconds=30.0,
            gateway_version=generation,
        )
    except (ValueError, OSError) as exc:
        logger.error(f"startup failed: {exc}")
        return 1

    # The banner comes just before the listen call, so it shows even when the bind fails
    # (docs/reference/gateway-protocol.md §1.4).
    if not generation.has_bind_flag:
        # 1.1.0 names 127.0.0.1 although it listens on every interface, and says nothing of auth.
        _print(
            f" SUCCESS  AgentFM Local API Gateway listening on http://127.0.0.1:{flag('apiport')}"
        )
    else:
        address = _join_host_port(bind, flag("apiport"))
        _print(f" SUCCESS  AgentFM API Gateway listening on http://{address}")
    if generation.reads_environment:
        if keys:
            _print(f" INFO  Auth enabled ({len(keys)} API key(s) configured).")
        else:
            _print(" WARNING  Auth disabled (AGENTFM_API_KEYS unset).")
    try:
        if port is None:
            raise OSError(f"listen tcp: address {flag('apiport')}: unknown port")
        simulator.start()
    except (OSError, RuntimeError) as exc:
        logger.error("API server failed", extra={"error": str(exc)})
        # The real gateway lingers ~30 s here (its telemetry goroutine) before exiting 1.
        time.sleep(max(0.0, go_parse_float(flag("sim-bind-fail-linger"))))
        simulator.stop()
        return 1
    logger.info(
        "simulated gateway ready",
        extra={
            "url": simulator.url,
            "workers": len(simulator.workers),
            "workdir": str(simulator.workdir),
        },
    )
    return _serve_until_signal(simulator, logger)


def _listen_port(text: str) -> int | None:
    """The `-apiport` string as a port number; None when Go's listen would reject it."""
    return int(text, 10) if text.isascii() and text.isdigit() and int(text, 10) <= 65535 else None


def _serve_until_signal(simulator: MeshSimulator, logger: logging.Logger) -> int:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            if not simulator.running:
                logger.error("server stopped unexpectedly")
                simulator.stop()
                return 1
        logger.info("shutting down")
        simulator.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
