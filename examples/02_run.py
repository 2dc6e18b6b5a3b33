"""Run one task to completion and read its answer.

    python examples/02_run.py [--gateway URL]

`tasks.run` returns only when the worker's completion sentinel arrived: a task that was refused,
crashed or lost its connection raises `WorkerStreamError` with the text received so far.
"""

from __future__ import annotations

from _gateway import gateway, pick_worker

from agentfm import AgentFMError, WorkerStreamError

with gateway(__doc__) as gw, gw.client() as client:
    worker = pick_worker(client, "llama3.2")
    try:
        result = client.tasks.run(
            worker_id=worker.peer_id, prompt="Summarise the plot of Hamlet in three lines."
        )
    except WorkerStreamError as error:
        partial = error.partial_text
        raise SystemExit(f"the task did not complete ({error}); got so far: {partial!r}") from None
    except AgentFMError as error:  # not found, unreachable, refused by the trust gate, ...
        raise SystemExit(f"dispatch failed: {error} (code {error.code})") from None

    print(result.text)
    print(f"worker {result.worker_id}\ntask {result.task_id}, {result.duration_seconds:.2f}s")
