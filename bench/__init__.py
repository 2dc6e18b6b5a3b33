"""Benchmarks of the SDK against `agentfm-sim` (`make bench`): figures printed, never asserted."""
