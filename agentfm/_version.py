"""The single place the package version is written (read by hatchling and by `agentfm.__version__`)."""

__version__ = "0.4.0"
