"""The heat side and water of a result: its variables, costs and balances, recomputed from the
file (:mod:`gridtwin.optimize.heat` for the equations).

Variables (on ``time`` unless said): ``campus_load_served`` [MW] (the campus alone; the
result's ``load_served`` is the site bus's, with the heat side's net consumption),
``heat_recovered`` [MW] (warm-loop heat taken), ``heat_delivered`` [MW] (to the network by heat
exchangers and heat pumps), ``heat_reused`` [MW] (sold to the network: the reused energy of
the ERF), ``heat_storage_p`` [MW] (tank discharge, negative charging), ``heat_storage_e``
[MW h], ``heat_pump_power`` [MW], ``heat_rejection_saving`` [MW], ``heat_rejected`` [MW]
(warm-loop heat rejected on site), ``district_heat_demand`` [MW]; scalars ``heat_pump_p_nom``
[MW], ``heat_storage_e_nom`` [MW h], their annualised costs, ``heat_price``; and ``water_use``
[m3 h-1] (the cooling's water on the study's basis, recovered heat deducted) with
``water_price``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from gridtwin.conventions import TIME
from gridtwin.optimize.problem import Solution, SystemProblem

Variables = dict[str, tuple[tuple[str, ...], object]]


def heat_variables(
    problem: SystemProblem, solution: Solution, campus: xr.Dataset, campus_served: np.ndarray
) -> Variables:
    """The heat side's and water's result variables (empty without them).

    Parameters
    ----------
    problem, solution : SystemProblem, Solution
    campus : xarray.Dataset
        The campus set (``district_heat_demand``, ``water_withdrawal``).
    campus_served : numpy.ndarray
        Campus load after shifting and curtailment [MW], shape (n_time,).
    """
    ts = (TIME,)
    out: Variables = {}
    heat = problem.heat
    if heat is not None and solution.heat:
        h, cap = solution.heat, solution.heat_capacity
        years = problem.horizon_years
        produced = heat.heat_per_load * campus_served
        out.update(
            {
                "campus_load_served": (ts, campus_served),
                "heat_produced": (ts, produced),
                "heat_recovered": (ts, h["source"]),
                "heat_rejected": (ts, produced - h["source"]),
                "heat_delivered": (ts, h["delivered"]),
                "heat_reused": (ts, h["sold"]),
                "heat_storage_p": (ts, h["storage_p"]),
                "heat_storage_e": (ts, h["storage_e"]),
                "heat_pump_power": (ts, h["heat_pump_power"]),
                "heat_rejection_saving": (ts, h["rejection_saving"]),
                "heat_pump_output": (ts, heat.heat_pump_share * h["delivered"]),
                "district_heat_demand": (ts, heat.demand),
                "heat_pump_p_nom": ((), cap["heat_pump"]),
                "heat_storage_e_nom": ((), cap["heat_storage"]),
                "heat_pump_capital_cost": ((), heat.heat_pump_capital_cost / years),
                "heat_pump_fixed_om_cost": ((), heat.heat_pump_fixed_om / years),
                "heat_pump_marginal_cost": ((), heat.heat_pump_marginal_cost),
                "heat_storage_capital_cost": ((), heat.storage_capital_cost / years),
                "heat_storage_fixed_om_cost": ((), heat.storage_fixed_om / years),
                "heat_price": ((), heat.price),
            }
        )
    if problem.water is not None and solution.water.size == len(problem.snapshots):
        out["water_use"] = (ts, solution.water)
        out["water_price"] = ((), problem.water.price)
    elif "water_withdrawal" in campus:  # follows the heat, hence the campus load served
        load = campus["load"].to_numpy()
        ratio = np.zeros(len(load))
        np.divide(campus_served, load, out=ratio, where=load > 0)
        recovered = solution.heat["source"] if solution.heat else 0.0
        saved = campus["recovery_water_withdrawal"].to_numpy() * recovered
        out["water_use"] = (ts, campus["water_withdrawal"].to_numpy() * ratio - saved)
        out["water_price"] = ((), 0.0)
    return out


def heat_costs(ds: xr.Dataset) -> dict[str, float]:
    """Annual costs of the heat side and water [currency a-1], recomputed from the file.

    ``capital`` and ``fixed_om``: heat pumps (``heat_pump_p_nom``) and tank
    (``heat_storage_e_nom``) at their annualised costs; ``heat``: heat-pump variable O&M less
    heat sales, ``sum_t w_t (marginal x heat_pump_output_t - heat_price x heat_reused_t) / H``;
    ``water``: ``water_price x sum_t w_t water_use_t / H``. Zeros without them.
    """
    out = {"capital": 0.0, "fixed_om": 0.0, "heat": 0.0, "water": 0.0}
    w = ds["snapshot_weight"] if "snapshot_weight" in ds else xr.ones_like(ds[TIME], dtype=float)
    years = float(ds["horizon_years"]) if "horizon_years" in ds else 1.0
    if "heat_pump_p_nom" in ds:
        hp, tank = float(ds["heat_pump_p_nom"]), float(ds["heat_storage_e_nom"])
        capex = float(ds["heat_pump_capital_cost"]) * hp
        capex += float(ds["heat_storage_capital_cost"]) * tank
        fom = float(ds["heat_pump_fixed_om_cost"]) * hp
        fom += float(ds["heat_storage_fixed_om_cost"]) * tank
        out["capital"], out["fixed_om"] = capex - fom, fom
        vom = float(ds["heat_pump_marginal_cost"]) * float((w * ds["heat_pump_output"]).sum())
        sales = float(ds["heat_price"]) * float((w * ds["heat_reused"]).sum())
        out["heat"] = (vom - sales) / years
    if "water_use" in ds and "water_price" in ds:
        out["water"] = float(ds["water_price"]) * float((w * ds["water_use"]).sum()) / years
    return out


def heat_balance_residual(ds: xr.Dataset) -> xr.DataArray:
    """Largest residual of the heat balances of each hour [MW] (zero for a correct result):
    the warm loop (produced = recovered + rejected, rejected >= 0) and the network
    (delivered + tank = reused). Zeros without heat reuse."""
    if "heat_delivered" not in ds:
        return xr.zeros_like(ds["load_served"])
    loop = abs(ds["heat_produced"] - ds["heat_recovered"] - ds["heat_rejected"])
    loop = loop + (-ds["heat_rejected"]).clip(min=0.0)
    network = abs(ds["heat_delivered"] + ds["heat_storage_p"] - ds["heat_reused"])
    return xr.concat([loop, network], "balance").max("balance")


__all__ = ["heat_balance_residual", "heat_costs", "heat_variables"]
