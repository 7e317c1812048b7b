"""The default study's sizing LP written in plain PyPSA the way an expert would.

The baseline of ``bench/expert_vs_gridtwin.py`` (issue 17: gridtwin end to end should take at
most 0.7x this script's time). Where ``bench/naive_pypsa.py`` is a typical user's script, this
one is what someone who knows PyPSA and linopy well writes for the same model:

* **Same data**: load, capacity factors, costs, prices, grid CFE share, flexibility envelope,
  site network and budgets come from the :class:`~gridtwin.optimize.problem.SystemProblem`
  that :func:`gridtwin.study.prepare_problem` builds (and, if the study asks for it, the tsam
  segments of :func:`gridtwin.optimize.aggregate.aggregate`); nothing of gridtwin's PyPSA
  backend is used.
* **Native components where PyPSA has them**: the site network as it is on the ground (every
  circuit and transformer a ``Line`` / ``Transformer``, parallels kept; PyPSA writes
  Kirchhoff's laws), a fixed-size storage (the usable part of the UPS) as a ``StorageUnit``,
  a storage with power and energy sized apart (the battery) as a ``Store`` with charger and
  discharger ``Link`` s (PyPSA-Eur's pattern), budgets as ``e_sum_max``, the sunk cost of
  existing extendable branch ratings through ``include_objective_constant``.
* **Everything else as vectorised linopy rows** in one ``extra_functionality`` (no Python loop
  over hours, windows or contingencies): N-1 rows from PyPSA's own branch outage distribution
  factors (``SubNetwork.calculate_BODF``, one row set per pair of branch components), storage
  power coupling, joint POI limit of market import and offsite deliveries, site land, load
  shifting (window balance by ``groupby``, ramp by ``shift``), curtailment per window and the
  hourly CFE row.
* **Solve**: the model passes to HiGHS in memory (``io_api="direct"``) with the study's
  ``solver.options`` (interior point, ``solver=ipm``; the default study adds crossover, see its
  comment).

It is the same LP mathematically as gridtwin's (same optimum; rows and columns differ: e.g. the
parallel circuits are two lines here and one corridor in gridtwin), which ``--compare`` checks
against ``gridtwin.optimize.pypsa_backend.solve`` in the same process (relative difference of
the objectives <= 1e-6; gridtwin's objective leaves out the existing branch ratings' cost, as
PyPSA's objective constant does here).

Measured on the default study (December 2026, 2-core shared machine): 201 492 columns and
570 148 rows (gridtwin's LP: 192 729 and 456 266; after HiGHS's presolve 238 870 rows here,
133 750 there) and the same IPX path (95 IPM iterations here, 97 there, then crossover); the
objectives agree to 2e-14 relative. Everything but HiGHS takes about 4 s (data 1 s, network
0.2 s, ``create_model`` 2 s, extra rows 0.5 s), as in gridtwin; the difference in time is
HiGHS on the larger LP (175 s here, 95 s in gridtwin, best of two alternating runs of
``bench/expert_vs_gridtwin.py``). The extra rows are those of the parallel circuits and
transformers, their Kirchhoff voltage law rows and their N-1 rows, which gridtwin folds into
one corridor each (``NetworkSpec.linear``).

Covered: the features of the default study (site network with N-1, offsite contracts, land,
flexibility, UPS and battery storage, backup ``e_sum_max``, hourly CFE) at hourly resolution
or on segments. Anything else (emissions cap, export limit, demand charge, negative prices,
stacked years, storage with a fixed duration or a separate discharge rating) stops with a
message.

Usage::

    python bench/expert_pypsa.py [studies/default.yaml] [--set PATH=VALUE ...] [--compare]
        [--highs-log FILE]

e.g. ``--set aggregation.segments=300`` for a quick check. Prints the objective and the time of
each phase; :func:`run` returns them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import linopy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr
from children import add_overrides

from gridtwin.config import load_study
from gridtwin.network.spec import BASE_MVA
from gridtwin.optimize.aggregate import aggregate
from gridtwin.optimize.problem import SystemProblem
from gridtwin.study import prepare_problem

#: Bus of the offsite contracts (plants elsewhere in the grid zone).
ZONE = "grid zone"
#: Outage distribution factors at most this large are rounding noise (no row).
BODF_TOLERANCE = 1e-6


def check_covered(problem: SystemProblem) -> None:
    """Stop with a message if the problem has a feature this script does not write."""
    missing = {
        "emissions cap": problem.emissions_cap is not None,
        "export limit": problem.export_limit is not None,
        "demand charge": bool(problem.poi.demand_charge),
        "negative import prices": bool((problem.poi.import_price < 0).any()),
        "stacked weather years": bool(problem.cfe_groups().max() > 0),
        "storage with max_hours or a separate discharge rating": any(
            s.max_hours is not None or s.separate_discharge for s in problem.storage
        ),
        "existing capacity of an extendable storage": any(
            s.extendable and (s.p_nom or s.e_nom) for s in problem.storage
        ),
        # gridtwin pays investment on all of an extendable generator's p_nom (existing
        # capacity is a fixed asset of its own), PyPSA's objective constant would not
        "existing capacity of an extendable generator": any(
            g.extendable and g.p_nom for g in problem.generators
        ),
    }
    found = [name for name, present in missing.items() if present]
    if found:
        raise SystemExit(f"expert_pypsa covers the default study's features only; found {found}")


def build_network(problem: SystemProblem) -> pypsa.Network:
    """The study as a PyPSA network (components only; the extra rows come in the hook)."""
    check_covered(problem)
    idx = problem.snapshots
    n = pypsa.Network()
    n.set_snapshots(idx)
    n.snapshot_weightings.loc[:, :] = problem.snapshot_weights[:, None]  # hours per snapshot
    n.add("Carrier", ["AC", *(s.name for s in problem.storage if s.extendable)])

    net = problem.network
    if net is None:
        load_bus = grid_bus = "site"
        n.add("Bus", "site")
    else:
        load_bus, grid_bus = net.load_bus, net.grid_bus
        # v_nom = 1 kV: a line's x in ohm is then its p.u. reactance on PyPSA's 1 MVA base
        n.add("Bus", list(net.buses), v_nom=1.0)
        for b in net.branches:
            kind = "Transformer" if b.kind == "trafo" and b.s_nom > 0 else "Line"
            x_1mva = b.x / BASE_MVA  # the spec's reactances are p.u. of 100 MVA
            n.add(
                kind,
                b.name,
                bus0=b.bus0,
                bus1=b.bus1,
                # transformers' x is p.u. of their own rating
                x=x_1mva * b.s_nom if kind == "Transformer" else x_1mva,
                r=x_1mva * 1e-2,  # unused by the linear power flow; PyPSA warns on r = 0
                s_nom=b.s_nom,
                s_nom_min=b.s_nom,
                s_nom_max=b.s_nom_max,
                s_nom_extendable=b.extendable,
                s_max_pu=b.s_max_pu,
                capital_cost=b.capital_cost,
            )
    if problem.offsite:
        n.add("Bus", ZONE)

    def bus(tech: str) -> str:
        if net is None:
            return "site"
        return net.bus_of(tech)

    n.add("Load", "campus", bus=load_bus, p_set=pd.Series(problem.load, index=idx))
    gens = list(problem.generators)
    n.add(
        "Generator",
        [g.name for g in gens],
        bus=[ZONE if g.offsite else bus(g.name) for g in gens],
        p_nom=[g.p_nom for g in gens],
        p_nom_min=[g.p_nom for g in gens],
        p_nom_max=[g.p_nom_max for g in gens],
        p_nom_extendable=[g.extendable for g in gens],
        p_max_pu=pd.DataFrame({g.name: g.capacity_factor for g in gens}, index=idx),
        capital_cost=[g.capital_cost for g in gens],
        marginal_cost=[g.marginal_cost for g in gens],
        e_sum_max=[g.e_sum_max for g in gens],
    )
    tie = problem.tie_break_cost
    for s in problem.storage:
        if not s.extendable:  # fixed power and energy: PyPSA's StorageUnit is exactly that
            n.add(
                "StorageUnit",
                s.name,
                bus=bus(s.name),
                p_nom=s.p_nom,
                max_hours=s.e_nom / s.p_nom,
                efficiency_store=s.efficiency_charge,
                efficiency_dispatch=s.efficiency_discharge,
                cyclic_state_of_charge=True,
                marginal_cost=tie,  # per MWh discharged (AC)
            )
            continue
        # power and energy sized apart: Store + charger and discharger Links
        n.add("Bus", s.name, carrier=s.name)
        n.add(
            "Store",
            s.name,
            bus=s.name,
            carrier=s.name,
            e_nom_extendable=True,
            e_nom_max=s.e_nom_max,
            e_cyclic=True,
            capital_cost=s.capital_cost_energy,
        )
        n.add(
            "Link",
            f"{s.name} charger",
            bus0=bus(s.name),
            bus1=s.name,
            carrier=s.name,
            efficiency=s.efficiency_charge,
            p_nom_extendable=True,
            p_nom_max=s.p_nom_max,
            capital_cost=s.capital_cost_power,  # the AC rating's cost, paid once
        )
        n.add(  # rated on its input; the hook ties eta_d x its rating to the charger's
            "Link",
            f"{s.name} discharger",
            bus0=s.name,
            bus1=bus(s.name),
            carrier=s.name,
            efficiency=s.efficiency_discharge,
            p_nom_extendable=True,
            marginal_cost=tie * s.efficiency_discharge,  # per MWh of input: tie per MWh AC
        )

    flex = problem.flex
    if flex is not None:
        shift_nom = max(float(flex.shift_max.max()), 1e-9)
        curtail_nom = max(float(flex.curtail_max.max()), 1e-9)
        n.add(  # load moved away from the hour (>= 0)
            "Generator",
            "defer",
            bus=load_bus,
            p_nom=shift_nom,
            p_max_pu=pd.Series(flex.shift_max / shift_nom, index=idx),
        )
        n.add(  # load moved into the hour (<= 0), paying the shift cost
            "Generator",
            "recover",
            bus=load_bus,
            p_nom=shift_nom,
            p_min_pu=pd.Series(-flex.shift_in_bound / shift_nom, index=idx),
            p_max_pu=0.0,
            marginal_cost=-flex.shift_cost,
        )
        n.add(
            "Generator",
            "curtail",
            bus=load_bus,
            p_nom=curtail_nom,
            p_max_pu=pd.Series(flex.curtail_max / curtail_nom, index=idx),
            marginal_cost=flex.curtail_cost,
            e_sum_max=flex.curtail_energy_max,
        )

    poi = problem.poi
    n.add(
        "Generator",
        "import",
        bus=grid_bus,
        p_nom=poi.p_nom,
        marginal_cost=pd.Series(poi.import_price, index=idx),
    )
    n.add(
        "Generator",
        "export",
        bus=grid_bus,
        p_nom=poi.p_nom,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=pd.Series(poi.export_price - tie, index=idx),
    )
    if problem.offsite:
        n.add("Link", "delivery", bus0=ZONE, bus1=grid_bus, carrier="AC", p_nom=poi.p_nom)
        most = sum(g.p_nom + (g.p_nom_max if g.extendable else 0.0) for g in problem.offsite)
        n.add(
            "Generator",
            "sale",
            bus=ZONE,
            p_nom=max(most, 1e-9),
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=pd.Series(poi.export_price - tie, index=idx),
        )
    return n


def columns(var: linopy.Variable, names: Any, index: pd.Index) -> linopy.LinearExpression:
    """Columns ``names`` of ``var`` laid on ``index`` (a new dimension replacing ``name``)."""
    picked = var.sel(name=xr.DataArray(np.asarray(names), coords=[index]))
    return picked.to_linexpr().drop_vars("name")


def _outage_factors(n: pypsa.Network) -> pd.DataFrame:
    """N-1 pairs of the network's passive branches: monitored ``(component, name)``, outaged
    ``(component, name)`` and PyPSA's BODF, without outages that split the network (a
    bridge's loss is a loss of what lies behind it) and without negligible factors."""
    n.determine_network_topology()
    rows = []
    for sub in n.c.sub_networks.static.obj:
        branches = sub.branches_i()
        if len(branches) < 2:
            continue
        sub.calculate_BODF()  # BODF_lk = PTDF_lk / (1 - PTDF_kk), PTDF between branch ends
        # a bridge has PTDF_kk = 1 up to rounding: its BODF column is inf or, as on the default
        # network, rounding noise (-0.125), so bridges are found from the PTDF, not the BODF
        branch_ptdf = np.asarray((sub.K.T @ sub.PTDF.T).T)
        bridge = np.abs(1.0 - np.diag(branch_ptdf)) < 1e-9
        bodf = pd.DataFrame(sub.BODF, index=branches, columns=branches).loc[:, ~bridge]
        pairs = bodf.stack([0, 1], future_stack=True)
        pairs.index.names = ["comp_l", "name_l", "comp_k", "name_k"]
        pairs = pairs[pairs.abs() > BODF_TOLERANCE].reset_index(name="bodf")
        rows.append(pairs[pairs.name_l != pairs.name_k])
    if not rows:
        return pd.DataFrame(columns=["comp_l", "name_l", "comp_k", "name_k", "bodf"])
    return pd.concat(rows, ignore_index=True)


def _security_rows(n: pypsa.Network, m: linopy.Model) -> None:
    """N-1: ``|s_l + BODF_lk s_k| <= s_max_pu_l s_nom_l`` for every pair: one vectorised row
    set per (monitored, outaged) pair of branch components and kind of rating."""
    pairs = _outage_factors(n)
    for (comp_l, comp_k), group in pairs.groupby(["comp_l", "comp_k"]):
        static = n.c[comp_l].static
        extendable = static.s_nom_extendable.loc[group.name_l].to_numpy(bool)
        for kind, rows in (("ext", group[extendable]), ("fix", group[~extendable])):
            if rows.empty:
                continue
            pair = pd.RangeIndex(len(rows), name="pair")

            def on_pairs(values: Any, pair: pd.Index = pair) -> xr.DataArray:
                return xr.DataArray(np.asarray(values), coords=[pair])

            flow_l = columns(m[f"{comp_l}-s"], rows.name_l, pair)
            flow_k = columns(m[f"{comp_k}-s"], rows.name_k, pair)
            after = flow_l + on_pairs(rows.bodf) * flow_k
            share = on_pairs(static.s_max_pu.loc[rows.name_l])
            tag = f"{comp_l}-{comp_k}-n1-{kind}"
            if kind == "ext":
                rating = columns(m[f"{comp_l}-s_nom"], rows.name_l, pair)
                m.add_constraints(after - share * rating <= 0, name=f"{tag}-upper")
                m.add_constraints(after + share * rating >= 0, name=f"{tag}-lower")
            else:
                limit = share * on_pairs(static.s_nom.loc[rows.name_l])
                m.add_constraints(after <= limit, name=f"{tag}-upper")
                m.add_constraints(after >= -limit, name=f"{tag}-lower")


def extra_functionality(problem: SystemProblem) -> Callable[[pypsa.Network, pd.Index], None]:
    """The rows PyPSA has no component attribute for, each one vectorised linopy statement."""

    def hook(n: pypsa.Network, snapshots: pd.Index) -> None:
        m = n.model
        gen_p, link_p = m["Generator-p"], m["Link-p"]
        w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": snapshots})
        if problem.network is not None and problem.network.n1:
            _security_rows(n, m)
            flow_max = {b.name: b.flow_max for b in problem.network.branches}
            for comp in ("Line", "Transformer"):  # absolute flow caps of the AC loop
                names = [b for b in n.c[comp].static.index if np.isfinite(flow_max[b])]
                if names:
                    cap = xr.DataArray([flow_max[b] for b in names], coords={"name": names})
                    s = m[f"{comp}-s"].sel(name=names)
                    m.add_constraints(s <= cap, name=f"{comp}-flow_max-upper")
                    m.add_constraints(s >= -cap, name=f"{comp}-flow_max-lower")

        sized = [s for s in problem.storage if s.extendable]
        if sized:  # one AC rating: charger p_nom = eta_d x discharger p_nom (rated on input)
            names = pd.Index([s.name for s in sized], name="storage")
            eta = xr.DataArray([s.efficiency_discharge for s in sized], coords=[names])
            charger = columns(m["Link-p_nom"], names + " charger", names)
            discharger = columns(m["Link-p_nom"], names + " discharger", names)
            m.add_constraints(charger - eta * discharger == 0, name="storage-power_coupling")

        if problem.offsite:  # market import and offsite deliveries share the POI
            m.add_constraints(
                gen_p.sel(name="import", drop=True) + link_p.sel(name="delivery", drop=True)
                <= problem.poi.p_nom,
                name="poi-joint_import",
            )

        if problem.land_area is not None:
            onsite = [g for g in problem.generators if not g.offsite and g.land_use]
            fixed = sum(g.land_use * g.p_nom for g in onsite if not g.extendable)
            fixed += sum(s.land_use * s.p_nom for s in problem.storage if not s.extendable)
            gens = [g for g in onsite if g.extendable]
            stores = [s for s in sized if s.land_use]
            terms = []
            if gens:
                use = xr.DataArray(
                    [g.land_use for g in gens], coords={"name": [g.name for g in gens]}
                )
                terms.append((use * m["Generator-p_nom"].sel(name=use.indexes["name"])).sum())
            if stores:
                chargers = [f"{s.name} charger" for s in stores]
                use = xr.DataArray([s.land_use for s in stores], coords={"name": chargers})
                terms.append((use * m["Link-p_nom"].sel(name=chargers)).sum())
            if terms:
                m.add_constraints(linopy.merge(terms) <= problem.land_area - fixed, name="land")

        flex = problem.flex
        if flex is not None:
            net = gen_p.sel(name="defer", drop=True) + gen_p.sel(
                name="recover", drop=True
            )  # MW moved away
            window = xr.DataArray(
                problem.window_index(flex.window_hours), coords={"snapshot": snapshots}
            )
            m.add_constraints(
                (w * net).groupby(window.rename("window")).sum() == 0, name="shift-balance"
            )
            # hour-to-hour change; shift leaves the first hour alone: it ramps from zero
            step = net - net.shift(snapshot=1).fillna(0)
            ramp = xr.DataArray(problem.ramp_limit(), coords={"snapshot": snapshots})
            m.add_constraints(step <= ramp, name="shift-ramp_up")
            m.add_constraints(step >= -ramp, name="shift-ramp_down")
            curtailed = (
                (w * gen_p.sel(name="curtail", drop=True)).groupby(window.rename("window")).sum()
            )
            windows = curtailed.indexes["window"]  # segments: a window may have no snapshot
            budget = xr.DataArray(
                np.asarray(flex.curtail_window_energy_max)[windows], coords=[windows]
            )
            m.add_constraints(curtailed <= budget, name="curtail-window_budget")

        if problem.cfe_target > 0:
            m.add_constraints(clean_supply(n, problem) >= cfe_required(problem), name="cfe")

    return hook


def clean_supply(n: pypsa.Network, problem: SystemProblem) -> linopy.LinearExpression:
    """Carbon-free supply over the horizon [MWh], hour by hour (24/7 matching): on-site clean
    generation, offsite deliveries (up to the hour's import), storage discharge net of
    charging, minus export, plus the grid's CFE share of market imports, plus curtailed load
    at the target (it needs no clean supply)."""
    m = n.model
    gen_p, link_p = m["Generator-p"], m["Link-p"]
    idx = n.snapshots
    clean = [g.name for g in problem.generators if g.clean and not g.offsite]
    share = xr.DataArray(problem.poi.grid_cfe_share, coords={"snapshot": idx})
    terms = [share * gen_p.sel(name="import", drop=True)]
    if problem.matching == "hourly":
        terms.append(1.0 * gen_p.sel(name="export", drop=True))  # export is negative generation
    else:
        clean += [g.name for g in problem.offsite]  # volumetric: every offsite MWh counts
    if clean:
        terms.append(gen_p.sel(name=clean).sum("name"))
    if problem.offsite and problem.matching == "hourly":
        terms.append(1.0 * link_p.sel(name="delivery", drop=True))
    sized = [s for s in problem.storage if s.extendable]
    if sized:
        dischargers = [f"{s.name} discharger" for s in sized]
        eta = xr.DataArray([s.efficiency_discharge for s in sized], coords={"name": dischargers})
        terms.append((eta * link_p.sel(name=dischargers)).sum("name"))
        terms.append(-1.0 * link_p.sel(name=[f"{s.name} charger" for s in sized]).sum("name"))
    if len(n.c.storage_units.static):
        terms.append(m["StorageUnit-p_dispatch"].sum("name") - m["StorageUnit-p_store"].sum("name"))
    if problem.flex is not None:
        terms.append(problem.cfe_target * gen_p.sel(name="curtail", drop=True))
    hourly = sum(terms[1:], terms[0])
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
    return (w * hourly).sum("snapshot")


def cfe_required(problem: SystemProblem) -> float:
    """Clean supply the target asks for [MWh]: target x the load's energy."""
    return float(problem.cfe_target * (problem.snapshot_weights * problem.load).sum())


def load_problem(path: str, overrides: Sequence[str] = ()) -> tuple[SystemProblem, dict[str, Any]]:
    """The study's problem (on its segments if ``aggregation.segments``) and solver options."""
    cfg = load_study(path, overrides).config
    problem, _, _ = prepare_problem(cfg)
    if cfg.aggregation.segments is not None:
        problem = aggregate(problem, cfg.aggregation.segments)
    return problem, dict(cfg.solver.options)


def run(
    path: str = "studies/default.yaml",
    overrides: Sequence[str] = (),
    highs_log: str | None = None,
) -> dict[str, Any]:
    """Prepare the study's data with gridtwin, then build and solve the expert model.

    Parameters
    ----------
    path : str
        Study file.
    overrides : sequence of str
        ``PATH=VALUE`` study overrides (as ``gridtwin run --set``).
    highs_log : str, optional
        File for HiGHS's log (HiGHS's ``log_file`` option); default: no log.

    Returns
    -------
    dict
        ``objective`` [currency] (without the sunk cost of existing extendable capacity),
        ``status``, ``variables``, ``constraints``, the solver ``options`` and seconds of
        ``prepare`` (gridtwin's data stages), ``network`` (PyPSA components), ``model``
        (``create_model``), ``extra`` (the hook's rows), ``solve`` (``solve_model``: hand
        over, HiGHS, solution written back), of which ``highs_run`` (HiGHS's own run time).
    """
    t0 = time.perf_counter()
    problem, options = load_problem(path, overrides)
    solver_options = options if highs_log is None else {**options, "log_file": highs_log}
    t1 = time.perf_counter()
    n = build_network(problem)
    t2 = time.perf_counter()
    m = n.optimize.create_model(include_objective_constant=True)
    t3 = time.perf_counter()
    extra_functionality(problem)(n, n.snapshots)
    t4 = time.perf_counter()
    status, condition = n.optimize.solve_model(
        solver_name="highs", solver_options=solver_options, io_api="direct", log_to_console=False
    )
    t5 = time.perf_counter()
    solver_model = getattr(m, "solver_model", None)
    return {
        # with include_objective_constant PyPSA leaves the sunk cost of existing extendable
        # capacity (the branch ratings) out of n.objective, as gridtwin's objective does
        "objective": float(n.objective if n.objective is not None else np.nan),
        "status": f"{status}/{condition}",
        "variables": int(m.nvars),
        "constraints": int(m.ncons),
        "options": options,
        "prepare": t1 - t0,
        "network": t2 - t1,
        "model": t3 - t2,
        "extra": t4 - t3,
        "solve": t5 - t4,
        "highs_run": float(solver_model.getRunTime()) if solver_model is not None else np.nan,
    }


def gridtwin_objective(path: str, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """gridtwin's solve of the same problem (:func:`gridtwin.optimize.pypsa_backend.solve`)."""
    from gridtwin.optimize import pypsa_backend

    problem, options = load_problem(path, overrides)
    t0 = time.perf_counter()
    sol = pypsa_backend.solve(problem, options)
    return {"objective": sol.objective, "solve": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", default="studies/default.yaml")
    add_overrides(parser, "the study")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also solve the problem with gridtwin's PyPSA backend and compare objectives",
    )
    parser.add_argument("--highs-log", metavar="FILE", help="write HiGHS's log to FILE")
    args = parser.parse_args(argv)
    result = run(args.study, args.overrides, args.highs_log)
    for key, value in result.items():
        print(f"{key:12s} {value}")
    if not args.compare:
        return 0
    ref = gridtwin_objective(args.study, args.overrides)
    diff = abs(result["objective"] - ref["objective"]) / abs(ref["objective"])
    print(f"{'gridtwin':12s} {ref['objective']!r} (pypsa_backend.solve, {ref['solve']:.1f} s)")
    print(f"{'rel. diff':12s} {diff:.2e} ({'PASS' if diff <= 1e-6 else 'FAIL'} at 1e-6)")
    return 0 if diff <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
