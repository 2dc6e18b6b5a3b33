"""Three ways to choose the worker a task goes to, all ending in a peer id.

    python examples/06_list_and_pick_by_peer_id.py [--gateway URL]

1. Browse and pick: list with filters, choose by what matters to you, keep the peer id.
2. Fetch by id: you already know a peer id; `workers.get` confirms it is online and shows its
   load (`WorkerNotFoundError` when it is not).
3. Pin without listing: dispatch straight to a known peer id, with no discovery call at all.

Names are whatever a worker advertises; only the peer id cannot be faked, so every pattern
dispatches by peer id.
"""

from __future__ import annotations

import os

from _gateway import gateway

from agentfm import WorkerNotFoundError

with gateway(__doc__) as gw, gw.client() as client:
    # 1. Browse and pick.
    candidates = client.workers.list(model="llama3.2")
    if not candidates:
        raise SystemExit("no worker serves llama3.2; `client.workers.list()` shows what does")
    for w in candidates:
        print(f"  {w.peer_id}  {w.agent_name:<12} load={w.current_tasks}/{w.max_tasks}")
    chosen = min(candidates, key=lambda w: (w.current_tasks, -w.max_tasks))
    print(f"1. browse and pick: {chosen.agent_name} -> {chosen.peer_id}")
    result = client.tasks.run(worker_id=chosen.peer_id, prompt="Hello from pattern 1")
    print(f"   answered in {result.duration_seconds:.2f}s")

    # 2. Fetch by id: a peer id you were given (a config file, a colleague, yesterday's run).
    known_peer_id = os.environ.get("AGENTFM_PEER_ID", chosen.peer_id)
    try:
        profile = client.workers.get(known_peer_id)
    except WorkerNotFoundError:
        raise SystemExit(f"{known_peer_id} is not online right now") from None
    print(
        f"2. fetch by id: {profile.agent_name} ({profile.model}), load "
        f"{profile.current_tasks}/{profile.max_tasks}"
    )

    # 3. Pin without listing: no discovery round-trip. If the worker has gone, the dispatch
    # itself says so with WorkerNotFoundError.
    pinned = known_peer_id
    try:
        result = client.tasks.run(worker_id=pinned, prompt="Hello from pattern 3")
    except WorkerNotFoundError:
        raise SystemExit(f"pinned worker {pinned} is offline") from None
    print(f"3. pin without listing: {result.worker_id} answered {len(result.text)} characters")
