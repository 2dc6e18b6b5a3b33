"""Discover the workers on the mesh, filter them, and pick one by peer id.

    python examples/01_discover_and_pick.py [--gateway URL]

Names (`agent_name`, `model`) are whatever a worker advertises; the peer id is the only
identifier a worker cannot fake, so that is what you keep and dispatch to.
"""

from __future__ import annotations

from _gateway import gateway

with gateway(__doc__) as gw, gw.client() as client:
    # Everything online, with the metadata a worker advertises and the gateway's trust view.
    for w in client.workers.list():
        print(
            f"{w.peer_id[:16]}...  {w.agent_name:<14} model={w.model:<9} by {w.author!r:<14} "
            f"load={w.current_tasks}/{w.max_tasks}  gpu={w.gpu_usage_pct:.0f}%  "
            f"honesty={w.honesty_score:+.2f}"
        )

    # Filters combine and ignore case. A filter nothing matches is an empty list, not an error:
    # "llama3" is a typo for "llama3.2", so look before you take [0].
    model = "llama3"
    workers = client.workers.list(model=model)
    if not workers:
        offered = sorted({w.model for w in client.workers.list()})
        print(f"\nno worker serves model {model!r}; the mesh offers {offered}")
        model = "llama3.2"
        workers = client.workers.list(model=model, available_only=True)
    if not workers:
        raise SystemExit(f"no worker with a free slot serves {model!r} right now")

    # Pick by what matters to you (here: the most free slots), and keep the peer id.
    chosen = max(workers, key=lambda w: w.max_tasks - w.current_tasks)
    print(f"\npicked {chosen.agent_name!r} serving {model}: {chosen.peer_id}")
    print(f"  {chosen.description}")
