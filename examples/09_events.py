"""Watch workers join and leave the mesh, live.

    python examples/09_events.py [--gateway URL]

`workers.watch()` yields the worker table now, and again after every change; `events.stream()`
yields the raw `worker_online` / `worker_offline` events. Both reconnect by themselves. With the
embedded simulator, this example takes a worker offline and brings it back; with a real gateway
it prints the first changes that happen.
"""

from __future__ import annotations

from _gateway import gateway

CHANGES = 2

with gateway(__doc__) as gw, gw.client() as client, client.workers.watch() as tables:
    for seen, table in enumerate(tables):
        names = sorted(w.agent_name for w in table.workers.values())
        cause = type(table.event).__name__ if table.event else "listed"
        print(f"{cause:<20} {len(table)} online: {', '.join(names)}")
        if seen == CHANGES:
            break
        if gw.mesh is not None:  # script a change on the simulator
            name = "summarizer"
            if seen == 0:
                gw.mesh.take_offline(name)
            else:
                gw.mesh.bring_online(name)
