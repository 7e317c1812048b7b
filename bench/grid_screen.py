"""Benchmark: siting screen of a transmission case against a plain pandapower loop.

Usage::

    python bench/grid_screen.py [--case case1888rte] [--sample 6] [--workers 2] [--all]

Cases, all on the same candidate buses (every ``--stride``-th in-service bus >= 220 kV, first
``--sample`` of them) with the same search (firm hosting capacity, local N-1 within 2 buses,
power factor 0.95, new load balanced by the generators, bisection to 1 MW from 5000 MW):

* ``plain pandapower loop`` (baseline): the same bisection written from the pandapower docs:
  for every bus, step and state, set the probe load and generator dispatch, take the branch out
  of service, ``pp.runpp`` and read ``res_bus`` / ``res_line`` / ``res_trafo``; the same
  limits, distribution-factor and voltage-change cutoffs and monitored voltage levels (>= 100
  kV) as :mod:`gridtwin.grid.screen`, and the plain bisection from 5000 MW.
* ``screen`` in this process (``workers=1``): lightsim2grid batches.
* ``screen`` on a dask LocalCluster of ``--workers`` processes.

Printed: wall time [s], seconds per bus, the ratio to the plain loop measured in the same run,
and the largest firm-capacity difference to the plain loop [MW] (both bisect to 1 MW, so
agreement within 1 MW is expected). ``--all`` also times the whole screen (1,523 buses for
case1888rte) on the workers. Timings are information only; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import copy
import logging
import math
import time
import warnings
from typing import Any

import numpy as np
import pandapower as pp

from gridtwin.grid.hosting import (
    DEFAULT_DF_CUTOFF,
    DEFAULT_DV_CUTOFF,
    contingency_positions,
)
from gridtwin.grid.network import load_network
from gridtwin.grid.powerflow import limits
from gridtwin.grid.screen import DEFAULT_MONITOR_MIN_KV, candidate_buses, screen

P_MAX, TOL, PF = 5000.0, 1.0, 0.95


def plain_firm(net: Any, bus: int) -> float:
    """Firm hosting capacity of ``bus`` by a pandapower loop (see the module docstring)."""
    work = copy.deepcopy(net)
    probe = pp.create_load(work, bus, p_mw=0.0, q_mvar=0.0)
    positions, _, _ = contingency_positions(work, bus, "local", 2)
    n_line = len(work.line)
    gen0 = work.gen["p_mw"].to_numpy(float).copy()
    w = np.clip(gen0 * work.gen["in_service"].to_numpy(float), 0.0, None)
    w = w / w.sum()
    vmin, vmax, lmax = limits(work)
    in_service = work.bus.in_service.to_numpy(bool)
    monitored = work.bus.vn_kv.to_numpy(float)[in_service] >= DEFAULT_MONITOR_MIN_KV

    def run(p: float, state: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        work.load.at[probe, "p_mw"] = p
        work.load.at[probe, "q_mvar"] = p * math.tan(math.acos(PF))
        work.gen["p_mw"] = gen0 + p * w
        table, idx = (None, None)
        if state >= 0:
            table, idx = (
                ("line", work.line.index[state])
                if state < n_line
                else (
                    "trafo",
                    work.trafo.index[state - n_line],
                )
            )
            getattr(work, table).at[idx, "in_service"] = False
        try:
            pp.runpp(work, numba=False)
            vm = work.res_bus.vm_pu.to_numpy(float)[in_service]
            ld = np.nan_to_num(
                np.r_[work.res_line.loading_percent.to_numpy(float), work.res_trafo.loading_percent]
            )
            pf = np.nan_to_num(
                np.r_[work.res_line.p_from_mw.to_numpy(float), work.res_trafo.p_hv_mw]
            )
            return vm, ld, pf
        except pp.LoadflowNotConverged:
            return None
        finally:
            if table is not None:
                getattr(work, table).at[idx, "in_service"] = True

    states = [-1, *positions]
    base = {s: run(0.0, s) for s in states}
    states = [s for s in states if base[s] is not None]

    def feasible(p: float) -> bool:
        for s in states:
            out = run(p, s)
            if out is None:
                return False
            vm, ld, pf = out
            vm0, ld0, pf0 = base[s]  # type: ignore[misc]
            low = (vm < vmin - 1e-6) & (vm0 - vm >= DEFAULT_DV_CUTOFF - 1e-12) & monitored
            high = (vm > vmax + 1e-6) & (vm - vm0 >= DEFAULT_DV_CUTOFF - 1e-12) & monitored
            dfax = np.abs(pf - pf0) / max(p, 1e-9)
            over = (ld > np.fmax(lmax, ld0) + 1e-4) & (dfax >= DEFAULT_DF_CUTOFF)
            if low.any() or high.any() or over.any():
                return False
        return True

    lo, hi = 0.0, P_MAX
    if feasible(hi):
        return hi
    while hi - lo > TOL:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if feasible(mid) else (lo, mid)
    return lo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="case1888rte")
    parser.add_argument("--sample", type=int, default=6, help="buses for the plain loop")
    parser.add_argument("--stride", type=int, default=97, help="take every n-th candidate")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--all", action="store_true", help="also screen every candidate bus")
    args = parser.parse_args()
    logging.getLogger("pandapower.auxiliary").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    net = load_network(args.case)
    candidates = candidate_buses(net)
    sample = candidates[:: args.stride][: args.sample]
    print(
        f"case {args.case}: {len(net.bus)} buses, {len(net.line)} lines, {len(net.trafo)} "
        f"trafos; {len(candidates)} buses >= 220 kV; sample {sample}"
    )
    print(f"{'case':40s} {'wall [s]':>9s} {'s/bus':>8s} {'ratio':>7s} {'max|dP| MW':>11s}")
    t0 = time.perf_counter()
    ref = {b: plain_firm(net, b) for b in sample}
    base = time.perf_counter() - t0
    n = len(sample)
    print(f"{'plain pandapower loop (baseline)':40s} {base:9.1f} {base / n:8.2f} {1.0:7.2f} -")
    for workers in sorted({1, args.workers}):
        t0 = time.perf_counter()
        ds = screen(net, buses=sample, workers=workers)
        sec = time.perf_counter() - t0
        got = dict(zip(ds.bus_index.values.tolist(), ds.firm_mw.values.tolist(), strict=True))
        diff = max(abs(got[b] - ref[b]) for b in sample)
        label = f"screen, {workers} worker(s)"
        print(f"{label:40s} {sec:9.1f} {sec / n:8.2f} {sec / base:7.3f} {diff:11.2f}")
    print("firm [MW] plain vs screen:", {b: (round(ref[b], 1), round(got[b], 1)) for b in sample})
    if args.all:
        t0 = time.perf_counter()
        ds = screen(net, workers=args.workers)
        sec = time.perf_counter() - t0
        m = ds.sizes["bus"]
        print(
            f"full screen, {m} buses on {args.workers} workers: {sec:.0f} s ({sec / m:.2f} s/bus; "
            f"plain loop would take ~{base / n * m / 3600:.1f} h)"
        )
        top = ds.isel(bus=slice(0, 5))
        for r in range(top.sizes["bus"]):
            row = top.isel(bus=r)
            print(
                f"  #{int(row['rank'])} {row['bus'].item()} {float(row['vn_kv']):g} kV "
                f"{float(row['firm_mw']):.0f} MW — {row['limiting'].item()}"
            )
        print(f"  failed buses: {int((ds['error'] != '').sum())}")


if __name__ == "__main__":
    main()
