"""`python -m bench` (what `make bench` runs): every benchmark, printed as tables.

    .venv/bin/python -m bench [--quick] [--memory-prompts N] [--skip-memory]

* bench/facade_overhead.py: the facade's per-call overhead over a bare httpx call;
* bench/scatter.py: scatter-gather makespan efficiency against the ideal and a naive baseline,
  dispatch overhead per task, and peak memory.
"""

from __future__ import annotations

import sys

from bench import facade_overhead, scatter

arguments = sys.argv[1:]
facade_overhead.main(["--calls", "300" if "--quick" in arguments else "2000"])
print()
scatter.main(arguments)
