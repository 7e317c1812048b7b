"""Benchmark: HiGHS dual simplex (its default) vs interior point without crossover.

Runs the default study's sizing LP with both option sets in the same process and reports the
solve-time ratio (machines here are noisy; compare ratios, not seconds) and the objective
difference. Usage::

    python bench/solver_options.py [studies/default.yaml]
"""

from __future__ import annotations

import sys
import time

from gridtwin.config import load_study
from gridtwin.optimize import pypsa_backend
from gridtwin.study import prepare_problem

OPTION_SETS = {
    "simplex (HiGHS default)": {},
    "ipm, crossover off": {"solver": "ipm", "run_crossover": "off"},
}


def main(path: str = "studies/default.yaml") -> None:
    problem, _, _ = prepare_problem(load_study(path).config)
    rows = {}
    for label, opts in OPTION_SETS.items():
        t0 = time.perf_counter()
        sol = pypsa_backend.solve(problem, opts)
        rows[label] = (time.perf_counter() - t0, sol.solver["solve_time_s"], sol.objective)
    base = rows["simplex (HiGHS default)"]
    print(f"{'options':28s} {'wall [s]':>9s} {'solve [s]':>9s} {'vs simplex':>10s} objective")
    for label, (wall, solve_s, obj) in rows.items():
        print(
            f"{label:28s} {wall:9.1f} {solve_s:9.1f} {solve_s / base[1]:10.2f} "
            f"{obj:.6e} (rel. diff {abs(obj - base[2]) / base[2]:.1e})"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
