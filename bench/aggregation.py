"""Benchmark: time-series aggregation (tsam segmentation) against the full hourly solve.

Solves the default study at full resolution and aggregated to a few segment counts with
:func:`gridtwin.optimize.aggregate.aggregate`. The aggregation and each solve run in their own
freshly spawned process, so the peak resident memory of each step is that process's own
``ru_maxrss`` (HiGHS runs inside the solving process, so its memory is included). Prints per
run: segments, tsam wall time [s] and peak memory [MiB], solve wall time [s]
(:func:`gridtwin.study.solve`: model build + HiGHS), speed-up over the full solve (ratio in
the same run; machines here are noisy, compare ratios, not seconds), without and with the tsam
time, objective [currency a-1], cost error against the full objective [%], memory of the
solving process after imports and at its peak [MiB], and the optimal capacities [MW, MWh].
The project targets >= 10x speed at <= 2 % cost error (/work/shared/DESIGN.md, section 7).
Usage::

    python bench/aggregation.py [studies/default.yaml] [--segments 2190 1095 730 365]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gridtwin.config import SolverConfig, load_study
from gridtwin.optimize.aggregate import aggregate
from gridtwin.optimize.problem import SystemProblem
from gridtwin.study import prepare_problem, solve

SEGMENTS = (2190, 1095, 730, 365)
TARGET_SPEED_UP = 10.0
TARGET_ERROR_PCT = 2.0

T = TypeVar("T")


@dataclass
class Run:
    """What the child processes of one run measured."""

    segments: int
    aggregate_s: float
    aggregate_peak_mib: float
    solve_s: float
    objective: float
    capacities: dict[str, float]
    solve_base_mib: float
    solve_peak_mib: float


def _rss_mib() -> float:
    """Peak resident set size of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _aggregate(problem: SystemProblem, segments: int) -> tuple[SystemProblem, float, float]:
    """In a fresh process: the aggregated problem, tsam wall time [s], peak RSS [MiB]."""
    t0 = time.perf_counter()
    aggregated = aggregate(problem, segments)
    return aggregated, time.perf_counter() - t0, _rss_mib()


def _solve(
    problem: SystemProblem, solver: SolverConfig
) -> tuple[float, float, dict[str, float], float, float]:
    """In a fresh process: solve wall time [s], objective, capacities, RSS before the solve
    and peak RSS [MiB] (HiGHS runs in this process, so the peak includes the solver)."""
    base = _rss_mib()
    t0 = time.perf_counter()
    sol = solve(problem, solver)
    elapsed = time.perf_counter() - t0
    capacities = {f"{k} [MW]": v for k, v in sol.p_nom.items()}
    capacities.update({f"{k} [MWh]": v for k, v in sol.e_nom.items()})
    return elapsed, sol.objective, capacities, base, _rss_mib()


def _in_child(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a freshly spawned process, so its ``ru_maxrss`` is this call's."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def _run(problem: SystemProblem, segments: int | None, solver: SolverConfig) -> Run:
    """Aggregate (unless ``segments`` is None) and solve, each in its own fresh process."""
    agg_s, agg_peak = 0.0, float("nan")
    if segments is not None:
        problem, agg_s, agg_peak = _in_child(_aggregate, problem, segments)
    solve_s, objective, capacities, base, peak = _in_child(_solve, problem, solver)
    return Run(len(problem.snapshots), agg_s, agg_peak, solve_s, objective, capacities, base, peak)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    parser.add_argument("--segments", type=int, nargs="+", default=list(SEGMENTS))
    args = parser.parse_args(argv)
    cfg = load_study(args.study).config
    problem, _, _ = prepare_problem(cfg)
    runs = [_run(problem, None, cfg.solver)]
    runs += [_run(problem, n, cfg.solver) for n in args.segments]
    full = runs[0]
    techs = list(full.capacities)
    head = (
        f"{'segments':>8s} {'tsam [s]':>8s} {'tsam peak':>9s} {'solve [s]':>9s} "
        f"{'speed-up':>8s} {'incl.tsam':>9s} {'objective':>12s} {'error [%]':>9s} "
        f"{'solve base':>10s} {'solve peak':>10s} " + " ".join(f"{t:>16s}" for t in techs)
    )
    print(f"{cfg.name}: {len(problem.snapshots)} h, backend {cfg.solver.backend}")
    print(head)
    for r in runs:
        error = 100.0 * (r.objective - full.objective) / full.objective
        speed_up = full.solve_s / r.solve_s
        on_target = speed_up >= TARGET_SPEED_UP and abs(error) <= TARGET_ERROR_PCT
        print(
            f"{r.segments:8d} {r.aggregate_s:8.2f} {r.aggregate_peak_mib:9.0f} {r.solve_s:9.2f} "
            f"{speed_up:8.1f} {full.solve_s / (r.solve_s + r.aggregate_s):9.1f} "
            f"{r.objective:12.5e} {error:+9.2f} {r.solve_base_mib:10.0f} {r.solve_peak_mib:10.0f} "
            + " ".join(f"{r.capacities.get(t, float('nan')):16.1f}" for t in techs)
            + (" <- target" if on_target and r is not full else "")
        )
    print(
        f"target: speed-up >= {TARGET_SPEED_UP:.0f}x at |error| <= {TARGET_ERROR_PCT:.0f} %. "
        "speed-up: full solve time / this solve time (incl.tsam: / (tsam + solve)); "
        "memory: peak resident set [MiB] of the aggregation's and the solve's own fresh "
        "process (base: after imports, before the solve)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
