"""The loopback gateway simulator (`agentfm-sim`) and its pytest fixtures.

    from agentfm.testing import MeshSimulator

    with MeshSimulator() as mesh:        # a gateway on 127.0.0.1 with the default demo mesh
        client = AgentFMClient(mesh.url)

    with MeshSimulator(gateway_version="1.2.0") as mesh:   # an older release's wire
        ...

`task_body(text)` builds the body of a completed task for your own mocks of the gateway
(respx, `httpx.MockTransport`); it needs no simulator and no `[sim]` extra.

Names are loaded on first use, so importing this package (which the pytest plugin does in every
test run) does not import the server stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentfm._lazy import lazy_attributes
from agentfm.testing._extras import sim_extra_required

if TYPE_CHECKING:
    from agentfm.testing._bodies import task_body
    from agentfm.testing._boss import SimulatedWorker
    from agentfm.testing._mesh import (
        DEFAULT_MESH,
        MeshConfigError,
        MeshSpec,
        WorkerSpec,
        load_mesh_file,
        parse_mesh,
    )
    from agentfm.testing._simulator import MeshSimulator
    from agentfm.testing._versions import GATEWAY_VERSIONS

__all__ = [
    "DEFAULT_MESH",
    "GATEWAY_VERSIONS",
    "MeshConfigError",
    "MeshSimulator",
    "MeshSpec",
    "SimulatedWorker",
    "WorkerSpec",
    "load_mesh_file",
    "parse_mesh",
    "task_body",
]

_LOCATIONS = {
    "DEFAULT_MESH": "agentfm.testing._mesh",
    "MeshConfigError": "agentfm.testing._mesh",
    "MeshSpec": "agentfm.testing._mesh",
    "WorkerSpec": "agentfm.testing._mesh",
    "load_mesh_file": "agentfm.testing._mesh",
    "parse_mesh": "agentfm.testing._mesh",
    "MeshSimulator": "agentfm.testing._simulator",
    "SimulatedWorker": "agentfm.testing._boss",
    "GATEWAY_VERSIONS": "agentfm.testing._versions",
    "task_body": "agentfm.testing._bodies",
}


_load_attribute, __dir__ = lazy_attributes(__name__, _LOCATIONS, __all__)


def __getattr__(name: str) -> Any:
    # Every name here lives beside the server stack: without the [sim] extra, say how to get it.
    with sim_extra_required(f"agentfm.testing.{name}"):
        return _load_attribute(name)
