"""Benchmark: the whole-case siting screen against the per-bus AC screen it replaces.

Usage::

    python bench/grid_screen.py [--case case1888rte] [--workers 2] [--verify-top 50]
                                [--stride 50] [--plain 0] [-o screen.nc]

All on every in-service bus >= 220 kV (1,523 buses for case1888rte) with the screen's search
(firm hosting capacity, local N-1 within 2 buses, power factor 0.95, new load balanced by the
generators, voltage limits at buses >= 100 kV, bisection to 1 MW up to 5000 MW), in one run:

* ``screen``: the linear pre-screen of every bus, then the AC search of the ``--verify-top``
  best on a dask LocalCluster of ``--workers`` processes, one lightsim2grid engine per worker
  (wall time includes the cluster start).
* ``linear pre-screen`` alone, in this process.
* baseline ``per-bus AC``: the search the screen ran for every bus before the pre-screen —
  ``hosting_capacity`` with a fresh engine per bus — in this process, on the verified buses
  (agreement) and on every ``--stride``-th candidate (time); its whole-case time is
  extrapolated from the stride sample as seconds per bus x buses / workers (the previous
  screen spread the buses over the workers the same way).
* ``--plain N``: the same bisection as a plain ``pp.runpp`` loop on the first N verified buses.

Printed: wall time [s], the ratio to the baseline's extrapolated whole-case time, and the
agreement: ``max |AC - baseline|`` over the verified buses [MW] (both bisect to 1 MW with the
same rules, so agreement within 1 MW is expected) and ``|linear - AC|`` [MW]. Timings are
information only; compare ratios within one run.
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

from gridtwin.grid.contingency import contingency_positions
from gridtwin.grid.hosting import (
    DEFAULT_DF_CUTOFF,
    DEFAULT_DV_CUTOFF,
    generator_shares,
    hosting_capacity,
)
from gridtwin.grid.network import load_network
from gridtwin.grid.powerflow import limits
from gridtwin.grid.screen import (
    DEFAULT_MONITOR_MIN_KV,
    DEFAULT_VERIFY_TOP,
    candidate_buses,
    screen,
)
from gridtwin.grid.sensitivity import linear_hosting

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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verify-top", type=int, default=DEFAULT_VERIFY_TOP, help="AC buses")
    parser.add_argument("--stride", type=int, default=50, help="baseline time sample")
    parser.add_argument("--plain", type=int, default=0, help="buses for the pp.runpp loop")
    parser.add_argument("-o", "--output", help="write the screen's dataset here (.nc)")
    args = parser.parse_args()
    logging.getLogger("pandapower.auxiliary").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    net = load_network(args.case, ratings=True)
    candidates = candidate_buses(net)
    n = len(candidates)
    print(
        f"case {args.case}: {len(net.bus)} buses, {len(net.line)} lines, {len(net.trafo)} "
        f"trafos; {n} buses >= 220 kV; {args.workers} workers"
    )
    t0 = time.perf_counter()
    ds = screen(net, verify_top=args.verify_top, workers=args.workers)
    t_screen = time.perf_counter() - t0

    t0 = time.perf_counter()
    _, shares = generator_shares(net, None)
    linear_hosting(net, candidates, shares, monitor_min_kv=DEFAULT_MONITOR_MIN_KV)
    t_linear = time.perf_counter() - t0

    if args.output:
        ds.to_netcdf(args.output)
    verified = ds.where(ds["ac_verified"], drop=True)
    shortlist = [int(b) for b in verified["bus_index"].values]

    def per_bus(buses: list[int]) -> tuple[dict[int, float], float]:
        t0 = time.perf_counter()
        firm = {
            b: hosting_capacity(net, b, contingencies="local", radius=2, power_factor=PF,
                                p_max_mw=P_MAX, tol_mw=TOL,
                                monitor_min_kv=DEFAULT_MONITOR_MIN_KV, budgets=()).firm_mw
            for b in buses
        }  # fmt: skip
        return firm, (time.perf_counter() - t0) / max(len(buses), 1)

    old, per_bus_top = per_bus(shortlist)
    sample = candidates[:: args.stride]
    _, per_bus_all = per_bus(sample)
    t_base = per_bus_all * n / args.workers

    ac = verified["firm_mw"].to_numpy()
    ac_vs_old = np.abs(ac - np.array([old[b] for b in shortlist]))
    lin_vs_ac = np.abs(verified["firm_mw_linear_minus_ac"].to_numpy())
    print(f"{'case':62s} {'wall [s]':>9s} {'ratio':>7s}")
    print(
        f"{'per-bus AC, fresh engine per bus (baseline, extrapolated)':62s} {t_base:9.1f} "
        f"{1.0:7.2f}   ({per_bus_all:.2f} s/bus on {len(sample)} sampled buses; "
        f"{per_bus_top:.2f} on the verified)"
    )
    label = f"screen: linear all {n} + AC top {len(shortlist)}, {args.workers} workers"
    print(f"{label:62s} {t_screen:9.1f} {t_screen / t_base:7.3f}")
    print(f"{'linear pre-screen alone, in-process':62s} {t_linear:9.1f} {t_linear / t_base:7.3f}")
    print(
        f"agreement over the {len(shortlist)} verified buses: max |AC - baseline| "
        f"{ac_vs_old.max():.3f} MW; |linear - AC| max {lin_vs_ac.max():.0f} MW, "
        f"mean {lin_vs_ac.mean():.0f} MW"
    )
    for r in range(min(5, ds.sizes["bus"])):
        row = ds.isel(bus=r)
        print(
            f"  #{int(row['rank'])} {row['bus'].item()} {float(row['vn_kv']):g} kV "
            f"AC {float(row['firm_mw']):.0f} MW (linear {float(row['firm_mw_linear']):.0f}) "
            f"— {row['limiting'].item()}"
        )
    print(f"  failed buses: {int((ds['error'] != '').sum())}")
    if args.plain:
        sample = shortlist[: args.plain]
        t0 = time.perf_counter()
        ref = {b: plain_firm(net, b) for b in sample}
        sec = (time.perf_counter() - t0) / len(sample)
        diff = max(abs(ref[b] - old[b]) for b in sample)
        print(
            f"plain pp.runpp loop: {sec:.2f} s/bus ({sec / per_bus_top:.1f}x the baseline), "
            f"max |plain - baseline| {diff:.2f} MW on {len(sample)} buses"
        )


if __name__ == "__main__":
    main()
