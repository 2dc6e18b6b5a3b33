"""Bodies a test double of the gateway can answer with, shaped as the real gateway shapes them.

Plain functions on the standard library only: importable without the `[sim]` extra.
"""

from __future__ import annotations

from agentfm._task_output import FILES_INCOMING, NO_FILES

__all__ = ["task_body"]


def task_body(text: str = "", *, files_incoming: bool = False) -> str:
    """The body of a completed `POST /api/execute`: the worker's output `text`, then the
    completion sentinel line (docs/reference/gateway-protocol.md §5.4) the SDK requires before it
    calls a task done. `files_incoming=True` announces an artifact zip instead of none.

        respx.post(f"{GW}/api/execute").mock(
            return_value=httpx.Response(200, text=task_body("hello"))
        )

    A mock that answers the bare text makes `tasks.run` raise `WorkerStreamError`
    (`stream_incomplete`), as a real worker that crashed would.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    marker = FILES_INCOMING if files_incoming else NO_FILES
    return f"{text}\n[AGENTFM: {marker}]\n"
