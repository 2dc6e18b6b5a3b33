"""Stream a task's output as it arrives, with the sync and the async client.

    python examples/03_stream.py [--gateway URL]

Chunks are `kind == "text"` (the agent's output) or `kind == "marker"` (a protocol sentinel:
FILES_INCOMING or NO_FILES). Sentinels never leak into the text.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing

from _gateway import Gateway, gateway, pick_worker


async def stream_async(gw: Gateway, peer_id: str) -> None:
    async with gw.async_client() as client:
        stream = client.tasks.stream(worker_id=peer_id, prompt="Count to five")
        # aclosing: the connection closes even when the loop body raises or breaks early.
        async with aclosing(stream) as chunks:
            async for chunk in chunks:
                if chunk.kind == "text":
                    print(chunk.text, end="", flush=True)


with gateway(__doc__) as gw:
    with gw.client() as client:
        worker = pick_worker(client, "llama3.2")
        print("== sync ==")
        for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="Write a haiku"):
            if chunk.kind == "text":
                print(chunk.text, end="", flush=True)
            else:
                print(f"[marker: {chunk.marker}]")
    print("\n== async ==")
    asyncio.run(stream_async(gw, worker.peer_id))
