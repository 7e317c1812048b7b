"""Benchmark: survival analysis of a full year, durations 1-72 h, vectorised over start hours
against hour-by-hour loops over start hours, in one run.

Three ways of computing the same survival probabilities (:mod:`gridtwin.resilience.survival`)
on a result's campus (the default study's unless a result file is given; it is run first when
``results/default.nc`` is missing):

* **vectorised**: :func:`survival_probability`, the chain over all start hours at once (in
  chunks of about 4 million states);
* **loop over starts**: the same chain one start hour at a time, hour by hour, vectorised over
  the states only (the structure of REopt's ``survival_with_battery``, which loops over start
  times); all 8760 starts are run;
* **plain loop** (:func:`gridtwin.resilience.reference.survival_loop`): one start, one hour,
  one state (units working, storage level) at a time in Python, without truncation. It is far
  too slow for a year on a 400-unit fleet, so it runs on ``--sample`` start hours spread over
  the year and its time per start is scaled to the year (the ratio is per start hour).

Every result is checked against the vectorised one (max abs difference). Run it with nothing
else on the machine. Usage::

    python bench/survival.py [RESULT.nc] [--hours 72] [--bins 101] [--sample 4]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import gridtwin.resilience.survival as survival
from gridtwin.config import ResilienceConfig, load_study
from gridtwin.resilience.island import island_system
from gridtwin.resilience.reference import survival_loop
from gridtwin.results import open_results
from gridtwin.study import run_study


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", default="results/default.nc")
    parser.add_argument("--hours", type=int, default=72, help="longest outage [h]")
    parser.add_argument("--bins", type=int, default=101, help="storage levels")
    parser.add_argument("--sample", type=int, default=4, help="start hours of the plain loop")
    args = parser.parse_args(argv)
    path = Path(args.result)
    if not path.exists():
        print(f"{path} missing: running studies/default.yaml first")
        run_study(load_study("studies/default.yaml"), output=path)
    system = island_system(open_results(path), ResilienceConfig())
    n = len(system.critical_load)
    print(
        f"{path}: {n} start hours, {system.units} units x {system.unit_p_nom:g} MW, storage "
        f"{system.e_nom:,.0f} MWh / {system.p_discharge:,.0f} MW, {args.bins} levels, "
        f"durations 1-{args.hours} h"
    )

    t0 = time.perf_counter()
    fast = survival.survival_probability(system, args.hours, soc_bins=args.bins)
    t_fast = time.perf_counter() - t0
    print(f"vectorised over start hours: {t_fast:8.2f} s")

    ks, _, _ = survival._chain_layout(system, args.hours)
    chunk_states = survival.CHUNK_STATES
    survival.CHUNK_STATES = len(ks) * args.bins  # one start hour per chunk
    try:
        t0 = time.perf_counter()
        looped = survival.survival_probability(system, args.hours, soc_bins=args.bins)
        t_loop = time.perf_counter() - t0
    finally:
        survival.CHUNK_STATES = chunk_states
    print(
        f"loop over start hours:       {t_loop:8.2f} s  ratio {t_loop / t_fast:6.1f}x  "
        f"(max |diff| {np.abs(looped - fast).max():.1e})"
    )

    picks = np.linspace(0, n - 1, args.sample).round().astype(int)
    t0 = time.perf_counter()
    plain = survival_loop(system, args.hours, args.bins, starts=[int(p) for p in picks])
    t_plain = time.perf_counter() - t0
    per_start = t_plain / len(picks)
    year = per_start * n
    print(
        f"plain loop (states in Python): {per_start:8.2f} s per start hour on {len(picks)} "
        f"starts -> {year / 3600:,.1f} h for the year, ratio {year / t_fast:,.0f}x  "
        f"(max |diff| {np.abs(plain - fast[picks]).max():.1e})"
    )


if __name__ == "__main__":
    main()
