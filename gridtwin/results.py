"""Result schema, the checks recomputed from it, and netCDF I/O.

A result is one :class:`xarray.Dataset` (dims ``time``, ``technology``, ``storage``) holding the
inputs that shaped the answer (load, capacity factors, prices, costs), the solution (capacities,
dispatch, state of charge, POI exchange) and scalars recomputed from the dispatch
(``cfe_score``, ``system_cost``, ``lcoe``), never copied from the solver. Global attributes
carry the CF conventions, provenance and the study YAML text so a partner can rebuild the
problem from the file alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import BRANCH, STORAGE, TECHNOLOGY, TIME, annotate, provenance_attrs
from gridtwin.exceptions import DataError
from gridtwin.io import write_netcdf
from gridtwin.metrics import clean_supply, operating_cost
from gridtwin.network.spec import NetworkSpec
from gridtwin.optimize.problem import Solution, SystemProblem, demand_charge_months


def build_results(
    problem: SystemProblem,
    solution: Solution,
    campus: xr.Dataset,
    *,
    title: str = "",
    study_text: str = "",
    attrs: dict[str, Any] | None = None,
) -> xr.Dataset:
    """Assemble the result dataset of a solved sizing problem.

    Parameters
    ----------
    problem : SystemProblem
        The problem that was solved (inputs: load, capacity factors, costs, POI series).
    solution : Solution
        What the backend returned.
    campus : xarray.Dataset
        Output of :func:`gridtwin.campus.campus_load` (``it_load``, ``pue``, ``temp_wetbulb``,
        ``load`` on ``time``); its attributes are stored with the prefix ``campus_``.
    title : str
        Human-readable title.
    study_text : str
        The study YAML text as written, stored verbatim in the ``study_yaml`` attribute (the
        validated configuration actually run goes in ``study_resolved``, see
        :func:`gridtwin.study.run_study`).
    attrs : dict, optional
        Further global attributes (weather provenance, timings); values that are not
        str/int/float are stored as JSON text.

    Returns
    -------
    xarray.Dataset
        The schema described in the module docstring, every variable with ``units`` and
        ``long_name``.
    """
    gens = [g.name for g in problem.generators]
    stores = [s.name for s in problem.storage]
    techs = gens + stores
    n_t = len(problem.snapshots)
    cf = np.ones((n_t, len(techs)))
    p = np.zeros((n_t, len(techs)))
    for i, g in enumerate(problem.generators):
        cf[:, i] = g.capacity_factor
        p[:, i] = solution.p[g.name]
    for j, s in enumerate(stores, start=len(gens)):
        p[:, j] = solution.discharge[s] - solution.charge[s]

    years = problem.horizon_years  # the problem's capital costs are for its horizon
    capital = [g.capital_cost / years for g in problem.generators]
    capital += [s.capital_cost_power / years for s in problem.storage]
    marginal = [g.marginal_cost for g in problem.generators] + [0.0] * len(stores)
    clean = [int(g.clean) for g in problem.generators] + [1] * len(stores)
    co2 = [g.co2_intensity for g in problem.generators] + [0.0] * len(stores)
    flex = problem.flex
    shift = solution.load_shift if solution.load_shift.size else np.zeros(n_t)
    curtailed = solution.load_curtailment if solution.load_curtailment.size else np.zeros(n_t)
    ts = (TIME,)
    ds = xr.Dataset(
        {
            "load": (ts, problem.load),
            "it_load": (ts, campus["it_load"].to_numpy()),
            "pue": (ts, campus["pue"].to_numpy()),
            "temp_wetbulb": (ts, campus["temp_wetbulb"].to_numpy()),
            **{
                name: (ts, campus[name].to_numpy())
                for name in ("it_load_training", "capacity_online", "economiser_fraction")
                if name in campus
            },
            "capacity_factor": ((TIME, TECHNOLOGY), cf),
            "p": ((TIME, TECHNOLOGY), p),
            "p_nom_opt": ((TECHNOLOGY,), [solution.p_nom[t] for t in techs]),
            "p_nom_discharge_opt": (
                (STORAGE,),
                [solution.p_nom_discharge.get(s, solution.p_nom[s]) for s in stores],
            ),
            "capital_cost_discharge": (
                (STORAGE,),
                [(s.capital_cost_discharge or 0.0) / years for s in problem.storage],
            ),
            "snapshot_weight": (ts, problem.snapshot_weights),
            "demand_charge": ((), problem.poi.demand_charge),
            "billing_utc_offset": ((), problem.poi.utc_offset_h),
            "e_nom_opt": ((STORAGE,), [solution.e_nom[s] for s in stores]),
            "state_of_charge": (
                (TIME, STORAGE),
                np.column_stack([solution.state_of_charge[s] for s in stores])
                if stores
                else np.zeros((n_t, 0)),
            ),
            "storage_charge": ((TIME, STORAGE), _stack(solution.charge, stores, n_t)),
            "storage_discharge": ((TIME, STORAGE), _stack(solution.discharge, stores, n_t)),
            "grid_import": (ts, solution.grid_import),
            "grid_export": (ts, solution.grid_export),
            "grid_cfe_share": (ts, problem.poi.grid_cfe_share),
            "grid_co2_intensity": (ts, problem.poi.co2_intensity(n_t)),
            "grid_price": (ts, problem.poi.import_price),
            "grid_export_price": (ts, problem.poi.export_price),
            "capital_cost": ((TECHNOLOGY,), capital),
            "marginal_cost": ((TECHNOLOGY,), marginal),
            "capital_cost_energy": (
                (STORAGE,),
                [s.capital_cost_energy / years for s in problem.storage],
            ),
            "horizon_years": ((), years),
            "efficiency_roundtrip": (
                (STORAGE,),
                [s.efficiency_charge * s.efficiency_discharge for s in problem.storage],
            ),
            "efficiency_charge": ((STORAGE,), [s.efficiency_charge for s in problem.storage]),
            "efficiency_discharge": (
                (STORAGE,),
                [s.efficiency_discharge for s in problem.storage],
            ),
            "is_clean": ((TECHNOLOGY,), clean),
            "co2_intensity": ((TECHNOLOGY,), co2),
            "is_offsite": (
                (TECHNOLOGY,),
                [int(g.offsite) for g in problem.generators] + [0] * len(stores),
            ),
            "land_use": (
                (TECHNOLOGY,),
                [0.0 if g.offsite else g.land_use for g in problem.generators]
                + [s.land_use for s in problem.storage],
            ),
            "offsite_delivered": (ts, _or_zeros(solution.offsite_delivered, n_t)),
            "offsite_sold": (ts, _or_zeros(solution.offsite_sold, n_t)),
            "load_shift": (ts, shift),
            "load_curtailment": (ts, curtailed),
            "load_served": (ts, problem.load + shift - curtailed),
            "shift_cost": ((), flex.shift_cost if flex else 0.0),
            "curtail_cost": ((), flex.curtail_cost if flex else 0.0),
            "poi_p_nom": ((), problem.poi.p_nom),
            "cfe_target": ((), problem.cfe_target),
            "matching_is_hourly": ((), int(problem.matching == "hourly")),
            "tie_break_cost": ((), problem.tie_break_cost),
        },
        coords={
            TIME: problem.snapshots.to_numpy(dtype="datetime64[ns]"),
            TECHNOLOGY: np.array(techs, dtype=object),
            STORAGE: np.array(stores, dtype=object),
        },
    )
    variable = [i for i, g in enumerate(problem.generators) if g.clean]
    ds["curtailment"] = (
        ts,
        (cf[:, variable] * ds["p_nom_opt"].values[variable] - p[:, variable]).sum(axis=1),
    )
    w = ds["snapshot_weight"]
    on_site = float((w * ds["co2_intensity"] * ds["p"].clip(min=0)).sum())
    imported = float((w * ds["grid_co2_intensity"] * market_import(ds)).sum())
    ds["co2_emissions"] = ((), (on_site + imported) / years)  # per year, like the costs
    ds["cfe_score"] = ((), cfe_score(ds))
    groups = problem.cfe_groups()
    if groups.max() > 0:  # stacked years: each year meets the target on its own
        years_of = np.array(
            [problem.snapshots[groups == g][0].year for g in range(groups.max() + 1)]
        )
        scores = [
            cfe_score(ds.isel({TIME: np.flatnonzero(groups == g)})) for g in range(len(years_of))
        ]
        ds["cfe_score_by_year"] = (("year",), scores)
        ds = ds.assign_coords(year=years_of)
    ds["annual_matching_score"] = ((), annual_matching_score(ds))
    ds["land_used"] = ((), land_used(ds))
    if problem.land_area is not None:
        ds["land_area"] = ((), problem.land_area)
    if problem.network is not None:
        ds = add_network(ds, problem, solution)
    ds["system_cost"] = ((), system_cost(ds))
    served_per_year = float((w * ds["load_served"]).sum()) / years
    ds["lcoe"] = ((), float(ds["system_cost"]) / served_per_year)
    ds[TIME].attrs.update(standard_name="time", long_name="start of the hourly interval (UTC)")
    ds[TECHNOLOGY].attrs["long_name"] = "supply technology"
    ds[STORAGE].attrs["long_name"] = "storage technology"
    year = (attrs or {}).get("currency_year")
    annotate(ds, currency=problem.currency, currency_year=int(year) if year is not None else None)

    ds.attrs.update(
        {
            **provenance_attrs(title or "gridtwin 24/7 CFE sizing result"),
            "references": (
                "Hourly CFE matching: Xu, Q., Ricks, W., Manocha, A., Patankar, N., Jenkins, J. D. "
                "(2021), System-level impacts of 24/7 carbon-free electricity procurement, "
                "doi:10.5281/zenodo.5874413. PUE model: Lei, N., Masanet, E. (2020), "
                "Energy 201, 117556, doi:10.1016/j.energy.2020.117556."
            ),
            "currency": problem.currency,
            "objective": solution.objective,
            # shadow price of the CFE constraint [currency per MWh of clean supply]
            "cfe_price": solution.cfe_price,
            "solver": json.dumps(solution.solver, default=str),
            "study_yaml": study_text,
        }
    )
    for key, value in campus.attrs.items():
        ds.attrs[f"campus_{key}"] = _attr(value)
    for key, value in (attrs or {}).items():
        ds.attrs[key] = _attr(value)
    return ds


def add_network(ds: xr.Dataset, problem: SystemProblem, solution: Solution) -> xr.Dataset:
    """The site network's part of a result: dimension ``branch``, ratings before and after
    upgrades, flows, upgrade costs, the bus of every technology and ``network_cost``."""
    net = problem.network
    assert net is not None
    names = [b.name for b in net.branches]
    years = problem.horizon_years
    s_nom = np.array([b.s_nom for b in net.branches])
    s_nom_opt = np.array([solution.s_nom.get(b.name, b.s_nom) for b in net.branches])
    n_t = len(problem.snapshots)
    flows = np.column_stack([solution.branch_flow[b] for b in names]) if names else None
    out = ds.assign_coords({BRANCH: np.array(names, dtype=object)})
    out["branch_bus0"] = ((BRANCH,), np.array([b.bus0 for b in net.branches], dtype=object))
    out["branch_bus1"] = ((BRANCH,), np.array([b.bus1 for b in net.branches], dtype=object))
    out["branch_kind"] = ((BRANCH,), np.array([b.kind for b in net.branches], dtype=object))
    out["branch_length"] = ((BRANCH,), [b.length_km for b in net.branches])
    out["branch_x"] = ((BRANCH,), [b.x for b in net.branches])
    out["s_nom"] = ((BRANCH,), s_nom)
    out["s_nom_opt"] = ((BRANCH,), s_nom_opt)
    out["s_max_pu"] = ((BRANCH,), [b.s_max_pu for b in net.branches])
    out["branch_flow_max"] = ((BRANCH,), [b.flow_max for b in net.branches])
    out["branch_extendable"] = ((BRANCH,), [int(b.extendable) for b in net.branches])
    out["branch_capital_cost"] = ((BRANCH,), [b.capital_cost / years for b in net.branches])
    out["branch_flow"] = ((TIME, BRANCH), flows if flows is not None else np.zeros((n_t, 0)))
    techs = [str(t) for t in ds[TECHNOLOGY].values]
    offsite = {g.name for g in problem.offsite}
    buses = ["" if t in offsite else net.bus_of(t) for t in techs]  # contracts: no bus
    out["technology_bus"] = ((TECHNOLOGY,), np.array(buses, dtype=object))
    out["branch_utilisation"] = ((BRANCH,), _utilisation(net, flows, s_nom_opt, n_t))
    out["network_cost"] = ((), network_cost(out))
    out.attrs.update(
        network_name=net.name,
        network_load_bus=net.load_bus,
        network_grid_bus=net.grid_bus,
        network_n1=int(net.n1),
        network_islanding_outages=json.dumps(list(net.contingencies().islanding)),
        network_new_buses=json.dumps(net.new_buses),
    )
    return out


def _utilisation(
    net: NetworkSpec, flows: np.ndarray | None, s_nom_opt: np.ndarray, n_t: int
) -> np.ndarray:
    """Largest LP flow of each branch, intact and after each N-1 outage the LP secures
    (``|f_l + BODF_lk f_k|``), over its usable rating ``s_max_pu x s_nom_opt`` [-]."""
    if flows is None:
        return np.zeros(0)
    worst = np.abs(flows).max(axis=0) if n_t else np.zeros(flows.shape[1])
    if net.n1:
        pairs = net.contingencies()
        for ell, k, factor in zip(pairs.monitored, pairs.outage, pairs.bodf, strict=True):
            after = np.abs(flows[:, ell] + factor * flows[:, k]).max() if n_t else 0.0
            worst[ell] = max(worst[ell], after)
    usable = np.array([b.s_max_pu for b in net.branches]) * s_nom_opt
    return np.divide(worst, usable, out=np.zeros_like(worst), where=usable > 0)


def network_cost(ds: xr.Dataset) -> float:
    """Annualised cost of the branch upgrades [currency a-1]:
    ``sum_branch branch_capital_cost x (s_nom_opt - s_nom)`` (0 without a site network)."""
    if "s_nom_opt" not in ds:
        return 0.0
    added = (ds["s_nom_opt"] - ds["s_nom"]).clip(min=0.0)
    return float((ds["branch_capital_cost"] * added).sum())


def _or_zeros(values: np.ndarray, n_t: int) -> np.ndarray:
    return values if np.size(values) == n_t else np.zeros(n_t)


def _offsite_mask(ds: xr.Dataset) -> xr.DataArray:
    """1 for offsite contracts, 0 for on-site technologies (all 0 in older files)."""
    if "is_offsite" in ds:
        return ds["is_offsite"]
    return xr.zeros_like(ds["p_nom_opt"], dtype=int)


def onsite_technologies(ds: xr.Dataset) -> list[str]:
    """Technologies of a result that sit on the site (every one but the offsite contracts)."""
    mask = _offsite_mask(ds).values
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
    return float((ds["land_use"] * ds["p_nom_opt"] * (1 - _offsite_mask(ds))).sum())


def _stack(series: dict[str, np.ndarray], names: list[str], n_t: int) -> np.ndarray:
    if not names:
        return np.zeros((n_t, 0))
    return np.column_stack([series[s] for s in names])


def _attr(value: Any) -> str | int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str | int | float | np.integer | np.floating):
        return value  # type: ignore[return-value]
    return json.dumps(value, default=str)


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


def _clean_supply(ds: xr.Dataset, matching: Literal["hourly", "annual"]) -> xr.DataArray:
    """Hourly clean supply of a result [MW] (:func:`gridtwin.metrics.clean_supply`); storage
    counts through ``p`` (discharge less charge) and ``is_clean``."""
    offsite = _offsite_mask(ds)
    return clean_supply(
        onsite_clean=(ds["is_clean"] * (1 - offsite) * ds["p"]).sum(TECHNOLOGY),
        market_import=market_import(ds),
        grid_cfe_share=ds["grid_cfe_share"],
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


def system_cost(ds: xr.Dataset) -> float:
    """Annualised system cost recomputed from capacities and dispatch [currency a-1].

    ``capex + (operating + grid) / H`` with

    * ``capex = sum(capital_cost * p_nom_opt) + sum(capital_cost_energy * e_nom_opt)
      + sum(capital_cost_discharge * p_nom_discharge_opt)`` (per year) plus the site
      network's upgrades (:func:`network_cost`);
    * operating cost over the horizon ``sum_t w_t [sum_gen marginal_cost * p
      + tie_break_cost * (sum_storage discharge + export) + shift_cost * max(load_shift, 0)
      + curtail_cost * load_curtailment]``;
    * grid cost ``sum_t w_t [max(price_t, 0) market_t + min(price_t, 0) min(market_t,
      load_served_t) - export_price_t (export_t + sold_t)]`` with ``market = import -
      delivered`` (offsite deliveries are paid for by the contracts' capital cost; a negative
      price is earned on the load served only) plus ``demand_charge * sum_month share_month *
      max_(t in month) import_t`` (physical import) and ``tie_break_cost`` on the offsite
      output sold;

    ``w_t`` the snapshot weight [h] and ``H = horizon_years`` (1 for one weather year; the
    solver's objective is the cost of the horizon, ``system_cost * H``).

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset.

    Returns
    -------
    float
    """
    w = weights(ds)
    capex = float((ds["capital_cost"] * ds["p_nom_opt"]).sum())
    capex += float((ds["capital_cost_energy"] * ds["e_nom_opt"]).sum())
    if "capital_cost_discharge" in ds:
        capex += float((ds["capital_cost_discharge"] * ds["p_nom_discharge_opt"]).sum())
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
    opex = operating_cost(
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
    return capex + network_cost(ds) + opex / float(ds["horizon_years"])


def energy_balance_residual(ds: xr.Dataset) -> xr.DataArray:
    """Supply minus load of the site for every hour [MW] (zero for a correct result): on-site
    output plus the physical POI exchange (offsite deliveries arrive in the import)."""
    onsite = (ds["p"] * (1 - _offsite_mask(ds))).sum(TECHNOLOGY)
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


def write_results(ds: xr.Dataset, path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Write a result dataset to netCDF atomically (see :func:`gridtwin.io.write_netcdf`).

    An existing file is replaced only if it is a gridtwin result, and never if it is one of
    ``inputs`` (the study's weather and series files).
    """
    return write_netcdf(ds, path, inputs=inputs, kind="result")


def open_results(path: str | Path) -> xr.Dataset:
    """Open a result file fully into memory.

    Raises
    ------
    DataError
        If the file is missing or is not a gridtwin result.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: result file not found")
    try:
        with xr.open_dataset(p, engine="netcdf4") as ds:
            out = ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{p}: not a readable netCDF file ({exc})") from None
    if "p_nom_opt" not in out or "cfe_score" not in out:
        raise DataError(f"{p}: not a gridtwin result (no p_nom_opt / cfe_score variables)")
    return out
