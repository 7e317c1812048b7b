"""The outage scenarios of a result: the island dispatch the sizing planned, the generator sets
and fuel built for it and their cost, recomputed from the file
(:mod:`gridtwin.optimize.outage` for the equations).

Variables on ``outage`` (scenario) and ``outage_hour``: ``outage_start`` (outage,),
``outage_critical_load``, ``outage_available`` (on-site generation), ``outage_genset``,
``outage_discharge``, ``outage_charge``, ``outage_onsite``, ``outage_net_load`` [MW],
``outage_energy`` [MW h], ``outage_fuel_limit`` [MW h]; scalars ``outage_genset_p_nom`` [MW],
``outage_fuel`` [MW h], their annualised costs and ``outage_derate``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from gridtwin.optimize.outage import OUTAGE_KEYS
from gridtwin.optimize.problem import Solution, SystemProblem

Variables = dict[str, tuple[tuple[str, ...], object]]
DIMS = ("outage", "outage_hour")


def outage_variables(problem: SystemProblem, solution: Solution) -> Variables:
    """The outage scenarios' result variables (empty without them)."""
    o = problem.outage
    if o is None or not solution.outage:
        return {}
    idx = o.snapshot_index()
    gens = {g.name: g for g in problem.generators}
    avail = sum(
        (solution.p_nom[n] * gens[n].capacity_factor[idx] for n in o.generators),
        np.zeros(idx.shape),
    )
    cap = solution.outage_capacity
    years = problem.horizon_years
    fleet = o.backup_p_nom + cap.get("genset", 0.0)
    out: Variables = {f"outage_{k}": (DIMS, solution.outage[k]) for k in OUTAGE_KEYS}
    out.update(
        {
            "outage_start": (("outage",), problem.snapshots[np.asarray(o.starts)].to_numpy()),
            "outage_critical_load": (DIMS, o.critical_load[idx]),
            "outage_available": (DIMS, avail),
            "outage_fuel_limit": (
                DIMS,
                np.tile(o.fuel_per_mw() * fleet + cap.get("fuel", 0.0), (idx.shape[0], 1)),
            ),
            "outage_genset_p_nom": ((), cap.get("genset", 0.0)),
            "outage_fuel": ((), cap.get("fuel", 0.0)),
            "outage_genset_capital_cost": ((), (o.genset_capital_cost or 0.0) / years),
            "outage_fuel_capital_cost": ((), (o.fuel_capital_cost or 0.0) / years),
            "outage_derate": ((), o.derate),
        }
    )
    return out


def with_outage_coords(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with index coordinates on ``outage`` and ``outage_hour`` (so results of sweeps
    with different outage scenarios line up, padded with nan)."""
    if "outage_hour" not in ds.dims:
        return ds
    ds = ds.assign_coords(
        outage=("outage", np.arange(ds.sizes["outage"]), {"long_name": "outage scenario"}),
        outage_hour=(
            "outage_hour",
            np.arange(ds.sizes["outage_hour"]),
            {"units": "h", "long_name": "hour of the outage"},
        ),
    )
    return ds


def outage_cost(ds: xr.Dataset) -> float:
    """Annual cost of the generator sets and fuel built for the outages [currency a-1]."""
    if "outage_genset_p_nom" not in ds:
        return 0.0
    return float(ds["outage_genset_capital_cost"] * ds["outage_genset_p_nom"]) + float(
        ds["outage_fuel_capital_cost"] * ds["outage_fuel"]
    )


def outage_residual(ds: xr.Dataset) -> xr.DataArray:
    """Largest violation of the outage rows in each scenario hour [MW or MWh] (zero for a
    correct result): load served, on-site generation, fuel up to the hour and the storage
    pool's energy balance (its start from the grid-connected dispatch is checked by the
    verifier)."""
    load = ds["outage_critical_load"] - ds["outage_genset"] - ds["outage_discharge"]
    load = (load - ds["outage_onsite"]).clip(min=0.0)
    onsite = (ds["outage_onsite"] + ds["outage_charge"] - ds["outage_available"]).clip(min=0.0)
    fuel = (ds["outage_net_load"].cumsum("outage_hour") - ds["outage_fuel_limit"]).clip(min=0.0)
    rows = [load, onsite, fuel]
    return xr.concat(rows, "row").max("row")


__all__ = ["outage_cost", "outage_residual", "outage_variables", "with_outage_coords"]
