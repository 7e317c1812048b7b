"""The result dataset of a solved problem: its schema, built from the problem and solution.

A result is one :class:`xarray.Dataset` (dims ``time``, ``technology``, ``storage``) holding the
inputs that shaped the answer (load, capacity factors, prices, costs), the solution (capacities,
dispatch, state of charge, POI exchange) and scalars recomputed from the dispatch
(``cfe_score``, ``system_cost``, ``lcoe``), never copied from the solver. Global attributes
carry the CF conventions, provenance and the study YAML text so a partner can rebuild the
problem from the file alone.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from gridtwin.conventions import (
    BRANCH,
    MATCHING_REGIME,
    STORAGE,
    TECHNOLOGY,
    TIME,
    annotate,
    provenance_attrs,
)
from gridtwin.kpis.eu import add_eu_kpis
from gridtwin.kpis.matching import REGIMES
from gridtwin.kpis.stress import add_heatwave
from gridtwin.network.spec import NetworkSpec
from gridtwin.optimize.problem import Solution, StorageSpec, SystemProblem
from gridtwin.results.heat import heat_variables
from gridtwin.results.outage import outage_variables, with_outage_coords
from gridtwin.results.recompute import (
    add_cost_breakdown,
    add_curtailment,
    annual_matching_score,
    cfe_score,
    land_used,
    market_import,
    network_cost,
    system_cost,
)
from gridtwin.results.scores import matching_scores


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
    ds = xr.Dataset(
        {
            **_campus_vars(problem, campus),
            **_technology_vars(problem, solution),
            **_storage_vars(problem, solution),
            **_poi_vars(problem, solution),
            **_demand_vars(problem, solution),
            **heat_variables(problem, solution, campus, _campus_served(problem, solution)),
            **outage_variables(problem, solution),
        },
        coords={
            TIME: problem.snapshots.to_numpy(dtype="datetime64[ns]"),
            TECHNOLOGY: np.array(problem.technologies, dtype=object),
            STORAGE: np.array([s.name for s in problem.storage], dtype=object),
        },
    )
    ds = _recomputed(with_outage_coords(ds), problem, solution)
    ds[TIME].attrs.update(standard_name="time", long_name="start of the hourly interval (UTC)")
    ds[TECHNOLOGY].attrs["long_name"] = "supply technology"
    ds[STORAGE].attrs["long_name"] = "storage technology"
    year = (attrs or {}).get("currency_year")
    annotate(ds, currency=problem.currency, currency_year=int(year) if year is not None else None)
    ds["matching_target"].attrs.update(
        flag_values=np.arange(len(REGIMES), dtype=np.int64), flag_meanings=" ".join(REGIMES)
    )
    ds.attrs.update(_global_attrs(problem, solution, title, study_text))
    for key, value in campus.attrs.items():
        ds.attrs[f"campus_{key}"] = _attr(value)
    for key, value in (attrs or {}).items():
        ds.attrs[key] = _attr(value)
    return ds


Variables = dict[str, tuple[tuple[str, ...], Any]]
"""Data variables as ``name -> (dims, values)``."""


def _campus_vars(problem: SystemProblem, campus: xr.Dataset) -> Variables:
    """The load [MW] and the campus variables it came from (IT load, PUE, wet bulb)."""
    ts = (TIME,)
    optional = (
        "it_load_training",
        "capacity_online",
        "economiser_fraction",
        "cooling_load",
        "heat_load",
        "heat_recoverable",
        "water_withdrawal",
        "water_consumption",
        "temp_air",
    )
    return {
        "load": (ts, problem.load),
        "it_load": (ts, campus["it_load"].to_numpy()),
        "pue": (ts, campus["pue"].to_numpy()),
        "temp_wetbulb": (ts, campus["temp_wetbulb"].to_numpy()),
        **{name: (ts, campus[name].to_numpy()) for name in optional if name in campus},
        "snapshot_weight": (ts, problem.snapshot_weights),
        "horizon_years": ((), problem.horizon_years),
    }


def _technology_vars(problem: SystemProblem, solution: Solution) -> Variables:
    """Per technology: availability, output (storage: discharge less charge), capacity and
    costs per year (the problem's capital costs are for its horizon)."""
    gens, stores = problem.generators, problem.storage
    n_t, years = len(problem.snapshots), problem.horizon_years
    cf = np.ones((n_t, len(gens) + len(stores)))
    p = np.zeros_like(cf)
    for i, g in enumerate(gens):
        cf[:, i], p[:, i] = g.capacity_factor, solution.p[g.name]
    for j, st in enumerate(stores, start=len(gens)):
        p[:, j] = solution.discharge[st.name] - solution.charge[st.name]
    both = (TIME, TECHNOLOGY)
    tech = (TECHNOLOGY,)
    return {
        "capacity_factor": (both, cf),
        "p": (both, p),
        "p_nom_opt": (tech, [solution.p_nom[t] for t in problem.technologies]),
        "capital_cost": (tech, [g.capital_cost / years for g in gens]
                         + [st.capital_cost_power / years for st in stores]),
        "fixed_om_cost": (tech, [g.fixed_om_cost / years for g in gens]
                          + [st.fixed_om_cost_power / years for st in stores]),
        "marginal_cost": (tech, [g.marginal_cost for g in gens] + [0.0] * len(stores)),
        "is_clean": (tech, [int(g.clean) for g in gens] + [1] * len(stores)),
        "is_renewable": (tech, [int(g.renewable) for g in gens] + [0] * len(stores)),
        "co2_intensity": (tech, [g.co2_intensity for g in gens] + [0.0] * len(stores)),
        "is_offsite": (tech, [int(g.offsite) for g in gens] + [0] * len(stores)),
        "land_use": (tech, [0.0 if g.offsite else g.land_use for g in gens]
                     + [st.land_use for st in stores]),
    }  # fmt: skip


def _storage_vars(problem: SystemProblem, solution: Solution) -> Variables:
    """Per storage: ratings, energy, efficiencies, costs per year and the hourly charge,
    discharge and state of charge."""
    stores, years = problem.storage, problem.horizon_years
    names = [st.name for st in stores]
    n_t = len(problem.snapshots)
    one, both = (STORAGE,), (TIME, STORAGE)
    return {
        "p_nom_discharge_opt": (one, [solution.p_nom_discharge.get(n, solution.p_nom[n])
                                      for n in names]),
        "capital_cost_discharge": (one, [(st.capital_cost_discharge or 0.0) / years
                                         for st in stores]),
        "e_nom_opt": (one, [solution.e_nom[n] for n in names]),
        "state_of_charge": (both, _stack(solution.state_of_charge, names, n_t)),
        "storage_charge": (both, _stack(solution.charge, names, n_t)),
        "storage_discharge": (both, _stack(solution.discharge, names, n_t)),
        "capital_cost_energy": (one, [st.capital_cost_energy / years for st in stores]),
        "fixed_om_cost_energy": (one, [st.fixed_om_cost_energy / years for st in stores]),
        "fixed_om_cost_discharge": (one, [st.fixed_om_cost_discharge / years for st in stores]),
        "efficiency_roundtrip": (one, [st.efficiency_charge * st.efficiency_discharge
                                       for st in stores]),
        "efficiency_charge": (one, [st.efficiency_charge for st in stores]),
        "efficiency_discharge": (one, [st.efficiency_discharge for st in stores]),
        "discharge_duration": (one, [_duration(st, solution) for st in stores]),
    }  # fmt: skip


def _duration(storage: StorageSpec, solution: Solution) -> float:
    """Hours the full store runs at rated AC discharge power [h]; 0 without discharge power."""
    p_out = solution.p_nom_discharge.get(storage.name, solution.p_nom[storage.name])
    if p_out <= 1e-9:
        return 0.0
    return float(solution.e_nom[storage.name] * storage.efficiency_discharge / p_out)


def _poi_vars(problem: SystemProblem, solution: Solution) -> Variables:
    """The POI exchange [MW], the grid's series and tariff, offsite deliveries and sales."""
    poi, ts = problem.poi, (TIME,)
    n_t = len(problem.snapshots)
    return {
        "demand_charge": ((), poi.demand_charge),
        "billing_utc_offset": ((), poi.utc_offset_h),
        "grid_import": (ts, solution.grid_import),
        "grid_export": (ts, solution.grid_export),
        "grid_cfe_share": (ts, poi.grid_cfe_share),
        "grid_co2_intensity": (ts, poi.co2_intensity(n_t)),
        "grid_price": (ts, poi.import_price),
        "grid_export_price": (ts, poi.export_price),
        "offsite_delivered": (ts, _or_zeros(solution.offsite_delivered, n_t)),
        "offsite_sold": (ts, _or_zeros(solution.offsite_sold, n_t)),
        **(
            {
                "certificates": (ts, _or_zeros(solution.certificates, n_t)),
                "certificate_price": ((), problem.certificate_price),
            }
            if problem.certificate_price is not None
            else {}
        ),
        "poi_p_nom": ((), poi.p_nom),
    }


def _campus_served(problem: SystemProblem, solution: Solution) -> np.ndarray:
    """Campus load after shifting and curtailment [MW]."""
    n_t = len(problem.snapshots)
    shift = _or_zeros(solution.load_shift, n_t)
    return problem.load + shift - _or_zeros(solution.load_curtailment, n_t)


def _demand_vars(problem: SystemProblem, solution: Solution) -> Variables:
    """Load shift and curtailment [MW], the load served at the site bus (the campus's, plus
    the heat side's net consumption), flexibility costs and the policy."""
    n_t, ts, flex = len(problem.snapshots), (TIME,), problem.flex
    shift = _or_zeros(solution.load_shift, n_t)
    curtailed = _or_zeros(solution.load_curtailment, n_t)
    served = _campus_served(problem, solution)
    if solution.heat:
        served = served + solution.heat["heat_pump_power"] - solution.heat["rejection_saving"]
    return {
        "load_shift": (ts, shift),
        "load_curtailment": (ts, curtailed),
        "load_served": (ts, served),
        "shift_cost": ((), flex.shift_cost if flex else 0.0),
        "curtail_cost": ((), flex.curtail_cost if flex else 0.0),
        "cfe_target": ((), problem.cfe_target),
        "matching_target": ((), REGIMES.index(problem.matching)),
        "low_price_threshold": (
            (),
            np.nan if problem.low_price_threshold is None else problem.low_price_threshold,
        ),
        "tie_break_cost": ((), problem.tie_break_cost),
    }


def _recomputed(ds: xr.Dataset, problem: SystemProblem, solution: Solution) -> xr.Dataset:
    """Curtailment, emissions, CFE scores, land, the network, system cost, its breakdown and
    LCOE, recomputed from the dataset's own variables (:mod:`gridtwin.results.recompute`)."""
    ds = add_curtailment(ds)
    w, years = ds["snapshot_weight"], problem.horizon_years
    on_site = float((w * ds["co2_intensity"] * ds["p"].clip(min=0)).sum())
    imported = float((w * ds["grid_co2_intensity"] * market_import(ds)).sum())
    ds["co2_emissions"] = ((), (on_site + imported) / years)  # per year, like the costs
    ds["cfe_score"] = ((), cfe_score(ds))
    groups = problem.cfe_groups()
    if groups.max() > 0:  # stacked years: each year meets the target on its own
        first = problem.period_labels()
        scores = [
            cfe_score(ds.isel({TIME: np.flatnonzero(groups == g)})) for g in range(len(first))
        ]
        ds["cfe_score_by_year"] = (("year",), scores)
        ds = ds.assign_coords(year=np.array(first))
    ds["annual_matching_score"] = ((), annual_matching_score(ds))
    by_regime = matching_scores(ds)
    ds["matching_score"] = ((MATCHING_REGIME,), [by_regime[r] for r in REGIMES])
    ds = ds.assign_coords({MATCHING_REGIME: list(REGIMES)})
    ds = add_eu_kpis(ds)
    ds = add_heatwave(ds)
    ds["land_used"] = ((), land_used(ds))
    if problem.land_area is not None:
        ds["land_area"] = ((), problem.land_area)
    if problem.network is not None:
        ds = add_network(ds, problem, solution)
    ds = add_cost_breakdown(ds)
    ds["system_cost"] = ((), system_cost(ds))
    campus = ds["campus_load_served"] if "campus_load_served" in ds else ds["load_served"]
    served_per_year = float((w * campus).sum()) / years  # per MWh of the campus's own load
    ds["lcoe"] = ((), float(ds["system_cost"]) / served_per_year)
    return ds


def _global_attrs(
    problem: SystemProblem, solution: Solution, title: str, study_text: str
) -> dict[str, Any]:
    """Provenance, references, the objective and CFE price the solver reported, the solver
    report and the study text."""
    return {
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


def _or_zeros(values: np.ndarray, n_t: int) -> np.ndarray:
    return values if np.size(values) == n_t else np.zeros(n_t)


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


__all__ = ["add_network", "build_results"]
