"""Placeholder until the first `make generate`."""
