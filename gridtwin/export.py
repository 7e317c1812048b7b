"""The solved system of a gridtwin result as a PyPSA network (``gridtwin export``).

:func:`to_pypsa` rebuilds, from the result file alone, the network gridtwin optimises (the
layout of :func:`gridtwin.optimize.pypsa_backend.build_network`) with the optimal capacities
fixed and the optimal dispatch filled in, so a partner can open it with ``pypsa.Network(path)``
and use PyPSA's own tools (``n.statistics``, plotting):

* bus ``site`` with the load ``site`` (campus load before flexibility, ``load``);
* one generator per supply technology: ``p_nom = p_nom_opt``, ``p_max_pu = capacity_factor``,
  capital and marginal cost; its carrier's ``co2_emissions`` is the technology's CO2 intensity
  (generators have efficiency 1, so t per MWh of output);
* per storage a bus and a store (``e_nom = e_nom_opt``, cyclic) with ``<name> charger`` and
  ``<name> discharger`` links carrying the charge and discharge efficiencies;
* ``poi_import`` / ``poi_export`` generators for the grid connection (limit ``poi_p_nom``,
  import price, export price);
* if the campus shifted or curtailed load: ``flex_defer`` (load moved away, >= 0),
  ``flex_recover`` (load moved in, <= 0) and ``flex_curtail`` generators.

A result sized with its site network (:mod:`gridtwin.network`) keeps that layout instead of the
one bus: the network's buses (``v_nom`` 1, as the optimiser builds them: reactances are per
unit, so ``n.pf()`` on it is not an AC study of the real voltages), its branches as ``Line`` s
(``x`` = ``branch_x`` / 100, ``s_nom`` = ``s_nom_opt``, ``s_nom_min`` = the rating before
upgrades, ``length`` [km], ``lines_t.p0`` = the result's flows), every technology at its
bus, the load and flexibility at the load bus, the POI at the grid bus; offsite contracts sit
at a bus ``offsite_zone`` whose ``offsite_delivery`` link feeds the grid bus (the deliveries in
the import) and whose ``offsite_sale`` generator (negative output) is what was sold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import BRANCH, STORAGE, TECHNOLOGY, TIME
from gridtwin.exceptions import DataError
from gridtwin.results import market_import, onsite_technologies, weights

if TYPE_CHECKING:
    import pypsa

SITE = "site"
OFFSITE_BUS = "offsite_zone"
_NEEDED = ("p", "p_nom_opt", "capacity_factor", "e_nom_opt", "state_of_charge", "load")


def to_pypsa(ds: xr.Dataset) -> pypsa.Network:
    """The solved system of a single-run result as a PyPSA network (see the module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run result (:func:`gridtwin.open_results`); for a sweep select one scenario.

    Returns
    -------
    pypsa.Network
        Snapshots = ``time`` (UTC, hour start) with ``snapshot_weight`` as weightings.

    Raises
    ------
    DataError
        A sweep result or a file without the result variables.
    """
    import pypsa

    _check_exportable(ds)
    snapshots = pd.DatetimeIndex(ds[TIME].values, name="snapshot")
    years = float(ds["horizon_years"]) if "horizon_years" in ds else 1.0
    techs = [str(t) for t in ds[TECHNOLOGY].values]
    stores = [str(s) for s in ds[STORAGE].values]
    n = pypsa.Network()
    n.name = str(ds.attrs.get("study_name") or ds.attrs.get("title") or "gridtwin")
    n.set_snapshots(snapshots)
    n.snapshot_weightings.loc[:, :] = weights(ds).to_numpy()[:, None]
    co2 = ds["co2_intensity"] if "co2_intensity" in ds else xr.zeros_like(ds["p_nom_opt"])
    n.add("Carrier", ["AC", "grid", "flex"])
    for tech in techs:
        n.add("Carrier", tech, co2_emissions=float(co2.sel({TECHNOLOGY: tech})))
    bus = _add_buses(n, ds)
    load_bus = bus(None)
    n.add("Load", SITE, bus=load_bus, p_set=_series(ds["load"].to_numpy(), snapshots))
    dispatch = _add_generators(n, ds, [t for t in techs if t not in stores], bus, years)
    tie = float(ds["tie_break_cost"]) if "tie_break_cost" in ds else 0.0
    grid_bus = str(ds.attrs.get("network_grid_bus", SITE)) if "s_nom_opt" in ds else SITE
    _add_poi(n, ds, grid_bus, tie, dispatch)
    _add_flexibility(n, ds, dispatch, load_bus)
    links: dict[str, tuple[pd.Series, pd.Series]] = {}
    store_e: dict[str, pd.Series] = {}
    store_p: dict[str, pd.Series] = {}
    for name in stores:
        _add_storage(n, ds, name, years, tie, links, store_e, store_p, bus(name))
    if OFFSITE_BUS in n.buses.index:
        _add_offsite(n, ds, grid_bus, tie, dispatch, links)
    if "s_nom_opt" in ds:
        _add_branches(n, ds, years)
    _set_solution(n, ds, dispatch, links, store_e, store_p)
    n.meta = {
        "source": "gridtwin result",
        "study_name": str(ds.attrs.get("study_name", "")),
        "history": str(ds.attrs.get("history", "")),
        "currency": str(ds.attrs.get("currency", "")),
        "currency_year": str(ds.attrs.get("currency_year", "")),
        "cfe_target": float(ds["cfe_target"]) if "cfe_target" in ds else float("nan"),
        "cfe_score": float(ds["cfe_score"]) if "cfe_score" in ds else float("nan"),
        "note": "capacities and dispatch from gridtwin; the hourly CFE constraint and the "
        "flexibility window balance are not part of this network",
    }
    return n


def _check_exportable(ds: xr.Dataset) -> None:
    """Refuse a sweep result or a file without the result variables."""
    if "scenario" in ds.dims:
        first = str(ds["scenario"].values[0])
        raise DataError(
            f"export: a sweep result holds {ds.sizes['scenario']} systems; export one, e.g. "
            f"the file {first}.nc in the sweep's .scenarios folder"
        )
    missing = [v for v in _NEEDED if v not in ds]
    if missing:
        raise DataError(f"export: not a gridtwin result (no {', '.join(missing)})")


def _add_generators(
    n: pypsa.Network, ds: xr.Dataset, gens: list[str], bus: Callable[[str | None], str],
    years: float,
) -> dict[str, pd.Series]:  # fmt: skip
    """The generators at their optimal capacities; returns their dispatch [MW]."""
    p = ds["p"].transpose(TIME, TECHNOLOGY)
    dispatch: dict[str, pd.Series] = {}
    for tech in gens:
        sel = {TECHNOLOGY: tech}
        p_nom = max(float(ds["p_nom_opt"].sel(sel)), 0.0) + 0.0  # no -0.0
        n.add(
            "Generator", tech, bus=bus(tech), carrier=tech, p_nom=p_nom,
            p_max_pu=_series(ds["capacity_factor"].sel(sel).to_numpy(), n.snapshots),
            capital_cost=float(ds["capital_cost"].sel(sel)) * years,
            marginal_cost=float(ds["marginal_cost"].sel(sel)),
        )  # fmt: skip
        dispatch[tech] = _series(p.sel(sel).to_numpy(), n.snapshots)
    return dispatch


def _add_poi(
    n: pypsa.Network, ds: xr.Dataset, grid_bus: str, tie: float, dispatch: dict[str, pd.Series]
) -> None:
    """The POI as an import and an export generator at the grid bus, with their dispatch
    (import: the market part; offsite deliveries come through their own link)."""
    poi = float(ds["poi_p_nom"])
    n.add(
        "Generator", "poi_import", bus=grid_bus, carrier="grid", p_nom=poi,
        marginal_cost=_series(np.maximum(ds["grid_price"].to_numpy(), 0.0), n.snapshots),
    )  # fmt: skip
    n.add(
        "Generator", "poi_export", bus=grid_bus, carrier="grid", p_nom=poi, p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=_series(ds["grid_export_price"].to_numpy() - tie, n.snapshots),
    )  # fmt: skip
    dispatch["poi_import"] = _series(market_import(ds).to_numpy(), n.snapshots)
    dispatch["poi_export"] = _series(-ds["grid_export"].to_numpy(), n.snapshots)


def _set_solution(
    n: pypsa.Network,
    ds: xr.Dataset,
    dispatch: dict[str, pd.Series],
    links: dict[str, tuple[pd.Series, pd.Series]],
    store_e: dict[str, pd.Series],
    store_p: dict[str, pd.Series],
) -> None:
    """Optimal capacities and dispatch, as after ``n.optimize()``."""
    n.generators["p_nom_opt"] = n.generators["p_nom"]
    n.links["p_nom_opt"] = n.links["p_nom"]
    n.stores["e_nom_opt"] = n.stores["e_nom"]
    n.generators_t.p = pd.DataFrame(dispatch).reindex(columns=n.generators.index)
    n.loads_t.p = pd.DataFrame({SITE: n.loads_t.p_set[SITE]})
    if "s_nom_opt" in ds:
        n.lines["s_nom_opt"] = n.lines["s_nom"]
        flows = ds["branch_flow"].transpose(TIME, BRANCH).to_numpy()
        n.lines_t.p0 = pd.DataFrame(flows, index=n.snapshots, columns=n.lines.index)
        n.lines_t.p1 = -n.lines_t.p0
    if links:
        n.links_t.p0 = pd.DataFrame({k: v[0] for k, v in links.items()})
        n.links_t.p1 = pd.DataFrame({k: v[1] for k, v in links.items()})
    if store_e:
        n.stores_t.e = pd.DataFrame(store_e)
        n.stores_t.p = pd.DataFrame(store_p)


def _series(values: np.ndarray, snapshots: pd.DatetimeIndex) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=snapshots)


def _add_buses(n: pypsa.Network, ds: xr.Dataset) -> Callable[[str | None], str]:
    """Buses of the result (one ``site`` bus, or the site network's and ``offsite_zone``);
    returns the bus of a technology (``None``: of the load)."""
    offsite = set(map(str, ds[TECHNOLOGY].values)) - set(onsite_technologies(ds))
    placed = {}
    if "s_nom_opt" in ds:
        names = set(ds["branch_bus0"].values) | set(ds["branch_bus1"].values)
        names |= {str(b) for b in ds["technology_bus"].values if str(b)}
        names |= {str(ds.attrs["network_load_bus"]), str(ds.attrs["network_grid_bus"])}
        n.add("Bus", sorted(str(b) for b in names), carrier="AC", v_nom=1.0)
        buses = ds["technology_bus"].values
        placed = {str(t): str(b) for t, b in zip(ds[TECHNOLOGY].values, buses, strict=True)}
        load_bus = str(ds.attrs["network_load_bus"])
    else:
        n.add("Bus", SITE, carrier="AC")
        load_bus = SITE
    if offsite:
        n.add("Bus", OFFSITE_BUS, carrier="AC")

    def bus(tech: str | None) -> str:
        if tech is None:
            return load_bus
        if tech in offsite:
            return OFFSITE_BUS
        return placed.get(tech) or load_bus

    return bus


def _add_branches(n: pypsa.Network, ds: xr.Dataset, years: float) -> None:
    """The site network's branches as PyPSA lines at their ratings after upgrades."""
    for name in ds[BRANCH].values:
        b = ds.sel({BRANCH: name})
        n.add(
            "Line", str(name), bus0=str(b["branch_bus0"].item()),
            bus1=str(b["branch_bus1"].item()), x=float(b["branch_x"]) / 100.0,
            r=float(b["branch_x"]) / 1e4, s_nom=float(b["s_nom_opt"]),
            s_nom_min=float(b["s_nom"]), s_max_pu=float(b["s_max_pu"]),
            length=float(b["branch_length"]) if "branch_length" in b else 0.0,
            capital_cost=float(b["branch_capital_cost"]) * years,
        )  # fmt: skip


def _add_offsite(
    n: pypsa.Network,
    ds: xr.Dataset,
    grid_bus: str,
    tie: float,
    dispatch: dict[str, pd.Series],
    links: dict[str, tuple[pd.Series, pd.Series]],
) -> None:
    """Delivery of the offsite contracts to the grid bus and the sale of their excess."""
    delivered = ds["offsite_delivered"].to_numpy()
    sold = ds["offsite_sold"].to_numpy()
    n.add(
        "Link", "offsite_delivery", bus0=OFFSITE_BUS, bus1=grid_bus, carrier="grid",
        p_nom=float(ds["poi_p_nom"]),
    )  # fmt: skip
    limit = max(float(sold.max()) if sold.size else 0.0, 1e-9)
    n.add(
        "Generator", "offsite_sale", bus=OFFSITE_BUS, carrier="grid", p_nom=limit,
        p_min_pu=-1.0, p_max_pu=0.0,
        marginal_cost=_series(ds["grid_export_price"].to_numpy() - tie, n.snapshots),
    )  # fmt: skip
    dispatch["offsite_sale"] = _series(-sold, n.snapshots)
    links["offsite_delivery"] = (
        _series(delivered, n.snapshots),
        _series(-delivered, n.snapshots),
    )


def _add_flexibility(
    n: pypsa.Network, ds: xr.Dataset, dispatch: dict[str, pd.Series], bus: str = SITE
) -> None:
    if "load_shift" not in ds:
        return
    shift = ds["load_shift"].to_numpy()
    curtail = ds["load_curtailment"].to_numpy()
    if not (np.any(np.abs(shift) > 1e-9) or np.any(curtail > 1e-9)):
        return
    snapshots = n.snapshots
    defer, recover = np.maximum(-shift, 0.0), -np.maximum(shift, 0.0)
    shift_nom = max(float(np.abs(shift).max()), 1e-9)
    curtail_nom = max(float(curtail.max()), 1e-9)
    shift_cost = float(ds["shift_cost"]) if "shift_cost" in ds else 0.0
    curtail_cost = float(ds["curtail_cost"]) if "curtail_cost" in ds else 0.0
    n.add("Generator", "flex_defer", bus=bus, carrier="flex", p_nom=shift_nom)
    n.add(
        "Generator", "flex_recover", bus=bus, carrier="flex", p_nom=shift_nom, p_max_pu=0.0,
        p_min_pu=-1.0, marginal_cost=-shift_cost,
    )  # fmt: skip
    n.add(
        "Generator", "flex_curtail", bus=bus, carrier="flex", p_nom=curtail_nom,
        marginal_cost=curtail_cost,
    )  # fmt: skip
    dispatch["flex_defer"] = _series(defer, snapshots)
    dispatch["flex_recover"] = _series(recover, snapshots)
    dispatch["flex_curtail"] = _series(curtail, snapshots)


def _add_storage(
    n: pypsa.Network,
    ds: xr.Dataset,
    name: str,
    years: float,
    tie: float,
    links: dict[str, tuple[pd.Series, pd.Series]],
    store_e: dict[str, pd.Series],
    store_p: dict[str, pd.Series],
    bus: str = SITE,
) -> None:
    snapshots = n.snapshots
    sel = {STORAGE: name}
    if "efficiency_charge" in ds:
        eta_c = float(ds["efficiency_charge"].sel(sel))
        eta_d = float(ds["efficiency_discharge"].sel(sel))
    else:  # files written before the split efficiencies were stored
        eta_c = eta_d = float(np.sqrt(float(ds["efficiency_roundtrip"].sel(sel))))
    p_nom = max(float(ds["p_nom_opt"].sel({TECHNOLOGY: name})), 0.0)
    p_dis = (
        max(float(ds["p_nom_discharge_opt"].sel(sel)), 0.0)
        if "p_nom_discharge_opt" in ds
        else p_nom
    )
    cost_dis = (
        float(ds["capital_cost_discharge"].sel(sel)) if "capital_cost_discharge" in ds else 0.0
    )
    charge = ds["storage_charge"].sel(sel).to_numpy()
    discharge = ds["storage_discharge"].sel(sel).to_numpy()
    n.add("Bus", name, carrier=name)
    n.add(
        "Store", name, bus=name, carrier=name, e_nom=max(float(ds["e_nom_opt"].sel(sel)), 0.0),
        e_cyclic=True, capital_cost=float(ds["capital_cost_energy"].sel(sel)) * years,
    )  # fmt: skip
    n.add(
        "Link", f"{name} charger", bus0=bus, bus1=name, carrier=name, efficiency=eta_c,
        p_nom=p_nom, capital_cost=float(ds["capital_cost"].sel({TECHNOLOGY: name})) * years,
    )  # fmt: skip
    n.add(
        "Link", f"{name} discharger", bus0=name, bus1=bus, carrier=name, efficiency=eta_d,
        p_nom=p_dis / eta_d, capital_cost=cost_dis * years * eta_d, marginal_cost=tie * eta_d,
    )  # fmt: skip
    links[f"{name} charger"] = (_series(charge, snapshots), _series(-eta_c * charge, snapshots))
    links[f"{name} discharger"] = (
        _series(discharge / eta_d, snapshots),
        _series(-discharge, snapshots),
    )
    store_e[name] = _series(ds["state_of_charge"].sel(sel).to_numpy(), snapshots)
    store_p[name] = _series(discharge / eta_d - eta_c * charge, snapshots)


def write_pypsa(ds: xr.Dataset, path: str | Path, *, source: str | Path | None = None) -> Path:
    """Write :func:`to_pypsa` of ``ds`` to ``path`` (PyPSA netCDF) atomically.

    Raises
    ------
    DataError
        As :func:`to_pypsa`; or ``path`` is the ``source`` result, a gridtwin result or weather
        file, not a ``.nc`` name, or cannot be written.
    """
    from gridtwin.io import check_writable, write_atomic

    network = to_pypsa(ds)
    dest = check_writable(path, inputs=[source] if source else (), kind="other")
    return write_atomic(dest, network.export_to_netcdf)
