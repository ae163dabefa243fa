"""Peak memory of the scenario engine per million scenarios (measured, not estimated).

Each size runs in a fresh interpreter: imports, the data and the notebook's model (the
State's stakes in both companies, exit scenario "range", as in bench_scenarios.py) are
loaded first and the peak resident memory noted; then ``run_scenarios`` and ``summarise``
run, and the growth of the peak is what the scenarios cost. The growth per million
scenarios is printed for each size, with the reference being the smallest size's figure
(a ratio near 1 means memory grows linearly with ``n_scenarios``).

    python benchmarks/bench_scenario_memory.py            # 100,000 and 1,000,000 scenarios
    python benchmarks/bench_scenario_memory.py 2000000    # other sizes
"""

from __future__ import annotations

import subprocess
import sys

_CHILD = """
import resource, sys
from analysis.core import scenarios as sc
from analysis.investment.inputs import investment_data
from analysis.investment.model import model_inputs
from analysis.data.io import load_dataset

model = model_inputs(investment_data(load_dataset()), "both", "state", "range")
sc.summarise(sc.run_scenarios(model, 1000, 2012, 0.04))  # warm: first-call allocations
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = sc.summarise(sc.run_scenarios(model, int(sys.argv[1]), 2012, 0.04))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after)
"""


def _peak_kib(n: int) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n)], capture_output=True, text=True, check=True
    )
    before, after = (int(v) for v in done.stdout.split())
    return before, after


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    reference = None
    for n in sizes:
        before, after = _peak_kib(n)
        per_million = (after - before) / 1024 / (n / 1_000_000)
        reference = reference or per_million
        print(
            f"{n:>10,} scenarios: peak {after / 1024:7.0f} MiB (baseline {before / 1024:.0f} MiB"
            f" after imports and data), {per_million:6.0f} MiB per million scenarios "
            f"(ratio to the first size {per_million / reference:.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
