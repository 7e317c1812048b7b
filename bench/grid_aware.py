"""Benchmark: the grid-aware default study against the same study solved grid-blind.

Two cases of one study (default ``studies/default.yaml``), each in a fresh Python process, run
one after the other and alternated (A B A B ...), never in parallel:

``grid-aware``
    The study as written: the site network in the LP (linearised power flow, N-1, upgrades),
    then the AC power flow and N-1 of every hour (and, if it finds a violation, further solves
    of the AC loop).
``grid-blind``
    The same study with ``--set network=null``: one site bus and the POI limit only, no AC
    check (today's sizing before issue 14). Land limit and offsite contracts are the same.

Reported per case: the fastest end-to-end wall time of ``run_study`` (imports excluded), the
time of the optimisation stage and of the AC loop stage, the number of AC rounds, the system
cost and the network cost. The ratios grid-aware / grid-blind are the result (goal: at most 1.5x
end to end); so is the cost of grid awareness, the difference of system costs.

Usage::

    python bench/grid_aware.py [studies/default.yaml] [--repeat N]

Machines here are noisy: compare ratios of one run, and keep other work off the machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_RATIO = 1.5

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from gridtwin.config import load_study
from gridtwin.study import run_study
imports = time.perf_counter() - t0
study, overrides = sys.argv[1], json.loads(sys.argv[2])
t0 = time.perf_counter()
ds = run_study(load_study(study, overrides))
wall = time.perf_counter() - t0
stages = json.loads(ds.attrs["stage_seconds"])
rounds = json.loads(ds.attrs.get("ac_loop_rounds", "[]"))
print(json.dumps({
    "wall_s": wall,
    "imports_s": imports,
    "optimisation_s": stages.get("optimisation", 0.0),
    "ac_loop_s": stages.get("ac_loop", 0.0),
    "ac_rounds": len(rounds),
    "ac_converged": int(ds.attrs.get("ac_loop_converged", -1)),
    "system_cost": float(ds["system_cost"]),
    "network_cost": float(ds["network_cost"]) if "network_cost" in ds else 0.0,
    "p_nom": {str(t): float(v) for t, v in zip(ds["technology"].values, ds["p_nom_opt"].values)},
}))
"""

CASES = {"grid-aware": [], "grid-blind": ["network=null"]}


def run(study: str, overrides: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, study, json.dumps(overrides)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("study", nargs="?", default=str(ROOT / "studies" / "default.yaml"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    results: dict[str, list[dict]] = {name: [] for name in CASES}
    for k in range(args.repeat):
        for name, overrides in CASES.items():
            t0 = time.perf_counter()
            results[name].append(run(args.study, overrides))
            print(f"run {k + 1} {name}: {time.perf_counter() - t0:.1f} s (process)", flush=True)
    best = {name: min(runs, key=lambda r: r["wall_s"]) for name, runs in results.items()}
    aware, blind = best["grid-aware"], best["grid-blind"]
    print(f"\n{'case':<12} {'wall [s]':>9} {'solve [s]':>10} {'AC loop [s]':>12} {'rounds':>7}"
          f" {'system cost [M/a]':>18} {'network [M/a]':>14}")  # fmt: skip
    for name, r in best.items():
        print(
            f"{name:<12} {r['wall_s']:9.1f} {r['optimisation_s']:10.1f} {r['ac_loop_s']:12.1f} "
            f"{r['ac_rounds']:7d} {r['system_cost'] / 1e6:18.2f} {r['network_cost'] / 1e6:14.2f}"
        )
    ratio = aware["wall_s"] / blind["wall_s"]
    solve_ratio = aware["optimisation_s"] / blind["optimisation_s"]
    extra = aware["system_cost"] - blind["system_cost"]
    print(f"\nend to end grid-aware / grid-blind: {ratio:.2f}x (goal <= {TARGET_RATIO}x)")
    print(f"first solve grid-aware / grid-blind: {solve_ratio:.2f}x")
    print(
        f"cost of grid awareness: {extra / 1e6:+.2f} M/a ({extra / blind['system_cost']:+.1%}), "
        f"of which upgrades {aware['network_cost'] / 1e6:.2f} M/a"
    )
    print("capacities [MW] grid-aware vs grid-blind:")
    for tech in aware["p_nom"]:
        print(f"  {tech:<16} {aware['p_nom'][tech]:9.0f} {blind['p_nom'].get(tech, 0.0):9.0f}")
    return {"best": best, "ratio": ratio, "solve_ratio": solve_ratio, "extra_cost": extra}


if __name__ == "__main__":
    main()
