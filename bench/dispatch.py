"""Benchmark: rolling-horizon dispatch of the sized default study against perfect foresight.

Sizes the default study once (:func:`gridtwin.study.solve`, the study's backend and solver
options), then dispatches the sized capacities over the whole year with
:func:`gridtwin.optimize.dispatch.rolling_dispatch` (48 h windows stepped daily by default,
the clean shortfall priced at the sizing's CFE shadow price). Prints the sizing time, the time
per window (build + solve [s]: mean, median, max) and in total, the CFE score reached against
the target and against the sizing's, and the operating cost of the rolling dispatch against the
perfect-foresight operating cost of the sizing (ratio, same run), with and without the
shortfall penalty. Usage::

    python bench/dispatch.py [studies/default.yaml] [--window 48] [--step 24]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from gridtwin.config import load_study
from gridtwin.optimize.dispatch import rolling_dispatch
from gridtwin.optimize.evaluate import cfe_balance, objective_terms
from gridtwin.study import prepare_problem, solve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    parser.add_argument("--window", type=int, default=48, help="window length [h]")
    parser.add_argument("--step", type=int, default=24, help="committed hours per window [h]")
    args = parser.parse_args(argv)
    cfg = load_study(args.study).config
    problem, _, _ = prepare_problem(cfg)
    currency = problem.currency

    t0 = time.perf_counter()
    sized = solve(problem, cfg.solver)
    sizing_s = time.perf_counter() - t0
    sized_terms = objective_terms(problem, sized)
    sized_score, _ = cfe_balance(problem, sized)

    times: list[float] = []

    def progress(done: int, total: int, seconds: float) -> None:
        times.append(seconds)
        if done % 50 == 0 or done == total:
            print(f"  window {done:4d}/{total}: {seconds:.3f} s", flush=True)

    print(
        f"{cfg.name}: {len(problem.snapshots)} h, sized with {cfg.solver.backend}/"
        f"{cfg.solver.name} {cfg.solver.options} in {sizing_s:.1f} s; CFE price "
        f"{sized.cfe_price:.2f} {currency}/MWh"
    )
    print("capacities: " + ", ".join(f"{k} {v:.1f} MW" for k, v in sized.p_nom.items()))
    print("            " + ", ".join(f"{k} {v:.1f} MWh" for k, v in sized.e_nom.items()))
    print(f"rolling dispatch: {args.window} h windows, {args.step} h steps")
    t0 = time.perf_counter()
    rolled = rolling_dispatch(
        problem, sized, window_hours=args.window, step_hours=args.step, progress=progress
    )
    total_s = time.perf_counter() - t0
    info = rolled.solver
    sec = np.asarray(times)
    print(
        f"windows {info['n_windows']}: per window mean {sec.mean():.3f} s, median "
        f"{np.median(sec):.3f} s, max {sec.max():.3f} s; solver alone "
        f"{info['solver_run_time_s']:.1f} s; total {total_s:.1f} s "
        f"({total_s / sizing_s:.2f} x the sizing solve)"
    )
    print(
        f"CFE score: rolling {info['cfe_score']:.4f}, perfect foresight {sized_score:.4f}, "
        f"target {problem.cfe_target:.4f} (shortfall {info['cfe_shortfall_mwh']:.0f} MWh)"
    )
    pf = sized_terms["operating"]
    op = info["operating_cost"]
    penalised = op + info["cfe_penalty"]
    print(
        f"operating cost [{currency}]: rolling {op:.6e}, perfect foresight {pf:.6e}, ratio "
        f"{op / pf:.4f}; with the shortfall penalty {penalised:.6e}, ratio {penalised / pf:.4f}"
    )
    print(
        f"system cost [{currency}]: rolling {rolled.objective:.6e} (capital "
        f"{info['capital_cost']:.6e}), perfect foresight {sized.objective:.6e}, ratio "
        f"{rolled.objective / sized.objective:.4f}"
    )
    curtailed = float(rolled.load_curtailment.sum())
    print(
        f"curtailed load: rolling {curtailed:.0f} MWh, perfect foresight "
        f"{float(sized.load_curtailment.sum()):.0f} MWh; grid import rolling "
        f"{float(rolled.grid_import.sum()):.0f} MWh, perfect foresight "
        f"{float(sized.grid_import.sum()):.0f} MWh"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
