"""The 0.3.0-compatibility suite (issue 11): 0.3.0 code and test doubles run unchanged."""
