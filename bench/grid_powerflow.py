"""Benchmark: hourly AC power flow of the default POI network against a plain pandapower loop.

Usage::

    python bench/grid_powerflow.py [--hours 8760] [--network networks/greensboro_poi.json]

Cases, all on the same network and the same seeded campus profile (campus load 900-1100 MW with
a daily shape, solar 0-400 MW following a clear-sky-like daily bell, onwind 0-300 MW random
walk):

* ``plain pandapower loop`` (baseline): what a user writes from the pandapower docs: for each
  hour set ``net.load.p_mw`` / ``net.sgen.p_mw``, call ``pp.runpp(net)`` with its defaults and
  copy ``res_bus.vm_pu`` and ``res_line.loading_percent``.
* ``run_timeseries`` with ``backend="lightsim2grid"`` and with ``backend="pandapower"``.

Then N-1 over every line and transformer for ``--n1-hours`` hours (168): :func:`n_minus_1`
against a plain loop doing the same outages (deep copy, branch out of service, ``pp.runpp``
per hour).

Printed per case: wall time [s], time per hour (or per solved outage-hour) [ms], the ratio to
the plain loop measured in the same run, and the max abs difference of the results against
the plain loop (voltages [p.u.], loadings [%]). Timings are for information only: nothing here
asserts on them, compare ratios within one run rather than seconds across machines.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandapower as pp

from gridtwin.grid.network import load_network
from gridtwin.grid.powerflow import lightsim2grid_available, n_minus_1, run_timeseries

LOAD = "campus"
SGENS = ("solar", "onwind")


def profiles(n_hours: int, seed: int = 7) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Seeded hourly campus load and solar / onwind output [MW]."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_hours)
    hour = t % 24 + 0.5  # middle of the hour [h]
    day = t // 24
    # campus: 1000 MW +- 80 MW daily swing (peak mid-afternoon, trough before dawn) + noise
    load = 1000.0 + 80.0 * np.cos(2 * np.pi * (hour - 15.0) / 24.0)
    load = np.clip(load + rng.normal(0.0, 10.0, n_hours), 900.0, 1100.0)
    # solar: clear-sky-like bell centred at noon, day length and peak vary with the season
    season = np.sin(2 * np.pi * (day - 80) / 365.0)  # +1 near the June solstice
    day_length = 12.0 + 2.5 * season  # [h]
    sunrise = 12.0 - day_length / 2.0
    x = np.clip((hour - sunrise) / day_length, 0.0, 1.0)
    bell = np.sin(np.pi * x) ** 1.5
    solar = 400.0 * (0.8 + 0.2 * season) * bell
    # onwind: bounded random walk
    steps = rng.normal(0.0, 25.0, n_hours)
    wind = np.empty(n_hours)
    w = 150.0
    for k in range(n_hours):
        w = float(np.clip(w + steps[k], 0.0, 300.0))
        wind[k] = w
    return {LOAD: load}, {"solar": solar, "onwind": wind}


def plain_loop(
    net: Any, loads: dict[str, np.ndarray], sgens: dict[str, np.ndarray], hours: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Straightforward user loop: set p_mw, ``pp.runpp(net)`` with defaults, copy results."""
    net = copy.deepcopy(net)
    vm, loading = [], []
    for t in hours:
        for name, values in loads.items():
            net.load.loc[net.load.name == name, "p_mw"] = values[t]
        for name, values in sgens.items():
            net.sgen.loc[net.sgen.name == name, "p_mw"] = values[t]
        pp.runpp(net)
        vm.append(net.res_bus.vm_pu.to_numpy().copy())
        loading.append(net.res_line.loading_percent.to_numpy().copy())
    return np.array(vm), np.array(loading)


def plain_n_minus_1(
    net: Any, loads: dict[str, np.ndarray], sgens: dict[str, np.ndarray], hours: list[int]
) -> dict[tuple[str, int], tuple[float, float]]:
    """Plain N-1 loop: copy, take one branch out, ``pp.runpp`` per hour; max loading, min vm."""
    out = {}
    for table in ("line", "trafo"):
        for idx in getattr(net, table).index:
            case = copy.deepcopy(net)
            getattr(case, table).at[idx, "in_service"] = False
            label = f"{table}:{getattr(net, table).at[idx, 'name']}"
            for t in hours:
                for name, values in loads.items():
                    case.load.loc[case.load.name == name, "p_mw"] = values[t]
                for name, values in sgens.items():
                    case.sgen.loc[case.sgen.name == name, "p_mw"] = values[t]
                pp.runpp(case)
                res = {
                    "line": case.res_line.loading_percent,
                    "trafo": case.res_trafo.loading_percent,
                }
                res[table] = res[table].drop(idx)  # the outaged branch itself
                max_loading = float(np.nanmax(np.concatenate([r.to_numpy() for r in res.values()])))
                out[(label, t)] = (max_loading, float(case.res_bus.vm_pu.min()))
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def row(case: str, seconds: float, n: int, base: float, dvm: str, dload: str) -> None:
    print(
        f"{case:34s} {seconds:9.2f} {1e3 * seconds / n:10.2f} {seconds / base:8.3f} "
        f"{dvm:>12s} {dload:>12s}"
    )


def header(unit: str) -> None:
    print(
        f"{'case':34s} {'wall [s]':>9s} {unit:>10s} {'ratio':>8s} "
        f"{'max|dVm| pu':>12s} {'max|dLd| %':>12s}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=8760, help="hours to simulate (8760)")
    parser.add_argument("--network", default="networks/greensboro_poi.json")
    parser.add_argument("--n1-hours", type=int, default=168, help="hours of the N-1 study")
    args = parser.parse_args()
    # pp.runpp's default numba=True logs a warning on every call when numba is missing; mute it
    # so the baseline is not timed writing thousands of log lines (it still runs without numba)
    logging.getLogger("pandapower.auxiliary").setLevel(logging.ERROR)
    numba = importlib.util.find_spec("numba") is not None
    n_hours = args.hours
    net = load_network(args.network)
    loads, sgens = profiles(n_hours)
    hours = list(range(n_hours))
    n_line = len(net.line)
    print(
        f"network {args.network}: {len(net.bus)} buses, {n_line} lines, {len(net.trafo)} trafos; "
        f"{n_hours} hours; pandapower {pp.__version__}; "
        f"lightsim2grid {'yes' if lightsim2grid_available() else 'NOT installed'}; "
        f"numba {'yes' if numba else 'not installed (plain loop runs without it)'}"
    )
    print(
        f"profile: campus {loads[LOAD].min():.0f}-{loads[LOAD].max():.0f} MW, "
        f"solar {sgens['solar'].min():.0f}-{sgens['solar'].max():.0f} MW, "
        f"onwind {sgens['onwind'].min():.0f}-{sgens['onwind'].max():.0f} MW"
    )

    # --- time series ------------------------------------------------------------------------
    print(f"\nAC power flow time series, {n_hours} hours (ratio = wall / plain loop, same run)")
    header("ms/hour")
    (vm_ref, load_ref), base = timed(lambda: plain_loop(net, loads, sgens, hours))
    row("plain pandapower loop (baseline)", base, n_hours, base, "-", "-")
    backends = ["lightsim2grid", "pandapower"] if lightsim2grid_available() else ["pandapower"]
    for backend in backends:
        ds, sec = timed(
            lambda b=backend: run_timeseries(net, loads, sgens, backend=b)  # type: ignore[misc]
        )
        vm = ds["vm_pu"].to_numpy()
        loading = ds["loading_percent"].to_numpy()[:, :n_line]
        dvm = float(np.max(np.abs(vm - vm_ref)))
        dload = float(np.max(np.abs(loading - load_ref)))
        row(f"run_timeseries({backend})", sec, n_hours, base, f"{dvm:.1e}", f"{dload:.1e}")

    # --- N-1 --------------------------------------------------------------------------------
    n1_hours = list(range(min(args.n1_hours, n_hours)))
    n_branch = len(net.line) + len(net.trafo)
    n_solves = n_branch * len(n1_hours)
    print(
        f"\nN-1 over all {n_branch} branches x {len(n1_hours)} hours = {n_solves} power flows "
        "(ratio = wall / plain N-1 loop; diffs on max loading and min Vm per outage-hour)"
    )
    header("ms/pf")
    ref, base = timed(lambda: plain_n_minus_1(net, loads, sgens, n1_hours))
    row("plain pandapower N-1 loop", base, n_solves, base, "-", "-")
    for backend in backends:
        df, sec = timed(
            lambda b=backend: n_minus_1(net, loads, sgens, n1_hours, backend=b)  # type: ignore[misc]
        )
        ok = df[df["status"] == "ok"]
        got = {
            (r.contingency, r.hour): (r.max_loading_percent, r.min_vm_pu) for r in ok.itertuples()
        }
        dload = max(abs(got[k][0] - ref[k][0]) for k in got)
        dvm = max(abs(got[k][1] - ref[k][1]) for k in got)
        row(f"n_minus_1({backend})", sec, n_solves, base, f"{dvm:.1e}", f"{dload:.1e}")
        counts = df.groupby("status")["contingency"].agg(["size", "unique"])
        for status, (size, names) in counts.iterrows():
            print(f"{'':34s} {status}: {size} outage-hours ({', '.join(names)})")
    print("(diffs over the 'ok' outage-hours; the plain loop solves islanding cases anyway)")
    if lightsim2grid_available() and n_hours > len(n1_hours):
        # the whole year under N-1 in one batch; the plain loop is extrapolated per power flow
        df, sec = timed(lambda: n_minus_1(net, loads, sgens, hours, backend="lightsim2grid"))
        n_all = n_branch * n_hours
        per_pf_ratio = (sec / n_all) / (base / n_solves)
        print(
            f"n_minus_1(lightsim2grid), all {n_hours} hours x {n_branch} branches: {sec:.2f} s "
            f"({1e3 * sec / n_all:.3f} ms/pf; {per_pf_ratio:.4f} x the plain loop per power "
            f"flow, which would take ~{base / n_solves * n_all / 60:.0f} min)"
        )
    worst = max(ref.items(), key=lambda kv: kv[1][0])
    print(
        f"worst outage: {worst[0][0]} at hour {worst[0][1]}: max loading {worst[1][0]:.1f} %, "
        f"min Vm {worst[1][1]:.4f} pu"
    )


if __name__ == "__main__":
    main()
