"""The command line of `agentfm-py`: options, commands, help texts and exit codes (argparse)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import httpx

from agentfm._options import API_KEY_ENV, DEFAULT_GATEWAY_URL
from agentfm._version import __version__

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "GATEWAY_URL_ENV",
    "PROGRAM",
    "UsageError",
    "build_parser",
]

PROGRAM = "agentfm-py"
GATEWAY_URL_ENV = "AGENTFM_GATEWAY_URL"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_UNREACHABLE = 4
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell shows for a tool killed by a closed pipe

_EPILOG = f"""\
environment:
  {GATEWAY_URL_ENV}   default for --gateway ({DEFAULT_GATEWAY_URL} when unset)
  {API_KEY_ENV}       default for --api-key (prefer it: command lines are visible to others)

output:
  Data goes to stdout: a table on a terminal, JSON when piped or with --json (answers of
  chat, run and stream are text unless --json is given). scatter draws one progress line on
  stderr when it is a terminal, then a summary.
  Errors are one line on stderr: "{PROGRAM}: error: <message>".

exit codes:
  0    success
  1    the gateway or a worker refused or failed the request (auth, unknown peer, task failed)
  2    usage error: bad arguments or input (e.g. a malformed peer id, gateway URL or API
       key, a prompts file that is not UTF-8 text)
  3    scatter finished, but at least one prompt failed (every result is still printed)
  4    the gateway could not be reached, or the connection to it broke
  130  interrupted (Ctrl-C)
  141  stdout was closed (e.g. piped into head): quietly when the reader left, with one
       line when stdout was closed before the command started
"""


class UsageError(Exception):
    """Bad command-line usage; reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (one line, our format) instead of printed + exit."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROGRAM).strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _whole_number(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {text!r}")
        return value

    return parse


def _add_connection_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    # Accepted before and after the command; after it, only what is given overrides.
    suppress: dict[str, Any] = {"default": argparse.SUPPRESS} if in_command else {}
    group = parser.add_argument_group("gateway connection")
    group.add_argument(
        "--gateway",
        metavar="URL",
        help=f"gateway URL (default: ${GATEWAY_URL_ENV} or {DEFAULT_GATEWAY_URL})",
        **suppress,
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        help="bearer token (default: $AGENTFM_API_KEY; none when unset)",
        **suppress,
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        help="per-request timeout in seconds (default: 30)",
        **suppress,
    )


def _add_json(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    # A nested command (`peers show`) must not reset a `--json` given to its parent (`peers`).
    suppressed: dict[str, Any] = {"default": argparse.SUPPRESS} if nested else {}
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON even on a terminal (always when piped)",
        **suppressed,
    )


def _add_dispatch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peer", required=True, metavar="ID", help="the worker's peer id")
    parser.add_argument("--prompt", required=True, metavar="TEXT", help="the prompt to send")


def _add_artifact_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--artifacts-dir",
        metavar="DIR",
        default="agentfm_artifacts",
        help="the gateway's artifact folder, <gateway cwd>/agentfm_artifacts (default: "
        "./agentfm_artifacts); files are extracted into DIR/extracted/<task id>/",
    )
    parser.add_argument(
        "--artifact-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=120.0,
        help="how long to wait for announced files (default: 120)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The `agentfm-py` parser; `args.command` names the command, `args.handler` runs it."""
    parser = _Parser(
        prog=PROGRAM,
        description="Command line of the AgentFM SDK: discover workers, dispatch prompts, "
        "follow the mesh, through a local AgentFM gateway.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {__version__}")
    _add_connection_options(parser, in_command=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def command(name: str, help_text: str, epilog: str | None = None) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog)
        _add_connection_options(sub, in_command=True)
        return sub

    ping = command("ping", "check that the gateway answers its health check")
    _add_json(ping)

    workers = command("workers", "list the online workers")
    workers.add_argument("--model", help="only workers serving this model/engine")
    workers.add_argument("--agent-name", metavar="NAME", help="only agents with this name")
    workers.add_argument("--author", help="only workers of this operator")
    workers.add_argument("--available", action="store_true", help="only workers with a free slot")
    workers.add_argument(
        "--wait",
        metavar="N",
        type=_whole_number(0),
        default=0,
        help="wait until at least N workers match (up to --wait-timeout)",
    )
    workers.add_argument(
        "--wait-timeout", metavar="SECONDS", type=_positive_float, default=15.0, help="(15)"
    )
    _add_json(workers)

    models = command("models", "list peers on the mesh, as the OpenAI /v1/models route does")
    _add_json(models)

    chat = command("chat", "send one chat message through the OpenAI-compatible route")
    _add_dispatch(chat)
    chat.add_argument("--stream", action="store_true", help="print the answer as it arrives")
    _add_json(chat)

    run = command("run", "run a task: stream its answer, then collect the files it wrote")
    _add_dispatch(run)
    _add_artifact_options(run)
    _add_json(run)

    stream = command("stream", "run a task and stream its answer (files are not collected)")
    _add_dispatch(stream)
    _add_json(stream)

    submit = command("submit", "queue a task without waiting (fire-and-forget)")
    _add_dispatch(submit)
    submit.add_argument(
        "--webhook-url", metavar="URL", help="the gateway POSTs here when the task completes"
    )
    _add_json(submit)

    scatter = command(
        "scatter",
        "run many prompts across peers; results as JSON lines on stdout, in input order",
        epilog='Prompts: one per line, or JSON lines {"prompt": ...} (decided by the first '
        "line; see --input-format). Blank lines are skipped. Each result line has index, "
        "prompt, status (success|failed), text, error, error_code, worker_id, attempts, "
        "duration_seconds, task_id, artifacts.",
    )
    scatter.add_argument(
        "prompts_file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the prompts (default: stdin, also as '-')",
    )
    target = scatter.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", help="discover the workers serving this model")
    target.add_argument(
        "--peer",
        action="append",
        dest="peer_ids",
        metavar="ID",
        help="a peer to use (repeat for several)",
    )
    scatter.add_argument(
        "--max-workers", metavar="N", type=_whole_number(1), help="with --model: use at most N"
    )
    scatter.add_argument(
        "--max-concurrency", metavar="N", type=_whole_number(1), default=8, help="(8)"
    )
    scatter.add_argument("--max-retries", metavar="N", type=_whole_number(0), default=2, help="(2)")
    scatter.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="record results here; a re-run with the same prompts skips those answered",
    )
    scatter.add_argument(
        "--input-format",
        choices=("auto", "lines", "jsonl"),
        default="auto",
        help="how to read the prompts (default: auto)",
    )
    _add_artifact_options(scatter)
    _add_json(scatter)

    peers = command("peers", "the trust layer: list peers, or show one, its log, a proof")
    peers.add_argument("--include-offline", action="store_true", help="also peers in the ledger")
    _add_json(peers)
    peer_commands = peers.add_subparsers(
        dest="peers_command", metavar="SUBCOMMAND", parser_class=_Parser
    )
    show = peer_commands.add_parser("show", help="a peer's card: honesty, raters, dispatch")
    show.add_argument("peer_id", metavar="ID")
    _add_json(show, nested=True)
    log = peer_commands.add_parser("log", help="the signed ratings and comments about a peer")
    log.add_argument("peer_id", metavar="ID")
    log.add_argument("--limit", type=_whole_number(1), default=50, help="entries per page (50)")
    log.add_argument("--offset", type=_whole_number(0), default=0, help="entries to skip (0)")
    log.add_argument("--all", action="store_true", help="every entry, page by page")
    _add_json(log, nested=True)
    verify = peer_commands.add_parser(
        "verify", help="check locally that an entry is in the gateway's signed log"
    )
    verify.add_argument("peer_id", metavar="ID")
    verify.add_argument("entry_hash", metavar="ENTRY_HASH")
    _add_json(verify, nested=True)
    for sub in (show, log, verify):
        _add_connection_options(sub, in_command=True)

    events = command("events", "follow the mesh's events, one line each, until Ctrl-C")
    events.add_argument(
        "--no-reconnect", action="store_true", help="exit when the connection drops"
    )
    _add_json(events)
    return parser


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments with the connection defaults filled in and checked (`UsageError`)."""
    arguments = build_parser().parse_args(argv)
    gateway_source = "--gateway"
    if getattr(arguments, "gateway", None) is None:
        gateway_source = f"${GATEWAY_URL_ENV}"
        arguments.gateway = os.environ.get(GATEWAY_URL_ENV) or DEFAULT_GATEWAY_URL
    for name in ("api_key", "timeout", "json"):
        if not hasattr(arguments, name):
            setattr(arguments, name, None if name != "json" else False)
    _check_text(arguments)
    _check_gateway_url(arguments.gateway, gateway_source)
    if arguments.api_key is not None:
        _check_api_key(arguments.api_key, "--api-key")
    elif os.environ.get(API_KEY_ENV):
        _check_api_key(os.environ[API_KEY_ENV], f"${API_KEY_ENV}")
    return arguments


def _check_text(arguments: argparse.Namespace) -> None:
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates, which no request can
    # carry; refused here, naming the argument, rather than failing deep inside a request.
    for name, value in vars(arguments).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and not _is_utf8_text(text) for text in values):
            shown = _SHOWN_AS.get(name, "--" + name.replace("_", "-"))
            raise UsageError(f"{shown}: not UTF-8 text")


# Arguments whose destination is not the flag's name.
_SHOWN_AS = {
    "peer_ids": "--peer",
    "prompts_file": "FILE",
    "peer_id": "ID",
    "entry_hash": "ENTRY_HASH",
}


def _is_utf8_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_gateway_url(url: str, source: str) -> None:
    # Checked here to name the flag or variable the user set; the value is not echoed, as a URL
    # may carry a password.
    try:
        parsed: httpx.URL | None = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(
            f"{source} must be an http(s) URL such as {DEFAULT_GATEWAY_URL} (the value given "
            "is not one)"
        )


def _check_api_key(key: str, source: str) -> None:
    # A bearer token travels in an HTTP header: printable ASCII only. Never echoed.
    if not (key.isascii() and key.isprintable()):
        raise UsageError(f"{source} must be printable ASCII (the key is not shown)")
