"""Heat reuse and water of the PyPSA backend (:mod:`gridtwin.optimize.pypsa_backend`): the
equations of :mod:`gridtwin.optimize.heat` as PyPSA components and linopy rows.

Components: bus ``district_heat`` with the generator ``heat_recovery`` (the delivered heat
``q_t``, paying the heat pumps' variable O&M on their share), the store ``heat_storage`` (hot
water tank, cyclic, standing loss) and the generator ``heat_sale`` (negative output up to the
network's demand, earning the heat price); at the load bus the generator
``heat_recovery_power`` whose output is ``-e_t q_t`` (the heat side's net consumption). The
heat-pump rating ``heat_pump-p_nom`` is a linopy variable with its capital cost in the
objective, bounding ``h_t q_t``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from gridtwin.optimize.heat import heat_values, water_values
from gridtwin.optimize.problem import SystemProblem

HEAT_BUS = "district_heat"


def add_heat(n: pypsa.Network, problem: SystemProblem, load_bus: str) -> None:
    """The heat side's components (none without heat reuse)."""
    heat = problem.heat
    if heat is None:
        return
    idx = problem.snapshots
    limit = heat.delivery_limit(problem.served_max()) + 1.0
    n.add("Carrier", "heat")
    n.add("Bus", HEAT_BUS, carrier="heat")
    n.add(
        "Generator",
        "heat_recovery",
        bus=HEAT_BUS,
        carrier="heat",
        p_nom=limit,
        marginal_cost=pd.Series(heat.heat_pump_marginal_cost * heat.heat_pump_share, index=idx),
    )
    power_nom = float(np.abs(heat.net_power).max()) * limit + 1.0
    n.add(
        "Generator",
        "heat_recovery_power",
        bus=load_bus,
        carrier="heat",
        p_nom=power_nom,
        p_min_pu=-1.0,
        p_max_pu=1.0,
    )
    if heat.storage:
        n.add(
            "Store",
            "heat_storage",
            bus=HEAT_BUS,
            carrier="heat",
            e_nom_extendable=True,
            e_cyclic=True,
            capital_cost=heat.storage_capital_cost,
            standing_loss=heat.storage_standing_loss,
        )
    demand_nom = max(float(heat.demand.max()), 1e-9)
    n.add(
        "Generator",
        "heat_sale",
        bus=HEAT_BUS,
        carrier="heat",
        p_nom=demand_nom,
        p_min_pu=pd.Series(-heat.demand / demand_nom, index=idx),
        p_max_pu=0.0,
        marginal_cost=heat.price,
    )


def _served(problem: SystemProblem, pick: Callable[[str, str], Any]) -> tuple[xr.DataArray, Any]:
    """The load served as ``load - reduction`` (constant, and the flexibility's expression or
    ``None``)."""
    load = xr.DataArray(problem.load, coords={"snapshot": problem.snapshots})
    if problem.flex is None:
        return load, None
    return load, sum(pick("Generator-p", f"flex_{k}") for k in ("defer", "recover", "curtail"))


def heat_constraints(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Heat-pump rating, source limit, net consumption, tank power and water rows."""
    heat = problem.heat
    idx = problem.snapshots
    load, reduction = _served(problem, pick)

    def series(values: np.ndarray) -> xr.DataArray:
        return xr.DataArray(np.asarray(values, dtype=float), coords={"snapshot": idx})

    q = None
    if heat is not None:
        q = pick("Generator-p", "heat_recovery")
        upper = heat.heat_pump_p_nom_max if np.isfinite(heat.heat_pump_p_nom_max) else np.inf
        hp_nom = m.add_variables(lower=0.0, upper=upper, name="heat_pump-p_nom")
        m.add_constraints(series(heat.heat_pump_share) * q - hp_nom <= 0, name="heat_pump-rating")
        source = series(heat.source_per_heat) * q
        k = series(heat.heat_per_load)
        lhs = source if reduction is None else source + k * reduction
        m.add_constraints(lhs <= k * load, name="heat-source_limit")
        m.add_constraints(
            pick("Generator-p", "heat_recovery_power") + series(heat.net_power) * q == 0,
            name="heat-net_power",
        )
        if heat.storage:
            p, e_nom = pick("Store-p", "heat_storage"), pick("Store-e_nom", "heat_storage")
            m.add_constraints(p - e_nom / heat.storage_hours <= 0, name="heat_storage-discharge")
            m.add_constraints(
                -1.0 * p - e_nom / heat.storage_hours <= 0, name="heat_storage-charge"
            )
        m.add_objective(
            m.objective.expression + heat.heat_pump_capital_cost * hp_nom, overwrite=True
        )
    _water(m, problem, series, load, reduction, q)


def _water(
    m: linopy.Model,
    problem: SystemProblem,
    series: Callable[[np.ndarray], xr.DataArray],
    load: xr.DataArray,
    reduction: Any,
    q: Any,
) -> None:
    """Water price and limits on ``omega_t served_t - psi_t b_t q_t`` (decided part only)."""
    water = problem.water
    if water is None or (reduction is None and q is None):
        return  # nothing to decide (a fixed use is checked by check_problem)
    omega = series(water.per_load)
    terms = []
    if reduction is not None:
        terms.append(-1.0 * omega * reduction)
    if q is not None and problem.heat is not None:
        terms.append(-1.0 * series(water.per_source * problem.heat.source_per_heat) * q)
    decided = terms[0] if len(terms) == 1 else terms[0] + terms[1]
    w = series(problem.snapshot_weights)
    if water.price:
        m.add_objective(m.objective.expression + (water.price * w * decided).sum(), overwrite=True)
    fixed = omega * load
    if water.peak_max is not None:
        m.add_constraints(decided <= water.peak_max - fixed, name="water-peak")
    if water.annual_max is not None:
        groups, shares = problem.budget_shares()
        period = xr.DataArray(groups, coords={"snapshot": problem.snapshots}, name="period")
        used = (w * decided).groupby(period).sum()
        rest = (w * fixed).groupby(period).sum()
        budget = xr.DataArray(water.annual_max * shares, coords={"period": rest["period"]})
        m.add_constraints(used <= budget - rest, name="water-annual")


def cfe_term(problem: SystemProblem, energy: Callable[[str, str], Any]) -> list[Any]:
    """The CFE row's term for the heat side's consumption: ``x sum_t w_t (-e_t q_t)``."""
    if problem.heat is None:
        return []
    return [problem.cfe_target * energy("Generator-p", "heat_recovery_power")]


def heat_results(
    n: pypsa.Network, problem: SystemProblem, served: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, float], np.ndarray]:
    """The heat side's results, capacities and the water (empty without them)."""
    heat, capacity = {}, {}
    if problem.heat is not None:
        zeros = np.zeros(len(problem.snapshots))
        has_store = problem.heat.storage
        heat = heat_values(
            problem.heat,
            n.generators_t.p["heat_recovery"].to_numpy(dtype=float),
            n.stores_t.p["heat_storage"].to_numpy(dtype=float) if has_store else zeros,
            n.stores_t.e["heat_storage"].to_numpy(dtype=float) if has_store else zeros,
        )
        hp = n.model.variables["heat_pump-p_nom"].solution
        capacity = {
            "heat_pump": float(np.asarray(hp, dtype=float)),
            "heat_storage": float(n.stores.at["heat_storage", "e_nom_opt"]) if has_store else 0.0,
        }
    water = np.zeros(0)
    if problem.water is not None:
        water = water_values(problem.water, served, heat)
    return heat, capacity, water


__all__ = ["HEAT_BUS", "add_heat", "cfe_term", "heat_constraints", "heat_results"]
