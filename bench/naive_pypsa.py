"""The default study's sizing LP written naively in plain PyPSA (baseline of bench/end_to_end.py).

What "naive" means here, exactly
--------------------------------
The *data* are gridtwin's: load, capacity factors, costs, prices, grid CFE shares and the
flexibility envelope are taken from the :class:`~gridtwin.optimize.problem.SystemProblem` that
:func:`gridtwin.study.prepare_problem` builds, so both models see identical numbers. Everything
after that is written the way a PyPSA user would write it from the documentation, without the
tricks of :mod:`gridtwin.optimize.pypsa_backend`:

* **Network**: one ``n.add`` per component; each storage (battery, usable UPS) as a ``Store`` with
  a charger and a discharger ``Link`` (a ``StorageUnit`` has a fixed ``max_hours``, so sizing
  power and energy separately needs Store + Links); the point of interconnection as an import
  and an export generator; load shifting and curtailment as three generators. The LP is
  mathematically the one gridtwin states (same variables, bounds, costs and constraints), so the
  optimum is the same; only how it is built and solved differs.
* **Extra constraints** in ``extra_functionality`` written as on paper, one Python statement per
  constraint: a loop over the 365 daily windows for the load-shift energy balance and the
  curtailment budget (``m.add_constraints`` once per window), and a loop over the 8760
  snapshots for the hour-to-hour ramp limit of load shifting (twice per hour). The single hourly
  CFE constraint and the storage power coupling are built with linopy sums over snapshots, one
  component at a time (building the CFE sum term by term in Python costs about 4 ms per
  addition, i.e. minutes, which no user would keep).
  gridtwin builds the same constraints vectorised (``groupby``, shifted slices).
* **Solve**: ``n.optimize`` with PyPSA's and linopy's defaults: the model goes to HiGHS through
  an LP file (``io_api="lp"``, written by linopy and read back by HiGHS) and HiGHS runs with its
  default options (dual simplex). gridtwin passes the model in memory (``io_api="direct"``) and
  runs interior point without crossover (``solver.options`` of the default study).

Measured on the default study (2-core machine, bench/end_to_end.py): about 520 s in all, of
which 230 s in ``extra_functionality`` (mostly the 17 518 ramp constraints, about 13 ms per
``add_constraints`` call), 177 s in HiGHS (dual simplex, 75 000 iterations) and about a minute
writing the LP file; the LP has the same 140 165 variables and 307 339 constraints as
gridtwin's and the same optimum (relative difference 7e-11).

Only the features of the default study are covered: no emissions cap, export limit or
time-series aggregation (the script stops with a message if the study has them).

Usage::

    python bench/naive_pypsa.py [studies/default.yaml]

prints the objective and the time of each phase; :func:`run` returns them for
bench/end_to_end.py.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from gridtwin.config import load_study
from gridtwin.optimize.problem import SystemProblem
from gridtwin.study import prepare_problem


def build_network(problem: SystemProblem) -> pypsa.Network:
    """The study as a plain PyPSA network: one bus, generators, Store + Links per storage."""
    if problem.weights is not None or problem.emissions_cap is not None:
        raise SystemExit("naive_pypsa covers the default study only: no weights, no emissions cap")
    if problem.export_limit is not None:
        raise SystemExit("naive_pypsa covers the default study only: no export limit")
    idx = problem.snapshots
    n = pypsa.Network()
    n.set_snapshots(idx)
    n.add("Bus", "site")
    n.add("Load", "campus", bus="site", p_set=pd.Series(problem.load, index=idx))
    for g in problem.generators:
        n.add(
            "Generator",
            g.name,
            bus="site",
            p_nom=g.p_nom,
            p_nom_extendable=g.extendable,
            p_nom_min=g.p_nom if g.extendable else 0.0,
            p_nom_max=g.p_nom_max,
            p_max_pu=pd.Series(g.capacity_factor, index=idx),
            capital_cost=g.capital_cost,
            marginal_cost=g.marginal_cost,
            e_sum_max=g.e_sum_max,
        )
    for s in problem.storage:
        n.add("Bus", s.name)
        n.add(
            "Store",
            s.name,
            bus=s.name,
            e_nom=s.e_nom,
            e_nom_extendable=s.extendable,
            e_nom_min=s.e_nom if s.extendable else 0.0,
            e_cyclic=True,
            capital_cost=s.capital_cost_energy,
        )
        n.add(
            "Link",
            f"{s.name} charge",
            bus0="site",
            bus1=s.name,
            efficiency=s.efficiency_charge,
            p_nom=s.p_nom,
            p_nom_extendable=s.extendable,
            p_nom_min=s.p_nom if s.extendable else 0.0,
            capital_cost=s.capital_cost_power,
        )
        n.add(  # rated on its input: AC output = efficiency x input <= the AC power rating
            "Link",
            f"{s.name} discharge",
            bus0=s.name,
            bus1="site",
            efficiency=s.efficiency_discharge,
            p_nom=s.p_nom / s.efficiency_discharge,
            p_nom_extendable=s.extendable,
            p_nom_min=s.p_nom / s.efficiency_discharge if s.extendable else 0.0,
            marginal_cost=problem.tie_break_cost * s.efficiency_discharge,
        )
    poi = problem.poi
    n.add(
        "Generator",
        "grid import",
        bus="site",
        p_nom=poi.p_nom,
        marginal_cost=pd.Series(poi.import_price, index=idx),
    )
    n.add(
        "Generator",
        "grid export",
        bus="site",
        p_nom=poi.p_nom,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=pd.Series(poi.export_price - problem.tie_break_cost, index=idx),
    )
    flex = problem.flex
    if flex is not None:
        shift_nom = max(float(flex.shift_max.max()), 1e-9)
        curtail_nom = max(float(flex.curtail_max.max()), 1e-9)
        n.add(
            "Generator",
            "shift out",
            bus="site",
            p_nom=shift_nom,
            p_max_pu=pd.Series(flex.shift_max / shift_nom, index=idx),
        )
        n.add(
            "Generator",
            "shift in",
            bus="site",
            p_nom=shift_nom,
            p_min_pu=pd.Series(-flex.shift_in_bound / shift_nom, index=idx),
            p_max_pu=0.0,
            marginal_cost=-flex.shift_cost,
        )
        n.add(
            "Generator",
            "curtail",
            bus="site",
            p_nom=curtail_nom,
            p_max_pu=pd.Series(flex.curtail_max / curtail_nom, index=idx),
            marginal_cost=flex.curtail_cost,
            e_sum_max=flex.curtail_energy_max,
        )
    return n


def extra_functionality(problem: SystemProblem) -> Any:
    """Storage power coupling, load-flexibility limits and the hourly CFE target, written with
    Python loops over windows and snapshots (see the module docstring)."""

    def constraints(n: pypsa.Network, snapshots: pd.Index) -> None:
        m = n.model
        gen_p = m["Generator-p"]
        link_p = m["Link-p"]
        link_p_nom = m["Link-p_nom"]
        for s in problem.storage:
            if s.extendable:  # equal AC power rating of charging and discharging
                m.add_constraints(
                    link_p_nom.sel(name=f"{s.name} charge", drop=True)
                    == s.efficiency_discharge
                    * link_p_nom.sel(name=f"{s.name} discharge", drop=True),
                    name=f"{s.name} power rating",
                )
        flex = problem.flex
        if flex is not None:
            net = gen_p.sel(name="shift out", drop=True) + gen_p.sel(
                name="shift in", drop=True
            )  # load moved away
            curtail = gen_p.sel(name="curtail", drop=True)
            n_windows = len(flex.curtail_window_energy_max)
            hours = flex.window_hours
            for w in range(n_windows):
                window = snapshots[w * hours : (w + 1) * hours]
                m.add_constraints(net.sel(snapshot=window).sum() == 0, name=f"shift balance {w}")
                m.add_constraints(
                    curtail.sel(snapshot=window).sum() <= flex.curtail_window_energy_max[w],
                    name=f"curtail budget {w}",
                )
            ramp = flex.ramp_max
            m.add_constraints(net.sel(snapshot=snapshots[0]) <= ramp[0], name="ramp up 0")
            m.add_constraints(net.sel(snapshot=snapshots[0]) >= -ramp[0], name="ramp down 0")
            for t in range(1, len(snapshots)):
                step = net.sel(snapshot=snapshots[t], drop=True) - net.sel(
                    snapshot=snapshots[t - 1], drop=True
                )
                m.add_constraints(step <= ramp[t], name=f"ramp up {t}")
                m.add_constraints(step >= -ramp[t], name=f"ramp down {t}")
        # hourly CFE: clean generation + storage discharge - charge - export + CFE share x import
        clean = 0
        for g in problem.generators:
            if g.clean:
                clean += gen_p.sel(name=g.name, drop=True).sum()
        for s in problem.storage:
            clean += (
                s.efficiency_discharge * link_p.sel(name=f"{s.name} discharge", drop=True).sum()
            )
            clean -= link_p.sel(name=f"{s.name} charge", drop=True).sum()
        if problem.matching == "hourly":
            clean += gen_p.sel(name="grid export", drop=True).sum()  # export is negative generation
        share = xr.DataArray(problem.poi.grid_cfe_share, coords={"snapshot": snapshots})
        clean += (share * gen_p.sel(name="grid import", drop=True)).sum()
        if flex is not None:  # curtailed load needs no clean supply
            clean += problem.cfe_target * gen_p.sel(name="curtail", drop=True).sum()
        m.add_constraints(clean >= problem.cfe_target * float(problem.load.sum()), name="CFE")

    return constraints


def run(path: str = "studies/default.yaml") -> dict[str, Any]:
    """Prepare the study's data with gridtwin, then build and solve the naive model.

    Returns
    -------
    dict
        ``objective`` [currency], ``status``, and seconds of ``prepare`` (gridtwin's data
        stages), ``network`` (PyPSA network), ``optimize`` (``n.optimize``: model, extra
        constraints, LP file, HiGHS), of which ``extra_functionality`` and ``highs_run``
        (HiGHS's own run time).
    """
    t0 = time.perf_counter()
    problem, _, _ = prepare_problem(load_study(path).config)
    t1 = time.perf_counter()
    n = build_network(problem)
    t2 = time.perf_counter()
    hook = extra_functionality(problem)
    hook_seconds = []

    def timed_hook(net: pypsa.Network, snapshots: pd.Index) -> None:
        start = time.perf_counter()
        hook(net, snapshots)
        hook_seconds.append(time.perf_counter() - start)

    status, condition = n.optimize(
        solver_name="highs",
        extra_functionality=timed_hook,
        io_api="lp",  # linopy's default
    )
    t3 = time.perf_counter()
    solver_model = getattr(n.model, "solver_model", None)
    highs_run = float(solver_model.getRunTime()) if solver_model is not None else float("nan")
    return {
        # PyPSA's default includes the capital cost of existing extendable capacity as a
        # constant and leaves it out of n.objective; add it back to compare with gridtwin
        # (include_objective_constant=False). It is 0 on the default study.
        "objective": float(n.objective or np.nan) + float(n.objective_constant or 0.0),
        "objective_constant": float(n.objective_constant or 0.0),
        "status": f"{status}/{condition}",
        "prepare": t1 - t0,
        "network": t2 - t1,
        "optimize": t3 - t2,
        "extra_functionality": sum(hook_seconds),
        "highs_run": highs_run,
    }


def main(path: str = "studies/default.yaml") -> None:
    result = run(path)
    for key, value in result.items():
        print(f"{key:20s} {value}")


if __name__ == "__main__":
    main(*sys.argv[1:])
