"""Benchmark: sweep throughput on 1 dask worker against 2 workers (LocalCluster).

Usage::

    python bench/sweep.py [--scenarios 16] [--days 14]

A study of the default campus over ``--days`` April days with a ``zip`` sweep of the CFE target
over ``--scenarios`` values (0.60 ... 0.95) is run twice from scratch (empty scenario folders):
on a LocalCluster of 1 worker process and of 2. HiGHS runs single-threaded in both (each
worker is one solve at a time), so the ratio measures the cluster, not the solver's threads.

Printed: wall time [s] and scenarios per minute for each, and the speed-up (target >= 1.7 on
2 cores). For reference, the machine's own parallel ceiling is measured first: the same pure
Python CPU loop in 1 process, then in 2 processes at once (on 2 hyper-threads or a throttled
share that ratio is well below 2, and no sweep can beat it).
Both runs must give the same system cost per scenario (checked, to 1e-9 relative).
Timings are information only; compare the ratio within one run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr

from gridtwin.config import load_study
from gridtwin.sweep import run_sweep
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]


def _spin(n: int) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i
    return time.perf_counter() - t0


def ceiling(n: int = 20_000_000) -> float:
    """Throughput of 2 processes over 1 on a pure CPU loop (the machine's parallel ceiling)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        pool.submit(_spin, 1000).result()  # start both processes first
        one = pool.submit(_spin, n).result()
        t0 = time.perf_counter()
        list(pool.map(_spin, [n, n]))
        two = time.perf_counter() - t0
    return 2.0 * one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=16)
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    targets = np.round(np.linspace(0.6, 0.95, args.scenarios), 4).tolist()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        weather = open_weather(ROOT / "weather" / "greensboro_tmy3.nc")
        start = 24 * 90
        write_weather(weather.isel(time=slice(start, start + 24 * args.days)), folder / "w.nc")
        (folder / "study.yaml").write_text(
            "name: bench\nweather: {path: w.nc}\n"
            "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
            "solver: {options: {threads: 1}}\n"
            f"sweep:\n  zip:\n    policy.cfe_target: {targets}\n"
        )
        study = load_study(folder / "study.yaml")
        print(f"machine ceiling: 2 processes give {ceiling():.2f}x the throughput of 1 (CPU loop)")
        print(f"{args.scenarios} scenarios, {args.days} days each (cfe_target {targets})")
        print(f"{'case':24s} {'wall [s]':>9s} {'scen/min':>9s} {'speed-up':>9s}")
        costs = {}
        base = 0.0
        for workers in (1, 2):
            out = folder / f"out{workers}.nc"
            t0 = time.perf_counter()
            outcome = run_sweep(study, out, workers=workers)
            sec = time.perf_counter() - t0
            assert all(s == "ok" for s in outcome.status.values()), outcome.errors
            with xr.open_dataset(out) as ds:
                costs[workers] = ds["system_cost"].to_numpy()
            base = base or sec
            rate = 60.0 * args.scenarios / sec
            print(f"{f'{workers} worker(s)':24s} {sec:9.1f} {rate:9.1f} {base / sec:9.2f}")
        np.testing.assert_allclose(costs[1], costs[2], rtol=1e-9)
        print("system cost per scenario identical on 1 and 2 workers")


if __name__ == "__main__":
    main()
