"""The one place the package version is written (hatchling and `agentfm.__version__` read it)."""

__version__ = "0.4.0"
