"""pytest plugin: the `agentfm_mesh` and `agentfm_mesh_factory` fixtures (entry point `agentfm`).

    def test_workers(agentfm_mesh):                   # the default demo mesh, started
        httpx.get(f"{agentfm_mesh.url}/api/workers")

    @pytest.mark.agentfm_mesh(workers=[{"name": "w", "engine": "llama3.2"}],
                              api_keys=["a-key-of-16-chars-or-more"])
    def test_custom(agentfm_mesh): ...                # marker kwargs go to MeshSimulator

    def test_two(agentfm_mesh_factory):
        first, second = agentfm_mesh_factory(), agentfm_mesh_factory(seed=3)

The marker's `workers=` is the mesh (a list of workers); every other keyword is a
`MeshSimulator` option (`gateway_version="1.2.0"` gives an older release's wire). Simulators
are stopped, and their temporary directories removed, when the test ends. The simulator is
imported only when a fixture is used, so the plugin costs nothing (and needs no server stack)
in test runs that do not use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from agentfm.testing._simulator import MeshSimulator

__all__ = ["agentfm_mesh", "agentfm_mesh_factory"]

MARKER = "agentfm_mesh"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(workers=None, **options): configure the simulator of the `agentfm_mesh` "
        "fixture (workers = the mesh; options = MeshSimulator keyword arguments)",
    )


def _options(workers: Any = None, **options: Any) -> dict[str, Any]:
    if workers is not None:
        if "mesh" in options:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}: give either workers= or mesh=")
        options["mesh"] = workers
    return options


@pytest.fixture
def agentfm_mesh_factory() -> Iterator[Callable[..., MeshSimulator]]:
    """A function that starts a `MeshSimulator(**options)`; all are stopped after the test."""
    from agentfm.testing._extras import sim_extra_required

    with sim_extra_required("the agentfm_mesh fixtures"):
        from agentfm.testing._simulator import MeshSimulator

    started: list[MeshSimulator] = []

    def start(workers: Any = None, **options: Any) -> MeshSimulator:
        simulator = MeshSimulator(**_options(workers, **options))
        started.append(simulator)
        return simulator.start()

    try:
        yield start
    finally:
        for simulator in reversed(started):
            simulator.stop()


@pytest.fixture
def agentfm_mesh(
    request: pytest.FixtureRequest, agentfm_mesh_factory: Callable[..., MeshSimulator]
) -> MeshSimulator:
    """A started simulator: the default demo mesh, or what `@pytest.mark.agentfm_mesh` says."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return agentfm_mesh_factory()
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    return agentfm_mesh_factory(**marker.kwargs)
