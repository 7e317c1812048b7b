"""Benchmark: this checkout's ``gridtwin run`` against an earlier commit's, in the same run.

The baseline commit (``--baseline REV``, e.g. the commit an issue started from) is checked out
with ``git worktree`` into a temporary folder. Both versions then run the same study with
the same overrides as ``python -m gridtwin run STUDY -o OUT.nc``, each in a fresh process,
alternating (baseline, current, baseline, current, ...; ``--repeat`` rounds), never in
parallel. Both use this interpreter and its installed packages; only the ``gridtwin`` package
differs (``PYTHONPATH`` points at each version's source folder).

Printed per version: the fastest and the median wall time [s] over the rounds, peak resident
set size [MiB] (``ru_maxrss`` via ``os.wait4``: interpreter and imports count), the ratio
current / baseline of the fastest runs, and the relative difference of the objectives read
back from the two result files (``system_cost``; same to 1e-6 expected). Machines here are
shared: compare the ratio of one run, not seconds across runs, and keep everything else off
the machine while it runs.

Usage::

    python bench/versus_baseline.py --baseline REV [studies/default.yaml] [--repeat 2]
        [--set PATH=VALUE ...]

e.g. the firm/LDES 100 % case of bench/solvers.py::

    python bench/versus_baseline.py --baseline 1b2fc01 \\
        --set "technologies.extendable=[solar, battery, solar_offsite, onwind_offsite, \\
nuclear, iron_air, hydrogen]" --set policy.cfe_target=1.0
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xarray as xr
from children import add_overrides

REPO = Path(__file__).resolve().parents[1]


def _timed(source: Path, study: Path, out: Path, overrides: list[str]) -> tuple[float, float]:
    """One ``gridtwin run`` of ``source``'s package: wall time [s] and the peak RSS [MiB] of
    exactly this child (``os.wait4`` on its pid)."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    cmd = [sys.executable, "-m", "gridtwin", "run", str(study), "-o", str(out)]
    for item in overrides:
        cmd += ["--set", item]
    log = out.with_suffix(".log")
    t0 = time.perf_counter()
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, env=env, cwd=source, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0 or not out.exists():
        tail = "\n".join(log.read_text().splitlines()[-20:])
        raise SystemExit(f"gridtwin run of {source} failed; end of {log}:\n{tail}")
    return wall, usage.ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    parser.add_argument("--baseline", required=True, help="git revision to compare with")
    parser.add_argument("--repeat", type=int, default=2)
    add_overrides(parser, "both versions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gridtwin-baseline-") as tmp:
        work = Path(tmp)
        base = work / "baseline"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(base), args.baseline],
            check=True,
            capture_output=True,
        )
        try:
            versions = {"baseline " + args.baseline: base, "current": REPO}
            times: dict[str, list[float]] = {k: [] for k in versions}
            rss: dict[str, float] = dict.fromkeys(versions, 0.0)
            outs = {k: work / f"{i}.nc" for i, k in enumerate(versions)}
            for round_ in range(args.repeat):
                for label, source in versions.items():
                    study = source / args.study
                    print(f"round {round_ + 1}: {label} ...", flush=True)
                    wall, peak = _timed(source, study, outs[label], args.overrides)
                    times[label].append(wall)
                    rss[label] = max(rss[label], peak)
            objectives = {}
            for label, out in outs.items():
                with xr.open_dataset(out) as ds:
                    objectives[label] = float(ds["system_cost"].sum())
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    (base_label, current) = list(versions)
    print(f"\n{'version':24s} {'fastest [s]':>11s} {'median [s]':>10s} {'peak RSS [MiB]':>14s}")
    for label in versions:
        print(
            f"{label:24s} {min(times[label]):11.1f} {statistics.median(times[label]):10.1f} "
            f"{rss[label]:14.0f}"
        )
    ratio = min(times[current]) / min(times[base_label])
    diff = abs(objectives[current] - objectives[base_label]) / abs(objectives[base_label])
    print(f"\ncurrent / baseline (fastest runs): {ratio:.2f}")
    print(f"objective (system_cost): rel. diff {diff:.1e} ({'PASS' if diff <= 1e-6 else 'FAIL'})")


if __name__ == "__main__":
    main()
