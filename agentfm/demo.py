"""`make demo`: not runnable yet. It needs the gateway simulator and the high-level client."""

import sys

if __name__ == "__main__":
    sys.stderr.write(
        "make demo: the demo runs the hello world against the embedded gateway simulator, and\n"
        "neither the simulator (agentfm-sim) nor the high-level client exists yet.\n"
    )
    raise SystemExit(1)
