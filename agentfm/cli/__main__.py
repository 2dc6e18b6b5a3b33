"""`python -m agentfm.cli`: the same as the `agentfm-py` console script."""

from __future__ import annotations

import sys

from agentfm.cli import main

sys.exit(main())
