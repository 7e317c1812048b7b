"""PyPSA backend: builds a :class:`pypsa.Network` from a :class:`SystemProblem` and solves it
with HiGHS through linopy, passing the model to the solver in memory (``io_api="direct"``), or
with Clarabel's interior point method on linopy's matrices (:mod:`gridtwin.optimize.clarabel_lp`).

Network layout
--------------
* bus ``campus`` (site bus) with the campus ``Load`` and the renewable ``Generator`` s;
* per storage: a bus, a ``Store`` (energy, cyclic) and two ``Link`` s, charger (campus -> store,
  efficiency eta_c, carries the power cost) and discharger (store -> campus, efficiency eta_d);
  their AC ratings are tied by a constraint, as in PyPSA-Eur
  (``p_nom_charger == eta_d * p_nom_discharger``);
* the POI as two generators at ``campus`` rated at the POI limit: ``poi_import`` priced at the
  import price, and ``poi_export`` (negative output only) whose negative cost is the export
  revenue (less the tie-break cost). Simultaneous import and export never pays (export price
  <= import price) and lowers the CFE score, so the optimum does not use it.

The hourly CFE constraint of :mod:`gridtwin.optimize.problem` is added through PyPSA's
``extra_functionality`` hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from gridtwin.optimize import backends
from gridtwin.optimize.clarabel_lp import ClarabelRun, solve_model
from gridtwin.optimize.outcome import Attempt, Status, limit_reached
from gridtwin.optimize.problem import (
    Solution,
    StorageSpec,
    SystemProblem,
)
from gridtwin.optimize.progress import highs_progress
from gridtwin.optimize.pypsa_budgets import budget_constraints, one_period
from gridtwin.optimize.pypsa_cfe import add_cfe_row, cfe_expression, cfe_price
from gridtwin.optimize.pypsa_heat import add_heat, heat_constraints, heat_results
from gridtwin.optimize.pypsa_network import (
    OFFSITE_BUS,
    add_offsite,
    add_site_network,
    branch_results,
    existing_branch_cost,
    land_constraint,
    network_constraints,
)
from gridtwin.optimize.pypsa_outage import outage_constraints, outage_results
from gridtwin.optimize.pypsa_policy import add_renewable_share, certificates

logger = logging.getLogger(__name__)

SITE = "campus"
#: Generator at the load bus of a fleet's campus: site-bus load moved to other campuses
#: (injection = load moved away; :mod:`gridtwin.optimize.pypsa_fleet`).
EXCHANGE = "fleet_exchange"


def build_network(problem: SystemProblem) -> pypsa.Network:
    """Translate a problem into a PyPSA network (no solve).

    Without a site network every asset sits at one bus ``campus``; with one
    (``problem.network``) each asset sits at its bus, the load at the load bus, the POI at the
    grid bus, and the branches are PyPSA ``Line`` s and ``Transformer`` s whose flows obey
    Kirchhoff's laws (PyPSA's linearised power flow).

    Parameters
    ----------
    problem : SystemProblem

    Returns
    -------
    pypsa.Network
    """
    n = pypsa.Network()
    n.set_snapshots(problem.snapshots)
    # hours each snapshot stands for: weights costs (objective), store dynamics (stores) and
    # energy limits (generators)
    n.snapshot_weightings.loc[:, :] = problem.snapshot_weights[:, None]
    n.add("Carrier", ["AC", "grid", *problem.technologies])
    net = problem.network
    if net is None:
        n.add("Bus", SITE, carrier="AC")
    else:
        add_site_network(n, net.linear().spec)
    if problem.offsite:
        n.add("Bus", OFFSITE_BUS, carrier="AC")
    load_bus = _bus(problem, None)
    n.add("Load", SITE, bus=load_bus, p_set=pd.Series(problem.load, index=problem.snapshots))
    for g in problem.generators:
        n.add(
            "Generator",
            g.name,
            bus=_bus(problem, g.name),
            carrier=g.name,
            p_nom=g.p_nom,
            p_nom_min=g.p_nom,
            p_nom_extendable=g.extendable,
            p_nom_max=g.p_nom_max,
            p_max_pu=pd.Series(g.capacity_factor, index=problem.snapshots),
            capital_cost=g.capital_cost,
            marginal_cost=g.marginal_cost,
            e_sum_max=g.e_sum_max if one_period(problem) else np.inf,
        )
    for s in problem.storage:
        _add_storage(n, s, problem.tie_break_cost, _bus(problem, s.name))
    if problem.flex is not None:
        _add_flexibility(n, problem, load_bus)
    poi = problem.poi
    grid_bus = SITE if net is None else net.grid_bus
    n.add(
        "Generator",
        "poi_import",
        bus=grid_bus,
        carrier="grid",
        p_nom=poi.p_nom,
        # negative prices are credited in the hook, on the load served only
        marginal_cost=pd.Series(np.maximum(poi.import_price, 0.0), index=problem.snapshots),
    )
    n.add(
        "Generator",
        "poi_export",
        bus=grid_bus,
        carrier="grid",
        p_nom=poi.p_nom,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=pd.Series(poi.export_price - problem.tie_break_cost, index=problem.snapshots),
    )
    if problem.offsite:
        add_offsite(n, problem, grid_bus)
    add_heat(n, problem, load_bus)
    return n


def _bus(problem: SystemProblem, technology: str | None) -> str:
    """PyPSA bus of a technology (``None``: of the campus load)."""
    if technology in {g.name for g in problem.offsite}:
        return OFFSITE_BUS
    net = problem.network
    if net is None:
        return SITE
    return net.load_bus if technology is None else net.bus_of(technology)


def _add_storage(n: pypsa.Network, s: StorageSpec, tie_break_cost: float, bus: str) -> None:
    """A store on its own bus with charger and discharger links (AC ratings tied) to ``bus``."""
    n.add("Bus", s.name, carrier=s.name)
    n.add(
        "Store",
        s.name,
        bus=s.name,
        carrier=s.name,
        e_nom=s.e_nom,
        e_nom_min=s.e_nom,
        e_nom_max=s.e_nom_max,
        e_nom_extendable=s.extendable,
        e_cyclic=True,
        capital_cost=s.capital_cost_energy,
    )
    n.add(
        "Link",
        f"{s.name} charger",
        bus0=bus,
        bus1=s.name,
        carrier=s.name,
        efficiency=s.efficiency_charge,
        p_nom=s.p_nom,
        p_nom_min=s.p_nom,
        p_nom_max=s.p_nom_max,
        p_nom_extendable=s.extendable,
        capital_cost=s.capital_cost_power,
    )
    eta_d = s.efficiency_discharge
    n.add(
        "Link",
        f"{s.name} discharger",
        bus0=s.name,
        bus1=bus,
        carrier=s.name,
        efficiency=s.efficiency_discharge,
        # the discharger is rated on its (DC) input: AC output = eta_d * input
        p_nom=s.p_nom / eta_d,
        p_nom_min=s.p_nom / eta_d,
        p_nom_max=s.p_nom_max / eta_d,
        p_nom_extendable=s.extendable,
        # per MW of input: the AC cost of a separately sized discharger x eta_d
        capital_cost=(s.capital_cost_discharge or 0.0) * eta_d,
        # per MWh of AC output
        marginal_cost=tie_break_cost * s.efficiency_discharge,
    )


def _add_flexibility(n: pypsa.Network, problem: SystemProblem, bus: str) -> None:
    """Load shifting and curtailment as three generators at the site bus.

    ``flex_defer`` (output >= 0: load moved away), ``flex_recover`` (output <= 0: load moved in,
    paying the shift cost) and ``flex_curtail`` (output >= 0, paying the curtailment cost, total
    output limited by the energy budget). Window balance and ramp limits are added in the hook.
    """
    flex = problem.flex
    assert flex is not None
    idx = problem.snapshots
    shift_nom = max(float(flex.shift_max.max()), 1e-9)
    curtail_nom = max(float(flex.curtail_max.max()), 1e-9)
    n.add("Carrier", "flex")
    n.add(
        "Generator",
        "flex_defer",
        bus=bus,
        carrier="flex",
        p_nom=shift_nom,
        p_max_pu=pd.Series(flex.shift_max / shift_nom, index=idx),
    )
    n.add(
        "Generator",
        "flex_recover",
        bus=bus,
        carrier="flex",
        p_nom=shift_nom,
        p_max_pu=0.0,
        p_min_pu=pd.Series(-flex.shift_in_bound / shift_nom, index=idx),
        marginal_cost=-flex.shift_cost,
    )
    n.add(
        "Generator",
        "flex_curtail",
        bus=bus,
        carrier="flex",
        p_nom=curtail_nom,
        p_max_pu=pd.Series(flex.curtail_max / curtail_nom, index=idx),
        marginal_cost=flex.curtail_cost,
        e_sum_max=flex.curtail_energy_max if one_period(problem) else np.inf,
    )


def _extra_functionality(
    problem: SystemProblem,
    maximise_cfe: bool = False,
    cfe_rows: Callable[[linopy.Model, SystemProblem, Callable[[str, str], Any]], None] = (
        add_cfe_row
    ),
) -> Callable[[pypsa.Network, pd.Index], None]:
    """Return the hook adding storage power coupling, flexibility and the hourly CFE constraint.

    With ``maximise_cfe`` the CFE expression becomes the objective (maximised) instead of a
    constraint: used to report the highest reachable score of an infeasible target.
    ``cfe_rows`` adds the CFE rows (a fleet states them across its campuses,
    :mod:`gridtwin.optimize.pypsa_fleet`).
    """

    def hook(n: pypsa.Network, snapshots: pd.Index) -> None:
        m = n.model

        def pick(var: str, name: str) -> Any:
            # scalar selection without a leftover 'name' coordinate (linopy would warn)
            return m.variables[var].sel(name=name, drop=True)

        for s in problem.storage:
            if not s.extendable:
                continue
            p_out = s.efficiency_discharge * pick("Link-p_nom", f"{s.name} discharger")  # AC
            if not s.separate_discharge:
                m.add_constraints(
                    pick("Link-p_nom", f"{s.name} charger") - p_out == 0,
                    name=f"{s.name}-power_coupling",
                )
            if s.max_hours is not None:  # hours at rated AC power: e_nom x eta_d = h x p_out
                m.add_constraints(
                    pick("Store-e_nom", s.name) - s.max_hours_energy_ratio * p_out == 0,
                    name=f"{s.name}-max_hours",
                )
        if problem.poi.demand_charge:
            _demand_charge(m, problem, pick)
        if (problem.poi.import_price < 0).any():
            _negative_price_credit(m, problem, pick)
        if problem.flex is not None:
            _flexibility_constraints(m, problem, pick)
        budget_constraints(m, problem, pick)
        heat_constraints(m, problem, pick)
        outage_constraints(m, problem, pick)
        add_renewable_share(m, problem, pick)
        if problem.network is not None:
            network_constraints(m, n, problem.network, pick)
        if problem.offsite:
            m.add_constraints(
                pick("Generator-p", "poi_import") + pick("Link-p", "offsite_delivery")
                <= problem.poi.p_nom,
                name="poi-import_with_offsite",
            )
        if problem.land_area is not None:
            land_constraint(m, problem, pick)
        if maximise_cfe:
            m.objective = -1.0 * cfe_expression(problem, pick).sum()
        else:
            cfe_rows(m, problem, pick)

    return hook


def _flexibility_constraints(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Window energy balance and ramp limit of shifting; curtailed energy per window."""
    flex = problem.flex
    assert flex is not None
    window = xr.DataArray(
        problem.window_index(flex.window_hours),
        coords={"snapshot": problem.snapshots},
        name="window",
    )
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": problem.snapshots})
    net = pick("Generator-p", "flex_defer") + pick("Generator-p", "flex_recover")
    m.add_constraints((w * net).groupby(window).sum() == 0, name="flex-window_balance")
    ramp = xr.DataArray(problem.ramp_limit(), coords={"snapshot": problem.snapshots})
    later = problem.snapshots[1:]
    previous = net.isel(snapshot=slice(None, -1)).assign_coords(snapshot=later)
    step = net.isel(snapshot=slice(1, None)) - previous
    m.add_constraints(step <= ramp.sel(snapshot=later), name="flex-ramp_up")
    m.add_constraints(step >= -ramp.sel(snapshot=later), name="flex-ramp_down")
    first = net.isel(snapshot=0)  # the first hour ramps from zero
    m.add_constraints(first <= float(ramp[0]), name="flex-ramp_first_up")
    m.add_constraints(first >= -float(ramp[0]), name="flex-ramp_first_down")
    budget = xr.DataArray(
        flex.curtail_window_energy_max,
        coords={"window": np.arange(len(flex.curtail_window_energy_max))},
    )
    curtailed = (w * pick("Generator-p", "flex_curtail")).groupby(window).sum()
    # aggregated problems: a window in which no segment starts has no row
    budget = budget.sel(window=curtailed.indexes["window"])
    m.add_constraints(curtailed <= budget, name="flex-curtail_window")


def _demand_charge(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Monthly import peaks and their charge, added to the objective."""
    month, share = problem.billing_months()
    months = pd.RangeIndex(len(share), name="month")
    peak = m.add_variables(lower=0.0, coords=[months], name="poi-peak")
    per_hour = peak.isel(month=xr.DataArray(month, coords={"snapshot": problem.snapshots}))
    physical = pick("Generator-p", "poi_import")
    if problem.offsite:  # the meter sees the offsite deliveries too
        physical = physical + pick("Link-p", "offsite_delivery")
    m.add_constraints(physical - per_hour <= 0, name="poi-peak_per_month")
    charge = xr.DataArray(problem.poi.demand_charge * share, coords={"month": months})
    m.add_objective(m.objective.expression + (charge * peak).sum(), overwrite=True)


def _negative_price_credit(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Credit of negative import prices on ``min(import, load served)``, in the objective."""
    idx = problem.snapshots.rename("snapshot")
    credit = m.add_variables(lower=0.0, coords=[idx], name="poi-credit")
    m.add_constraints(credit - pick("Generator-p", "poi_import") <= 0, name="poi-credit_import")
    used = credit  # credit <= load served = load - defer - recover - curtail
    if problem.flex is not None:  # defer >= 0 and recover <= 0 lower the load; curtail too
        used = used + sum(pick("Generator-p", f"flex_{k}") for k in ("defer", "recover", "curtail"))
    if problem.heat is not None:  # the heat side's consumption (its output is -e_t q_t)
        used = used + pick("Generator-p", "heat_recovery_power")
    if EXCHANGE in m.variables["Generator-p"].coords["name"]:  # load moved to other campuses
        used = used + pick("Generator-p", EXCHANGE)
    load = xr.DataArray(problem.load, coords={"snapshot": idx})
    m.add_constraints(used <= load, name="poi-credit_load")
    price = problem.snapshot_weights * np.minimum(problem.poi.import_price, 0.0)
    value = (xr.DataArray(price, coords={"snapshot": idx}) * credit).sum()
    m.add_objective(m.objective.expression + value, overwrite=True)


def _optimize(
    problem: SystemProblem, solver: str, opts: dict[str, Any], maximise_cfe: bool = False
) -> tuple[pypsa.Network, str, str, ClarabelRun | None]:
    n = build_network(problem)
    if solver == "CLARABEL":
        n.optimize.create_model(include_objective_constant=False)
        _extra_functionality(problem, maximise_cfe)(n, n.snapshots)
        run = solve_model(n.model, opts)
        if run.status == "ok":  # what n.optimize does after linopy's solve
            n.optimize.assign_solution()
            n.optimize.assign_duals(False)
            n.optimize.post_processing()
        return n, run.status, run.condition, run
    with highs_progress(opts) as run_opts:
        status, condition = n.optimize(
            solver_name="highs",
            solver_options=run_opts,
            extra_functionality=_extra_functionality(problem, maximise_cfe),
            include_objective_constant=False,
            log_to_console=False,
            io_api="direct",
        )
    return n, status, condition, None


#: linopy termination conditions (``linopy.constants.TerminationCondition``) -> status.
CONDITIONS = {
    "optimal": Status.OPTIMAL,
    "infeasible": Status.INFEASIBLE,
    "unbounded": Status.UNBOUNDED,
    "infeasible_or_unbounded": Status.INFEASIBLE_OR_UNBOUNDED,
    "time_limit": Status.TIME_LIMIT,
    "iteration_limit": Status.ITERATION_LIMIT,
    "internal_solver_error": Status.ERROR,
    "error": Status.ERROR,
}


def _run_info(n: pypsa.Network) -> tuple[float, dict[str, int]]:
    """HiGHS's own run time [s] and iteration counts of a solved network."""
    solver_model = getattr(n.model, "solver_model", None)
    if solver_model is None:
        return float("nan"), {}
    info = solver_model.getInfo()
    return float(solver_model.getRunTime()), {
        "simplex": int(info.simplex_iteration_count),
        "ipm": int(info.ipm_iteration_count),
        "crossover": int(info.crossover_iteration_count),
        "pdlp": int(getattr(info, "pdlp_iteration_count", 0)),
    }


class PypsaBackend:
    """The PyPSA backend in the registry of :mod:`gridtwin.optimize.backends`."""

    name = "pypsa"
    solvers = ("HIGHS", "CLARABEL")

    def options(self, solver: str, options: dict[str, Any] | None) -> dict[str, Any]:
        """The solver's options, checked (:func:`gridtwin.optimize.backends.solver_options`)."""
        return backends.solver_options(solver, options)

    def attempt(
        self, problem: SystemProblem, solver: str, opts: dict[str, Any], maximise_cfe: bool = False
    ) -> Attempt:
        """Build the network and run the solver once (see ``Backend.attempt``)."""
        n, status, condition, clarabel_run = _optimize(problem, solver, opts, maximise_cfe)
        run_time, iterations = _run_info(n)
        said = f"{status}/{condition}"
        if clarabel_run is not None:
            run_time, said = clarabel_run.run_time_s, clarabel_run.said
            iterations = {"ipm": clarabel_run.iterations}
        kind = CONDITIONS.get(condition, Status.NO_VERDICT)
        if clarabel_run is not None and kind is not Status.OPTIMAL:
            # stopped at the user's limit, whatever Clarabel calls the point it stopped at
            # (e.g. "AlmostDualInfeasible" after max_iter: 3)
            done = clarabel_run.iterations
            at_iterations = "max_iter" in opts and done >= float(opts["max_iter"])
            at_time = "time_limit" in opts and run_time >= 0.99 * float(opts["time_limit"])
            if at_iterations or at_time:
                kind = limit_reached(opts, run_time, {"total": done})
        if condition == "terminated_by_limit":
            kind = limit_reached(opts, run_time, iterations)
        if kind is Status.OPTIMAL and status != "ok":
            kind = Status.NO_VERDICT
        value = float("nan")
        if kind is Status.OPTIMAL:
            value = float(n.objective or 0.0)
            value = -value if maximise_cfe else value - existing_branch_cost(problem)
        return Attempt(kind, said, n, value, run_time, iterations)

    def extract(self, attempt: Attempt, problem: SystemProblem) -> Solution:
        """The :class:`Solution` of an optimal run."""
        return _extract(attempt.model, problem, attempt.objective)

    def versions(self) -> dict[str, str]:
        """The PyPSA version."""
        return {"pypsa_version": pypsa.__version__}


#: This module's entry in :data:`gridtwin.optimize.backends.BACKENDS`.
BACKEND = PypsaBackend()


def solve(
    problem: SystemProblem, options: dict[str, Any] | None = None, *, solver: str = "HIGHS"
) -> Solution:
    """Solve the sizing problem with PyPSA (:func:`gridtwin.optimize.backends.solve` with
    ``backend_name="pypsa"``).

    Parameters
    ----------
    problem : SystemProblem
    options : dict, optional
        HiGHS options (e.g. ``{"solver": "ipm", "run_crossover": "off"}``) or Clarabel
        settings (e.g. ``{"time_limit": 600}``).
    solver : {"HIGHS", "CLARABEL"}

    Returns
    -------
    Solution

    Raises
    ------
    InfeasibleError, UnboundedError, SolverError
        As :func:`gridtwin.optimize.backends.solve`.
    """
    return backends.solve(problem, "pypsa", solver, options)


def _extract(n: pypsa.Network, problem: SystemProblem, objective: float) -> Solution:
    """Capacities and dispatch of a solved network (``objective`` [currency a-1] without the
    existing branch ratings' cost)."""
    gp = n.generators_t.p
    lp = n.links_t.p0
    p_nom = {g.name: float(n.generators.at[g.name, "p_nom_opt"]) for g in problem.generators}
    e_nom, charge, discharge, soc = {}, {}, {}, {}
    p_nom_discharge = {}
    for s in problem.storage:
        p_nom[s.name] = float(n.links.at[f"{s.name} charger", "p_nom_opt"])
        p_out = n.links.at[f"{s.name} discharger", "p_nom_opt"] * s.efficiency_discharge
        p_nom_discharge[s.name] = float(p_out)
        e_nom[s.name] = float(n.stores.at[s.name, "e_nom_opt"])
        charge[s.name] = lp[f"{s.name} charger"].to_numpy(dtype=float)
        discharge[s.name] = s.efficiency_discharge * lp[f"{s.name} discharger"].to_numpy(float)
        soc[s.name] = n.stores_t.e[s.name].to_numpy(dtype=float)
    shift = np.zeros(len(problem.snapshots))
    curtail = np.zeros(len(problem.snapshots))
    if problem.flex is not None:
        # defer (>= 0) lowers the load, recover (<= 0) raises it: s = -(defer + recover)
        shift = -(gp["flex_defer"] + gp["flex_recover"]).to_numpy(dtype=float)
        curtail = gp["flex_curtail"].to_numpy(dtype=float)
    s_nom, flows = branch_results(n, problem)
    heat, heat_capacity, water = heat_results(n, problem, problem.load + shift - curtail)
    outage, outage_capacity = outage_results(n.model, problem)
    delivered = np.zeros(len(problem.snapshots))
    sold = np.zeros(len(problem.snapshots))
    if problem.offsite:
        delivered = lp["offsite_delivery"].to_numpy(dtype=float)
        sold = -gp["offsite_sale"].to_numpy(dtype=float)
    return Solution(
        heat=heat,
        heat_capacity=heat_capacity,
        water=water,
        outage=outage,
        outage_capacity=outage_capacity,
        s_nom=s_nom,
        branch_flow=flows,
        load_shift=shift,
        load_curtailment=curtail,
        p_nom=p_nom,
        p_nom_discharge=p_nom_discharge,
        e_nom=e_nom,
        p={g.name: gp[g.name].to_numpy(dtype=float) for g in problem.generators},
        charge=charge,
        discharge=discharge,
        state_of_charge=soc,
        grid_import=gp["poi_import"].to_numpy(dtype=float) + delivered,
        grid_export=-gp["poi_export"].to_numpy(dtype=float),
        offsite_delivered=delivered,
        offsite_sold=sold,
        certificates=certificates(n, problem),
        objective=objective,
        cfe_price=cfe_price(n, problem),
    )


__all__ = ["BACKEND", "build_network", "solve"]
