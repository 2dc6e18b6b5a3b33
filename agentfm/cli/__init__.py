"""`agentfm-py`: the SDK's command line (console script, or `python -m agentfm.cli`).

    agentfm-py models                                   # list peers on the mesh
    agentfm-py chat --peer 12D3KooW... --prompt "hi"
    agentfm-py workers --model llama3.2 --json | jq '.[].peer_id'
    agentfm-py scatter prompts.txt --model llama3.2 > results.jsonl

`agentfm-py --help` lists every command, the environment it reads and the exit codes. Errors are
one line on stderr (`agentfm-py: error: <message>`), never a traceback, whatever the input (bad
URLs, keys, binary prompts); Ctrl-C exits 130 and a stdout closed by its reader (`| head`) exits
141, both quietly. A stdout closed before the start (`>&-`) exits 141 with one line, before
anything is sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]

logger = logging.getLogger("agentfm.cli")


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; with the reader gone that flush would fail loudly.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `agentfm-py` command; returns the exit status (see `agentfm-py --help`)."""
    # Imported here so that `import agentfm.cli` stays cheap.
    from agentfm._client import AgentFMClient
    from agentfm._options import NOT_GIVEN
    from agentfm.cli._output import Output, one_line
    from agentfm.cli._parser import (
        EXIT_BROKEN_PIPE,
        EXIT_FAILURE,
        EXIT_INTERRUPTED,
        EXIT_UNREACHABLE,
        EXIT_USAGE,
        PROGRAM,
        UsageError,
        parse_arguments,
    )
    from agentfm.exceptions import AgentFMError, GatewayConnectionError, InvalidRequestError

    def fail(message: str, status: int) -> int:
        if sys.stderr is not None:  # None when the process started with stderr closed
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"{PROGRAM}: error: {one_line(message)}\n")
                sys.stderr.flush()
        return status

    if sys.stdout is None:  # started with stdout closed: nothing could be shown, so do nothing
        return fail("stdout is closed: nothing could be printed", EXIT_BROKEN_PIPE)
    try:
        try:
            arguments = parse_arguments(argv)
        except SystemExit as done:  # --help, --version
            return done.code if isinstance(done.code, int) else EXIT_USAGE
        from agentfm.cli._commands import COMMANDS

        output = Output(sys.stdout, sys.stderr, force_json=arguments.json)
        with AgentFMClient(
            gateway_url=arguments.gateway,
            timeout=arguments.timeout,
            api_key=NOT_GIVEN if arguments.api_key is None else arguments.api_key,
            artifacts_dir=getattr(arguments, "artifacts_dir", None),
        ) as client:
            return COMMANDS[arguments.command](client, arguments, output)
    except UsageError as error:
        return fail(f"{error} (see {PROGRAM} --help)", EXIT_USAGE)
    except GatewayConnectionError as error:
        return fail(str(error), EXIT_UNREACHABLE)
    except InvalidRequestError as error:
        return fail(str(error), EXIT_USAGE)
    except AgentFMError as error:
        return fail(str(error), EXIT_FAILURE)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as error:  # a bug: still one line, the traceback only in the debug log
        logger.debug("unexpected error", exc_info=error)
        return fail(f"unexpected {type(error).__name__}: {_safe_message(error)}", EXIT_FAILURE)


def _safe_message(error: Exception) -> str:
    # A Unicode error quotes the character it choked on, which may be part of a secret (a key
    # sent in a header); the rest of its message is of no use to the user.
    if isinstance(error, UnicodeError):
        return "a value could not be encoded (not shown)"
    return str(error)
