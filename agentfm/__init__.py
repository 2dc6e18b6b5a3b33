"""agentfm: the Python SDK for the AgentFM peer-to-peer mesh."""

from agentfm._version import __version__

__all__ = ["__version__"]
