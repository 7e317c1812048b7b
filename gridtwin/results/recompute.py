"""Figures recomputed from a result file alone, never copied from the solver: the CFE scores,
the system cost and its breakdown, curtailment, land and network use, the energy balance
residual and the capacity table.

They call the kernels of :mod:`gridtwin.metrics` with the result's variables, so a partner who
opens the file gets the same numbers gridtwin reported.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import COST_COMPONENT, CURTAILABLE, STORAGE, TECHNOLOGY, TIME
from gridtwin.metrics import clean_supply, operating_cost_parts
from gridtwin.optimize.problem import demand_charge_months
from gridtwin.results.heat import heat_costs
from gridtwin.results.outage import outage_cost


def network_cost(ds: xr.Dataset) -> float:
    """Annualised cost of the branch upgrades [currency a-1]:
    ``sum_branch branch_capital_cost x (s_nom_opt - s_nom)`` (0 without a site network)."""
    if "s_nom_opt" not in ds:
        return 0.0
    added = (ds["s_nom_opt"] - ds["s_nom"]).clip(min=0.0)
    return float((ds["branch_capital_cost"] * added).sum())


def offsite_mask(ds: xr.Dataset) -> xr.DataArray:
    """1 for offsite contracts, 0 for on-site technologies (all 0 in older files)."""
    if "is_offsite" in ds:
        return ds["is_offsite"]
    return xr.zeros_like(ds["p_nom_opt"], dtype=int)


def onsite_technologies(ds: xr.Dataset) -> list[str]:
    """Technologies of a result that sit on the site (every one but the offsite contracts)."""
    mask = offsite_mask(ds).values
    return [str(t) for t, o in zip(ds[TECHNOLOGY].values, mask, strict=True) if not o]


def offsite_delivered(ds: xr.Dataset) -> xr.DataArray:
    """Offsite deliveries through the POI [MW] (zeros in files without them)."""
    if "offsite_delivered" in ds:
        return ds["offsite_delivered"]
    return xr.zeros_like(ds["grid_import"])


def market_import(ds: xr.Dataset) -> xr.DataArray:
    """Grid import bought on the market [MW]: the physical import less offsite deliveries."""
    return ds["grid_import"] - offsite_delivered(ds)


def land_used(ds: xr.Dataset) -> float:
    """Site land taken by on-site assets [ha]: ``sum land_use x p_nom_opt`` (0 in files
    without land use)."""
    if "land_use" not in ds:
        return 0.0
    return float((ds["land_use"] * ds["p_nom_opt"] * (1 - offsite_mask(ds))).sum())


def cfe_score(ds: xr.Dataset) -> float:
    """Hourly-matched carbon-free share of the load, recomputed from the dispatch.

    ``sum_t [sum_onsite is_clean * p + delivered_t + cfe_t * (import_t - delivered_t)
    - export_t] / sum_t load_served_t`` where ``p`` is the on-site output and net storage
    injection, ``delivered`` the offsite contracts' output delivered through the POI (part of the
    import) and ``load_served`` the load after shifting and curtailment (docs/conventions.md;
    Xu et al. 2021).

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.

    Returns
    -------
    float
        CFE score [-].
    """
    w = weights(ds)
    cfe = _clean_supply(ds, "hourly")
    return float((w * cfe).sum() / (w * ds["load_served"]).sum())


def _clean_supply(
    ds: xr.Dataset, matching: Literal["hourly", "annual"], grid_share: Any = None
) -> xr.DataArray:
    """Hourly clean supply of a result [MW] (:func:`gridtwin.metrics.clean_supply`); storage
    counts through ``p`` (discharge less charge) and ``is_clean``; grid import counts at
    ``grid_share`` (default the grid's carbon-free share)."""
    offsite = offsite_mask(ds)
    return clean_supply(
        onsite_clean=(ds["is_clean"] * (1 - offsite) * ds["p"]).sum(TECHNOLOGY),
        market_import=market_import(ds),
        grid_cfe_share=ds["grid_cfe_share"] if grid_share is None else grid_share,
        offsite_delivered=offsite_delivered(ds),
        offsite_output=(ds["is_clean"] * offsite * ds["p"]).sum(TECHNOLOGY),
        export=ds["grid_export"],
        matching=matching,
    )


def annual_matching_score(ds: xr.Dataset) -> float:
    """Volumetric (annual) carbon-free share: all clean output counts, exported or not.

    ``sum_t [sum_tech is_clean * p + cfe_t * (import_t - delivered_t)] / sum_t load_served_t``
    [-] (every offsite MWh counts, delivered or sold). It is the score of ``policy.matching:
    annual`` and never below :func:`cfe_score`.
    """
    w = weights(ds)
    cfe = _clean_supply(ds, "annual")
    return float((w * cfe).sum() / (w * ds["load_served"]).sum())


def weights(ds: xr.DataArray | xr.Dataset) -> xr.DataArray:
    """Hours each time step of a result stands for [h] (ones for hourly results and for files
    written before aggregation existed)."""
    if "snapshot_weight" in ds:
        return ds["snapshot_weight"]
    return xr.ones_like(ds[TIME], dtype=float)


#: Parts of the annualised system cost, in report order (dimension ``cost_component``).
COST_COMPONENTS = (
    "capital",
    "fixed_om",
    "variable",
    "grid",
    "network",
    "flexibility",
    "heat",
    "water",
    "resilience",
)


def _capex_parts(ds: xr.Dataset) -> tuple[float, float]:
    """(investment annuity, fixed O&M) of the capacities per year [currency a-1]; files
    without ``fixed_om_cost`` count all capital cost as annuity."""
    total = float((ds["capital_cost"] * ds["p_nom_opt"]).sum())
    total += float((ds["capital_cost_energy"] * ds["e_nom_opt"]).sum())
    fom = 0.0
    if "fixed_om_cost" in ds:
        fom += float((ds["fixed_om_cost"] * ds["p_nom_opt"]).sum())
        fom += float((ds["fixed_om_cost_energy"] * ds["e_nom_opt"]).sum())
    if "capital_cost_discharge" in ds:
        total += float((ds["capital_cost_discharge"] * ds["p_nom_discharge_opt"]).sum())
        if "fixed_om_cost_discharge" in ds:
            fom += float((ds["fixed_om_cost_discharge"] * ds["p_nom_discharge_opt"]).sum())
    return total - fom, fom


def cost_breakdown(ds: xr.Dataset) -> xr.DataArray:
    """Annualised system cost by part, recomputed from capacities and dispatch
    [currency a-1]; the parts sum to :func:`system_cost`.

    * ``capital``: investment annuity, ``sum(capital_cost x p_nom_opt) + sum(capital_cost_energy
      x e_nom_opt) + sum(capital_cost_discharge x p_nom_discharge_opt)`` less the fixed O&M;
    * ``fixed_om``: the same sums over ``fixed_om_cost``, ``fixed_om_cost_energy`` and
      ``fixed_om_cost_discharge`` (0 in files written before they existed);
    * ``variable``, ``grid``, ``flexibility``: :func:`gridtwin.metrics.operating_cost_parts`
      of the dispatch over the horizon, divided by ``horizon_years`` -- variable O&M and fuel
      (and the tie-break cost), POI energy less export revenue plus demand charges, and the
      campus's load shifting and curtailment costs;
    * ``network``: :func:`network_cost` (site-network upgrades);
    * ``heat``, ``water``: heat-pump variable O&M less heat sales, and the water bill
      (:func:`gridtwin.results.heat.heat_costs`, whose heat pumps and tank are in ``capital``
      and ``fixed_om``);
    * ``resilience``: generator sets and fuel built for outage scenarios
      (:func:`gridtwin.results.outage.outage_cost`).

    ``operating`` uses ``w_t`` the snapshot weight [h] and ``market = import - delivered``
    (offsite deliveries are paid for by the contracts' capital cost; a negative price is earned
    on the load served only); see :func:`gridtwin.metrics.operating_cost_parts`.

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.

    Returns
    -------
    xarray.DataArray
        On dimension ``cost_component`` (:data:`COST_COMPONENTS`) [currency a-1].
    """
    w = weights(ds)
    sold = ds["offsite_sold"] if "offsite_sold" in ds else xr.zeros_like(ds["grid_export"])
    charge = float(ds["demand_charge"]) if "demand_charge" in ds else 0.0
    offset = float(ds["billing_utc_offset"]) if "billing_utc_offset" in ds else 0.0
    snapshots = pd.DatetimeIndex(ds[TIME].values)
    discharge = ds["storage_discharge"].sum(STORAGE)
    stores = [str(x) for x in ds[STORAGE].values]
    gens = [str(x) for x in ds[TECHNOLOGY].values if str(x) not in stores]
    cost = ds["marginal_cost"]
    marginal = (cost.sel({TECHNOLOGY: gens}) * ds["p"].sel({TECHNOLOGY: gens})).sum(TECHNOLOGY)
    on_storage = cost.sel({TECHNOLOGY: stores}).rename({TECHNOLOGY: STORAGE})
    marginal = marginal + (on_storage * ds["storage_discharge"]).sum(STORAGE)
    operating = operating_cost_parts(
        w,
        marginal=marginal,
        import_price=ds["grid_price"],
        export_price=ds["grid_export_price"],
        market_import=market_import(ds),
        load_served=ds["load_served"],
        sold=ds["grid_export"] + sold,
        discharge=discharge,
        tie_break_cost=float(ds["tie_break_cost"]),
        shift=ds["load_shift"],
        curtailment=ds["load_curtailment"],
        shift_cost=float(ds["shift_cost"]),
        curtail_cost=float(ds["curtail_cost"]),
        demand_charge=charge,
        physical_import=ds["grid_import"],
        billing=demand_charge_months(snapshots, w.to_numpy(), offset) if charge else None,
    )
    if "certificates" in ds and "certificate_price" in ds:  # guarantees of origin: energy bought
        operating["grid"] += float(ds["certificate_price"]) * float((w * ds["certificates"]).sum())
    years = float(ds["horizon_years"])
    capital, fixed_om = _capex_parts(ds)
    heat = heat_costs(ds)
    parts = {
        "capital": capital + heat["capital"],
        "fixed_om": fixed_om + heat["fixed_om"],
        **{k: v / years for k, v in operating.items()},
        "network": network_cost(ds),
        "heat": heat["heat"],
        "water": heat["water"],
        "resilience": outage_cost(ds),
    }
    return xr.DataArray(
        [parts[k] for k in COST_COMPONENTS],
        dims=(COST_COMPONENT,),
        coords={COST_COMPONENT: np.array(COST_COMPONENTS, dtype=object)},
    )


def system_cost(ds: xr.Dataset) -> float:
    """Annualised system cost recomputed from capacities and dispatch [currency a-1].

    ``capex + (operating + grid) / H``: the sum of :func:`cost_breakdown` (see there for each
    part), with ``H = horizon_years`` (1 for one weather year; the solver's objective is the
    cost of the horizon, ``system_cost * H``).

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.

    Returns
    -------
    float
    """
    return float(cost_breakdown(ds).sum())


def add_cost_breakdown(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the variable ``cost_breakdown`` (:func:`cost_breakdown`) on the dimension
    ``cost_component``, annotated by :func:`gridtwin.results.build.build_results`."""
    return ds.assign({"cost_breakdown": cost_breakdown(ds)})


def hourly_curtailment(ds: xr.Dataset) -> xr.DataArray:
    """Available clean generation not produced, every hour and clean generator [MW].

    ``capacity_factor x p_nom_opt - p`` for every generator with ``is_clean`` (on-site and
    offsite contracts); NaN for storage and for generators that are not clean (their unused
    availability is not curtailment).

    Returns
    -------
    xarray.DataArray
        On ``time`` x ``technology`` [MW].
    """
    available = ds["capacity_factor"] * ds["p_nom_opt"]
    return (available - ds["p"]).where(_clean_generators(ds))


def _clean_generators(ds: xr.Dataset) -> xr.DataArray:
    """True for the clean generators of a result (not storage), on ``technology``."""
    stores = {str(s) for s in ds[STORAGE].values}
    is_store = xr.DataArray(
        np.array([str(t) in stores for t in ds[TECHNOLOGY].values], dtype=bool),
        dims=(TECHNOLOGY,), coords={TECHNOLOGY: ds[TECHNOLOGY]},
    )  # fmt: skip
    return (ds["is_clean"] > 0) & ~is_store


def curtailment_energy(ds: xr.Dataset) -> xr.Dataset:
    """Available energy, curtailed energy and the curtailed share of every clean generator.

    ``available_energy = sum_t w_t capacity_factor_t p_nom_opt / H``, ``curtailed_energy =
    sum_t w_t (capacity_factor_t p_nom_opt - p_t) / H`` [MWh a-1] (``w_t`` the snapshot
    weight [h], ``H`` = ``horizon_years``) and ``curtailment_share = curtailed / available``
    [-] (0 where nothing was available), for the clean generators only (storage and fossil
    units are not curtailed: their unused availability is dispatch).

    Returns
    -------
    xarray.Dataset
        Variables ``available_energy``, ``curtailed_energy``, ``curtailment_share`` on
        ``curtailable`` (the clean generators' names, a subset of ``technology``).
    """
    w = weights(ds)
    years = float(ds["horizon_years"])
    curtailed = hourly_curtailment(ds)
    clean = _clean_generators(ds)
    available = (w * ds["capacity_factor"] * ds["p_nom_opt"]).sum(TIME) / years
    energy = (w * curtailed).sum(TIME) / years
    share = xr.where(available > 0, energy / available.where(available > 0), 0.0)
    names = ds[TECHNOLOGY].values[clean.values]

    def on_curtailable(da: xr.DataArray) -> xr.DataArray:
        picked = da.sel({TECHNOLOGY: names}).reset_coords(drop=True)
        return picked.rename({TECHNOLOGY: CURTAILABLE})

    return xr.Dataset(
        {
            "available_energy": on_curtailable(available),
            "curtailed_energy": on_curtailable(energy),
            "curtailment_share": on_curtailable(share),
        }
    )


def add_curtailment(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the hourly total ``curtailment`` [MW] (sum over clean generators of
    :func:`hourly_curtailment`) and the per-technology variables of
    :func:`curtailment_energy`."""
    out = ds.assign(curtailment=hourly_curtailment(ds).sum(TECHNOLOGY))
    return out.assign(curtailment_energy(ds))


def energy_balance_residual(ds: xr.Dataset) -> xr.DataArray:
    """Supply minus load of the site for every hour [MW] (zero for a correct result): on-site
    output plus the physical POI exchange (offsite deliveries arrive in the import)."""
    onsite = (ds["p"] * (1 - offsite_mask(ds))).sum(TECHNOLOGY)
    supply = onsite + ds["grid_import"] - ds["grid_export"]
    return supply - ds["load_served"]


def summary(ds: xr.Dataset) -> pd.DataFrame:
    """Capacity and energy table of a result.

    Returns
    -------
    pandas.DataFrame
        Indexed by technology with columns ``p_nom_opt [MW]``, ``e_nom_opt [MWh]`` (NaN for
        generators), ``energy [GWh/a]`` (generators: output; storage: energy discharged) and
        ``used_capacity_factor [-]`` (generator output actually used, over ``p_nom_opt`` x hours,
        i.e. after curtailment; the ``capacity_factor`` variable is what was available; NaN for
        storage).
    """
    techs = [str(t) for t in ds[TECHNOLOGY].values]
    stores = {str(s) for s in ds[STORAGE].values}
    w = weights(ds)
    hours = float(w.sum())
    years = float(ds["horizon_years"])  # energies per year
    rows = []
    for tech in techs:
        p_nom = float(ds["p_nom_opt"].sel({TECHNOLOGY: tech}))
        if tech in stores:
            e_nom = float(ds["e_nom_opt"].sel({STORAGE: tech}))
            energy = float((w * ds["storage_discharge"].sel({STORAGE: tech})).sum()) / 1e3
            cf = np.nan
        else:
            e_nom = np.nan
            energy = float((w * ds["p"].sel({TECHNOLOGY: tech})).sum()) / 1e3
            cf = energy * 1e3 / (p_nom * hours) if p_nom > 1e-3 else np.nan  # not built
        rows.append((p_nom, e_nom, energy / years, cf))
    return pd.DataFrame(
        rows,
        columns=["p_nom_opt [MW]", "e_nom_opt [MWh]", "energy [GWh/a]", "used_capacity_factor [-]"],
        index=pd.Index(techs, name=TECHNOLOGY),
    )


__all__ = [
    "COST_COMPONENTS",
    "add_cost_breakdown",
    "add_curtailment",
    "annual_matching_score",
    "cfe_score",
    "cost_breakdown",
    "curtailment_energy",
    "energy_balance_residual",
    "hourly_curtailment",
    "land_used",
    "market_import",
    "network_cost",
    "offsite_delivered",
    "offsite_mask",
    "onsite_technologies",
    "summary",
    "system_cost",
    "weights",
]
