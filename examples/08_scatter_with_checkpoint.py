"""Scatter a batch across the mesh, with a checkpoint to resume from and a progress line.

    python examples/08_scatter_with_checkpoint.py [--gateway URL]

Each finished result is appended to the checkpoint (flushed, fsynced) before it is reported, so
a crash loses at most the tasks in flight; the same call again skips what already finished.
Failures are results (`status == "failed"`), never exceptions that lose the batch.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _gateway import gateway

prompts = [f"Summarise document #{i}" for i in range(24)]


def progress(done: int, failed: int, total: int | None) -> None:
    print(f"\r  {done}/{total} done, {failed} failed", end="", file=sys.stderr, flush=True)


with gateway(__doc__) as gw, gw.client() as client, tempfile.TemporaryDirectory() as scratch:
    checkpoint = Path(scratch) / "results.jsonl"

    started = time.monotonic()
    results = client.tasks.scatter_by_model(
        prompts, model="llama3.2", max_concurrency=4, checkpoint=checkpoint, progress=progress
    )
    print(f"\nfirst run: {len(results)} results in {time.monotonic() - started:.1f}s")
    for index, result in enumerate(results[:3]):
        outcome = result.text.splitlines()[0] if result.text else result.error
        print(f"  #{index} {result.status} after {result.attempts} attempt(s): {outcome}")
    failed = [r for r in results if r.status == "failed"]
    lines = len(checkpoint.read_text().splitlines())
    print(f"  {len(failed)} failed; the checkpoint holds {lines} lines")

    # The same call again: every answered prompt comes from the file, nothing is dispatched.
    started = time.monotonic()
    again = client.tasks.scatter_by_model(
        prompts, model="llama3.2", max_concurrency=4, checkpoint=checkpoint
    )
    same = all(a.text == b.text for a, b in zip(results, again, strict=True))
    elapsed = time.monotonic() - started
    print(f"resumed run: {len(again)} results in {elapsed:.2f}s, same answers: {same}")
