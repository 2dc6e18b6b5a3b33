"""The loopback gateway simulator (`agentfm-sim`) and its pytest fixtures."""
