"""Where the examples find a gateway: the one you name, or an embedded simulator.

    python examples/02_run.py                                   # starts a MeshSimulator
    python examples/02_run.py --gateway http://127.0.0.1:8080   # a real `agentfm -mode api`
    AGENTFM_GATEWAY_URL=http://127.0.0.1:8080 python examples/02_run.py

With a real gateway, `--artifacts-dir` is the gateway's own `agentfm_artifacts/` folder (it
writes task files on its disk), and AGENTFM_API_KEY is read as usual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentfm import AgentFMClient, AsyncAgentFMClient, WorkerProfile


@dataclass(frozen=True)
class Gateway:
    url: str
    artifacts_dir: Path | None
    simulated: bool
    # The simulator itself when this is one (to script events on it), else None.
    mesh: Any = None

    def client(self) -> AgentFMClient:
        return AgentFMClient(gateway_url=self.url, artifacts_dir=self.artifacts_dir)

    def async_client(self) -> AsyncAgentFMClient:
        return AsyncAgentFMClient(gateway_url=self.url, artifacts_dir=self.artifacts_dir)


@contextmanager
def gateway(description: str, **simulator_options: Any) -> Iterator[Gateway]:
    """The gateway named on the command line, else a started MeshSimulator (stopped on exit)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--gateway",
        default=os.environ.get("AGENTFM_GATEWAY_URL"),
        help="a running gateway's URL (default: start an embedded simulator)",
    )
    parser.add_argument(
        "--artifacts-dir",
        type=Path,
        default=None,
        help="the gateway's agentfm_artifacts folder, to collect the files tasks write",
    )
    arguments = parser.parse_args()
    if arguments.gateway:
        yield Gateway(arguments.gateway, arguments.artifacts_dir, simulated=False)
        return
    try:
        from agentfm.testing import MeshSimulator

        mesh = MeshSimulator(**simulator_options)
    except ImportError as missing:  # the [sim] extra is not installed: say how to get it
        sys.exit(str(missing))
    with mesh:
        print(f"(no --gateway given: using an embedded simulator at {mesh.url})\n")
        yield Gateway(mesh.url, mesh.artifacts_dir, simulated=True, mesh=mesh)


def pick_worker(client: AgentFMClient, model: str) -> WorkerProfile:
    """The least-loaded online worker serving `model`; exits with a clear message when none does.

    `workers.list` answers a filter nothing matches with `[]` (a typo such as "llama3" included),
    so look before taking `[0]`.
    """
    workers = client.workers.list(model=model)
    if not workers:
        offered = sorted({w.model for w in client.workers.list()})
        sys.exit(f"no online worker serves model {model!r}; the mesh offers: {offered or 'none'}")
    return min(workers, key=lambda w: w.current_tasks / max(w.max_tasks, 1))
