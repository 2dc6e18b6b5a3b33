"""`python -m bench` (what `make bench` runs): every benchmark, printed as tables.

    .venv/bin/python -m bench [--quick] [--sdk030-python PATH] [--million] [--skip-scatter]

* bench/issue14.py: the scatter figures of issue 14 in one table, each with its baseline and
  ratio (uneven mesh against 0.3.0, client CPU against a bare HTTP loop, memory, import);
* bench/facade_overhead.py: the facade's per-call overhead over a bare httpx call;
* bench/scatter.py: makespan efficiency on the older meshes against a naive baseline.
"""

from __future__ import annotations

import argparse

from bench import facade_overhead, issue14, scatter

parser = argparse.ArgumentParser(prog="python -m bench")
parser.add_argument("--quick", action="store_true")
parser.add_argument("--sdk030-python")
parser.add_argument("--million", action="store_true")
parser.add_argument("--skip-scatter", action="store_true", help="skip bench/scatter.py's tables")
arguments = parser.parse_args()
flags = ["--quick"] if arguments.quick else []
issue14.main(
    [*flags, *(["--sdk030-python", arguments.sdk030_python] if arguments.sdk030_python else [])]
    + (["--million"] if arguments.million else [])
)
print()
facade_overhead.main(["--calls", "300" if arguments.quick else "2000"])
if not arguments.skip_scatter:
    print()
    scatter.main([*flags, "--skip-memory"])
