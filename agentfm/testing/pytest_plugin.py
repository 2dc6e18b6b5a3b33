"""pytest plugin: the `agentfm_mesh` fixture (filled in with the simulator)."""
