"""Benchmark: wall time of each stage of the default study, and end-to-end over bare solve.

Usage::

    python bench/stages.py [studies/default.yaml]

Prints each stage's seconds and the ratio (end to end, weather to netCDF) / (HiGHS solve time
run time as HiGHS reports it). The project targets a ratio of at most 1.2.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from gridtwin.config import load_study
from gridtwin.study import run_study


def main(path: str = "studies/default.yaml") -> None:
    study = load_study(path)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ds = run_study(study, output=Path(tmp) / "result.nc")
        total = time.perf_counter() - t0
    stages = json.loads(ds.attrs["stage_seconds"])
    solver = json.loads(ds.attrs["solver"])
    solve = solver["solver_run_time_s"]
    for name, seconds in stages.items():
        print(f"{name:14s} {seconds:8.2f} s")
    print(f"{'end to end':14s} {total:8.2f} s")
    print(f"{'PyPSA+HiGHS':14s} {solver['solve_time_s']:8.2f} s (model build + solve)")
    print(f"{'HiGHS alone':14s} {solve:8.2f} s (HiGHS run time)")
    print(f"end-to-end / solve ratio: {total / solve:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
