"""The result of a fleet study: every campus's result (as a single study writes it, on the
load it served after the moves) on a ``site`` dimension, with the moves.

Variables added to the campuses' own (``docs/fleet.md``):

* on the dimension ``transfer`` (``origin->destination``): ``transfer_origin``,
  ``transfer_destination``, ``transfer_cost`` [currency MWh-1], ``moved(transfer, time)``
  [MW of IT load] and ``moved_max(transfer, time)`` [MW of IT load];
* ``exchange(site, time)`` [MW]: site-bus load each campus moved away (negative: took in),
  ``spare_it(site, time)`` [MW]: the IT capacity it could take work into,
  ``movable_it(site, time)`` [MW]: the IT load it could move away over all its links;
* attributes ``fleet_objective`` [currency per horizon], ``fleet_cfe_target`` (``-1``: each
  campus its own), ``transfers_excluded`` (links above the latency limit), and the fleet's
  study ``fleet_study_yaml`` / ``fleet_study_resolved`` (each campus's own ``study_yaml`` is
  a JSON object by campus, its part of :func:`site_result`).

A campus's variables are ``NaN`` for technologies, storage and branches only another campus
has; :func:`site_result` gives one campus's result without them. Checks recomputed from the
file alone: :func:`fleet_residual` (each exchange against the moves at the campus's PUE, the
moves against their limits), :func:`fleet_cost` (against ``fleet_objective``) and
:func:`fleet_cfe_score`.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
import yaml

from gridtwin.config import Study, StudyConfig
from gridtwin.conventions import TIME, annotate
from gridtwin.optimize.fleet import FleetProblem, FleetSolution
from gridtwin.results import cfe_score, system_cost, weights
from gridtwin.results.join import join_along, part

SITE = "site"
TRANSFER = "transfer"


def join_sites(
    datasets: list[xr.Dataset],
    fleet: FleetProblem,
    solution: FleetSolution,
    cfg: StudyConfig,
    study: Study,
    excluded: list[str],
) -> xr.Dataset:
    """Join the campuses' results on ``site`` and add the moves (see the module)."""
    ds = join_along(datasets, SITE, list(fleet.sites))
    names = [t.name for t in fleet.transfers]
    zeros = np.zeros((0, ds.sizes[TIME]))
    ds = ds.assign_coords({TRANSFER: names})
    ds["transfer_origin"] = (TRANSFER, [t.source for t in fleet.transfers])
    ds["transfer_destination"] = (TRANSFER, [t.target for t in fleet.transfers])
    ds["transfer_cost"] = (TRANSFER, [float(t.cost) for t in fleet.transfers])
    moved = np.array([solution.moved[n] for n in names]) if names else zeros
    ds["moved"] = ((TRANSFER, TIME), moved)
    limit = np.array([np.asarray(t.p_max, dtype=float) for t in fleet.transfers])
    limit = limit if names else zeros
    ds["moved_max"] = ((TRANSFER, TIME), limit)
    ds["exchange"] = ((SITE, TIME), np.array(solution.exchange))
    ds["spare_it"] = ((SITE, TIME), np.array(fleet.spare))
    if fleet.movable is not None:
        ds["movable_it"] = ((SITE, TIME), np.array(fleet.movable))
    ds.attrs.update(
        fleet_objective=float(solution.objective),
        fleet_cfe_target=-1.0 if fleet.fleet_target is None else float(fleet.fleet_target),
        transfers_excluded=json.dumps(excluded),
        fleet_study_resolved=yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False),
        fleet_study_yaml=study.text,
        title=cfg.title or f"gridtwin fleet: {', '.join(fleet.sites)}",
        mode="fleet",
    )
    return annotate(ds, cfg.currency, cfg.currency_year)


def site_result(ds: xr.Dataset, site: str) -> xr.Dataset:
    """One campus's result of a fleet file, as a single study writes it (the moves dropped)."""
    keep = [v for v in ds.data_vars if TRANSFER not in ds[v].dims]
    return part(ds[keep].drop_dims(TRANSFER, errors="ignore"), SITE, site)


def fleet_residual(ds: xr.Dataset) -> dict[str, float]:
    """Largest violation of the fleet's rows, recomputed from the file [MW]: ``exchange``
    against ``pue x (moved out - moved in)``, ``moved`` beyond ``[0, moved_max]``, and the
    moves into a campus beyond its ``spare_it``."""
    out_minus_in = []
    into = []
    for site in ds[SITE].values:
        origin = (ds["transfer_origin"] == site).astype(float)
        dest = (ds["transfer_destination"] == site).astype(float)
        out_minus_in.append(((origin - dest) * ds["moved"]).sum(TRANSFER))
        into.append((dest * ds["moved"]).sum(TRANSFER))
    net = xr.concat(out_minus_in, dim=ds[SITE])
    taken = xr.concat(into, dim=ds[SITE])
    outs = []
    for site in ds[SITE].values:
        outs.append((((ds["transfer_origin"] == site).astype(float)) * ds["moved"]).sum(TRANSFER))
    left = xr.concat(outs, dim=ds[SITE])
    movable = 0.0
    if "movable_it" in ds:
        movable = max(0.0, float((left - ds["movable_it"]).max()))
    below = np.max(-ds["moved"].values, initial=0.0)
    above = np.max((ds["moved"] - ds["moved_max"]).values, initial=0.0)
    return {
        "exchange": float(np.abs(ds["exchange"] - ds["pue"] * net).max()),
        "moved_bounds": float(max(below, above)),
        "spare": float(max(0.0, float((taken - ds["spare_it"]).max()))),
        "movable": movable,
    }


def fleet_cost(ds: xr.Dataset) -> float:
    """The fleet's objective recomputed from the file [currency per horizon]: each campus's
    system cost (:func:`gridtwin.results.system_cost`, annual) times the horizon's years, plus
    ``transfer_cost`` times the IT energy moved."""
    years = float(ds["horizon_years"].max())
    sites = sum(system_cost(site_result(ds, str(s))) for s in ds[SITE].values) * years
    w = ds["snapshot_weight"].isel({SITE: 0})
    moving = float((ds["transfer_cost"] * (w * ds["moved"]).sum(TIME)).sum())
    return float(sites + moving)


def fleet_cfe_score(ds: xr.Dataset) -> float:
    """Hourly CFE score of the fleet [-]: the campuses' clean supply over their load served,
    both recomputed from the file (:func:`gridtwin.results.cfe_score` of each campus)."""
    clean = served = 0.0
    for site in ds[SITE].values:
        one = site_result(ds, str(site))
        load = float((weights(one) * one["load_served"]).sum())
        clean += cfe_score(one) * load
        served += load
    return clean / served if served > 0 else float("nan")


__all__ = [
    "SITE",
    "TRANSFER",
    "fleet_cfe_score",
    "fleet_cost",
    "fleet_residual",
    "join_sites",
    "site_result",
]
